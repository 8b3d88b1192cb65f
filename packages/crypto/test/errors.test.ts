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
    const foreign = Object.create(Error.prototype) as Record<symbol, unknown>;
    foreign[Symbol.for(`@x/crypto.${Class.name}`)] = true;
    expect(Class.isInstance(foreign)).toBe(true);
    expect(Class.isInstance({ code, name: Class.name })).toBe(false);
    expect(Class.isInstance(new Error('x'))).toBe(false);
    expect(Class.isInstance(null)).toBe(false);
    expect(Class.isInstance('CodecError')).toBe(false);
  });
});

it('the base class takes any documented code', () => {
  const error = new CryptoError('invalid_argument', 'bad length');
  expect(CryptoError.isInstance(error)).toBe(true);
  expect(CodecError.isInstance(error)).toBe(false);
  expect(error.code).toBe('invalid_argument');
  expect(error.cause).toBeUndefined();
});
