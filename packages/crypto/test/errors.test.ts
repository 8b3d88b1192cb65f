import { XError } from '@x/http-core';
import { describe, expect, it } from 'vitest';
import {
  CanonicalizationError,
  CodecError,
  CryptoError,
  DecryptionError,
  InvalidKeyError,
} from '../src/index.ts';

const classes = [
  [CodecError, 'codec_error'],
  [DecryptionError, 'decryption_failed'],
  [InvalidKeyError, 'invalid_key'],
  [CanonicalizationError, 'canonicalization_failed'],
] as const;

describe.each(classes)('%o', (Class, code) => {
  it('carries its code, name, message and cause', () => {
    const cause = new Error('inner');
    const error = new Class('what went wrong', { cause });
    expect(error).toBeInstanceOf(CryptoError);
    expect(error).toBeInstanceOf(Error);
    expect(error.code).toBe(code);
    expect(error.name).toBe(Class.name);
    expect(error.message).toBe('what went wrong');
    expect(error.cause).toBe(cause);
  });

  it('isInstance recognises its own class and the base, not its siblings', () => {
    const error = new Class('x');
    expect(Class.isInstance(error)).toBe(true);
    expect(CryptoError.isInstance(error)).toBe(true);
    for (const [Other] of classes) if (Other !== Class) expect(Other.isInstance(error)).toBe(false);
  });

  it('isInstance works across copies of the package (Symbol.for brand), not by shape', () => {
    // Another copy's class carries the same global brand symbol.
    const Foreign = class extends Error {
      static readonly brand = Symbol.for(`@x/crypto.${Class.name}`);
    };
    expect(Class.isInstance(new Foreign('x'))).toBe(true);
    expect(Class.isInstance({ code, name: Class.name })).toBe(false);
    expect(Class.isInstance(new Error('x'))).toBe(false);
    expect(Class.isInstance(null)).toBe(false);
    expect(Class.isInstance('CodecError')).toBe(false);
  });
});

it('the base class takes any documented code', () => {
  const error = new CryptoError('bad length', { code: 'invalid_argument' });
  expect(CryptoError.isInstance(error)).toBe(true);
  expect(CodecError.isInstance(error)).toBe(false);
  expect(error.code).toBe('invalid_argument');
  expect(error.cause).toBeUndefined();
});

it('every crypto error is an @x/http-core XError, with one constructor shape (message, then options)', () => {
  const error = new DecryptionError('tampered', { cause: new Error('op') });
  expect(XError.isInstance(error)).toBe(true);
  expect(error).toBeInstanceOf(XError);
  expect(error.retryable).toBe(false);
  expect(new CryptoError('no backend', { code: 'unsupported' }).code).toBe('unsupported');
  expect(new CryptoError('default').code).toBe('invalid_argument');
  expect(JSON.parse(JSON.stringify(error))).toMatchObject({
    name: 'DecryptionError',
    code: 'decryption_failed',
  });
});
