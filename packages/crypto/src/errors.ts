/**
 * The typed errors of @x/crypto. Callers branch on `code` or `isInstance()`, never on message text.
 * Messages say what was wrong (a length, a position, a kind of value) and never contain key material.
 *
 * @module
 */

import { XError, type XErrorOptions } from '@x/http-core';

/**
 * The stable codes of @x/crypto errors.
 *
 * | code | class | when |
 * |---|---|---|
 * | `codec_error` | {@link CodecError} | base64 / base64url / hex / UTF-8 input is not canonical |
 * | `decryption_failed` | {@link DecryptionError} | AES-GCM authentication failed (tampered data, tag, nonce, AAD or wrong key) |
 * | `invalid_key` | {@link InvalidKeyError} | a key has the wrong length or type, or X25519 produced an all-zero secret |
 * | `canonicalization_failed` | {@link CanonicalizationError} | a value has no canonical JSON form |
 * | `invalid_argument` | {@link CryptoError} | another argument is out of range (nonce length, HKDF length, PKCE verifier…) |
 * | `unsupported` | {@link CryptoError} | the runtime lacks what an explicitly chosen backend needs |
 */
export type CryptoErrorCode =
  | 'codec_error'
  | 'decryption_failed'
  | 'invalid_key'
  | 'canonicalization_failed'
  | 'invalid_argument'
  | 'unsupported';

/** What every {@link CryptoError} constructor accepts besides the message. */
export interface CryptoErrorOptions extends Omit<XErrorOptions, 'code'> {
  /** The code (each subclass has its own default; {@link CryptoError} defaults to `invalid_argument`). */
  code?: CryptoErrorCode;
  /** The underlying error, if any (e.g. the WebCrypto `OperationError`). */
  cause?: unknown;
}

/**
 * Base class of every error thrown by @x/crypto: an @x/http-core `XError`, so one `XError.isInstance`
 * check covers every error of the @x SDKs.
 *
 * @example
 * ```ts
 * try {
 *   await aesGcmOpen({ key, nonce, ciphertext, tag });
 * } catch (error) {
 *   if (DecryptionError.isInstance(error)) console.log('tampered or wrong key');
 * }
 * ```
 */
export class CryptoError extends XError {
  static override readonly brand: symbol = Symbol.for('@x/crypto.CryptoError');
  static override readonly defaultCode: CryptoErrorCode = 'invalid_argument';
  /** The stable machine-readable code. */
  declare readonly code: CryptoErrorCode;

  /** Creates the error: the message, then `{ code, cause }`. */
  constructor(message: string, options: CryptoErrorOptions = {}) {
    super(message, options);
  }
}

/** Input to a decoder (base64, base64url, hex, UTF-8) was not in the strict canonical form. */
export class CodecError extends CryptoError {
  static override readonly brand: symbol = Symbol.for('@x/crypto.CodecError');
  static override readonly defaultCode: CryptoErrorCode = 'codec_error';
}

/**
 * AES-GCM authentication failed: the ciphertext, tag, nonce or AAD was changed, or the key is wrong.
 * No plaintext is ever returned in that case.
 */
export class DecryptionError extends CryptoError {
  static override readonly brand: symbol = Symbol.for('@x/crypto.DecryptionError');
  static override readonly defaultCode: CryptoErrorCode = 'decryption_failed';
}

/** A key is not usable: wrong type or length, or an X25519 exchange produced the all-zero secret. */
export class InvalidKeyError extends CryptoError {
  static override readonly brand: symbol = Symbol.for('@x/crypto.InvalidKeyError');
  static override readonly defaultCode: CryptoErrorCode = 'invalid_key';
}

/**
 * A value has no canonical JSON form: a non-finite number, a cycle, a lone surrogate, `undefined` at the
 * top level or in an array, a function or symbol, or a Map/Set/binary value JSON would silently mangle.
 */
export class CanonicalizationError extends CryptoError {
  static override readonly brand: symbol = Symbol.for('@x/crypto.CanonicalizationError');
  static override readonly defaultCode: CryptoErrorCode = 'canonicalization_failed';
}
