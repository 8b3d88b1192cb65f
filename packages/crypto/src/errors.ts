/**
 * The typed errors of @x/crypto. Callers branch on `code` or `isInstance()`, never on message text.
 * Messages say what was wrong (a length, a position, a kind of value) and never contain key material.
 *
 * @module
 */

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
export interface CryptoErrorOptions {
  /** The underlying error, if any (e.g. the WebCrypto `OperationError`). */
  cause?: unknown;
}

const brandOf = (name: string): symbol => Symbol.for(`@x/crypto.${name}`);

function isBranded(value: unknown, brand: symbol): boolean {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[brand] === true;
}

function brand(target: object, name: string): void {
  // A non-enumerable own property so the brand survives duplicate copies of the package (Symbol.for is global).
  Object.defineProperty(target, brandOf(name), { value: true, enumerable: false });
}

/**
 * Base class of every error thrown by @x/crypto.
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
export class CryptoError extends Error {
  /** The stable machine-readable code. */
  readonly code: CryptoErrorCode;

  constructor(code: CryptoErrorCode, message: string, options: CryptoErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CryptoError';
    this.code = code;
    brand(this, 'CryptoError');
  }

  /** True for any @x/crypto error, including one from another copy of the package. */
  static isInstance(value: unknown): value is CryptoError {
    return isBranded(value, brandOf('CryptoError'));
  }
}

/** Input to a decoder (base64, base64url, hex, UTF-8) was not in the strict canonical form. */
export class CodecError extends CryptoError {
  constructor(message: string, options: CryptoErrorOptions = {}) {
    super('codec_error', message, options);
    this.name = 'CodecError';
    brand(this, 'CodecError');
  }

  /** True for a {@link CodecError}, including one from another copy of the package. */
  static override isInstance(value: unknown): value is CodecError {
    return isBranded(value, brandOf('CodecError'));
  }
}

/**
 * AES-GCM authentication failed: the ciphertext, tag, nonce or AAD was changed, or the key is wrong.
 * No plaintext is ever returned in that case.
 */
export class DecryptionError extends CryptoError {
  constructor(message: string, options: CryptoErrorOptions = {}) {
    super('decryption_failed', message, options);
    this.name = 'DecryptionError';
    brand(this, 'DecryptionError');
  }

  /** True for a {@link DecryptionError}, including one from another copy of the package. */
  static override isInstance(value: unknown): value is DecryptionError {
    return isBranded(value, brandOf('DecryptionError'));
  }
}

/** A key is not usable: wrong type or length, or an X25519 exchange produced the all-zero secret. */
export class InvalidKeyError extends CryptoError {
  constructor(message: string, options: CryptoErrorOptions = {}) {
    super('invalid_key', message, options);
    this.name = 'InvalidKeyError';
    brand(this, 'InvalidKeyError');
  }

  /** True for an {@link InvalidKeyError}, including one from another copy of the package. */
  static override isInstance(value: unknown): value is InvalidKeyError {
    return isBranded(value, brandOf('InvalidKeyError'));
  }
}

/**
 * A value has no canonical JSON form: a non-finite number, a cycle, a lone surrogate, `undefined` at the
 * top level or in an array, a function or symbol, or a Map/Set/binary value JSON would silently mangle.
 */
export class CanonicalizationError extends CryptoError {
  constructor(message: string, options: CryptoErrorOptions = {}) {
    super('canonicalization_failed', message, options);
    this.name = 'CanonicalizationError';
    brand(this, 'CanonicalizationError');
  }

  /** True for a {@link CanonicalizationError}, including one from another copy of the package. */
  static override isInstance(value: unknown): value is CanonicalizationError {
    return isBranded(value, brandOf('CanonicalizationError'));
  }
}
