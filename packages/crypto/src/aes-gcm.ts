/**
 * AES-256-GCM with a 12-byte nonce and a detached 16-byte tag.
 *
 * @module
 */
import { type BackendOptions, backendMethod } from './backend.ts';
import { assertBytes, assertKey } from './bytes.ts';
import { DecryptionError } from './errors.ts';
import { randomBytes } from './random.ts';

/** AES-256 key length in bytes. */
export const AES_KEY_LENGTH = 32;
/** AES-GCM nonce length in bytes. */
export const AES_GCM_NONCE_LENGTH = 12;
/** AES-GCM tag length in bytes. */
export const AES_GCM_TAG_LENGTH = 16;

/** Inputs of {@link aesGcmSeal}. */
export interface AesGcmSealParams {
  /** 32-byte key. */
  key: Uint8Array;
  /** The message. */
  plaintext: Uint8Array;
  /** Additional authenticated data (authenticated, not encrypted). Default: none. */
  aad?: Uint8Array;
  /**
   * 12-byte nonce. Default: 12 fresh random bytes. Pass one only for deterministic test vectors: reusing a
   * nonce with the same key breaks GCM completely.
   */
  nonce?: Uint8Array;
}

/** The output of {@link aesGcmSeal}: everything {@link aesGcmOpen} needs besides the key (and AAD). */
export interface AesGcmSealed {
  /** The 12-byte nonce used. */
  nonce: Uint8Array;
  /** The ciphertext, as long as the plaintext. */
  ciphertext: Uint8Array;
  /** The 16-byte authentication tag. */
  tag: Uint8Array;
}

/** Inputs of {@link aesGcmOpen}. */
export interface AesGcmOpenParams extends AesGcmSealed {
  /** 32-byte key. */
  key: Uint8Array;
  /** The AAD given when sealing, if any. */
  aad?: Uint8Array;
}

/**
 * Encrypts and authenticates with AES-256-GCM.
 *
 * @example
 * ```ts
 * const { nonce, ciphertext, tag } = await aesGcmSeal({ key, plaintext: utf8Encode('hi') });
 * ```
 * @throws {InvalidKeyError} when the key is not 32 bytes.
 * @throws {CryptoError} `invalid_argument` when the nonce is not 12 bytes.
 */
export async function aesGcmSeal(params: AesGcmSealParams, options?: BackendOptions): Promise<AesGcmSealed> {
  const key = assertKey(params?.key, 'AES-256-GCM key', AES_KEY_LENGTH);
  const plaintext = assertBytes(params.plaintext, 'aesGcmSeal: plaintext');
  const aad = params.aad === undefined ? undefined : assertBytes(params.aad, 'aesGcmSeal: aad');
  const nonce =
    params.nonce === undefined
      ? randomBytes(AES_GCM_NONCE_LENGTH)
      : assertBytes(params.nonce, 'aesGcmSeal: nonce', AES_GCM_NONCE_LENGTH);
  const { ciphertext, tag } = await backendMethod(options, 'aesGcmSeal')(key, nonce, plaintext, aad);
  return { nonce, ciphertext, tag };
}

/**
 * Authenticates and decrypts AES-256-GCM. Nothing is returned unless the tag verifies.
 *
 * @example
 * ```ts
 * const plaintext = await aesGcmOpen({ key, nonce, ciphertext, tag });
 * ```
 * @throws {DecryptionError} when the ciphertext, tag, nonce or AAD was changed, the tag is not 16 bytes,
 *   or the key is wrong.
 * @throws {InvalidKeyError} when the key is not 32 bytes.
 * @throws {CryptoError} `invalid_argument` when the nonce is not 12 bytes.
 */
export async function aesGcmOpen(params: AesGcmOpenParams, options?: BackendOptions): Promise<Uint8Array> {
  const key = assertKey(params?.key, 'AES-256-GCM key', AES_KEY_LENGTH);
  const nonce = assertBytes(params.nonce, 'aesGcmOpen: nonce', AES_GCM_NONCE_LENGTH);
  const ciphertext = assertBytes(params.ciphertext, 'aesGcmOpen: ciphertext');
  const tag = assertBytes(params.tag, 'aesGcmOpen: tag');
  // A shortened tag is a tampered message, not a programming error: same error as a wrong tag.
  if (tag.length !== AES_GCM_TAG_LENGTH) {
    throw new DecryptionError(`AES-GCM tag must be ${AES_GCM_TAG_LENGTH} bytes, got ${tag.length}`);
  }
  const aad = params.aad === undefined ? undefined : assertBytes(params.aad, 'aesGcmOpen: aad');
  return backendMethod(options, 'aesGcmOpen')(key, nonce, ciphertext, tag, aad);
}
