/**
 * The byte-level building blocks of the Airlock end-to-end scheme: an X25519 shared secret fed to
 * HKDF-SHA256 with an empty salt and a caller-given info string gives a 32-byte AES-256-GCM key; messages
 * are sealed with a 12-byte nonce and a detached 16-byte tag. String encodings belong to @x/airlock.
 *
 * @module
 */
import { type AesGcmSealed, aesGcmOpen, aesGcmSeal } from './aes-gcm.ts';
import type { BackendOptions } from './backend.ts';
import { CryptoError } from './errors.ts';
import { hkdfSha256 } from './hkdf.ts';
import { x25519SharedSecret } from './x25519.ts';

/** Inputs of {@link deriveE2EKey}. */
export interface DeriveE2EKeyParams {
  /** Our 32-byte X25519 private key. */
  privateKey: Uint8Array;
  /** The peer's 32-byte X25519 public key. */
  peerPublicKey: Uint8Array;
  /** HKDF info (domain separation), e.g. `'HARP-E2E-AES256GCM'` for Airlock; a string is taken as UTF-8. */
  info: Uint8Array | string;
}

/**
 * Derives the symmetric E2E key: HKDF-SHA256(IKM = X25519(privateKey, peerPublicKey), salt = none, info, L = 32).
 * Both sides get the same key.
 *
 * @example
 * ```ts
 * const key = await deriveE2EKey({ privateKey: mine.privateKey, peerPublicKey: theirs.publicKey, info: 'HARP-E2E-AES256GCM' });
 * ```
 * @throws {InvalidKeyError} for a key of the wrong length or a low-order peer key.
 */
export async function deriveE2EKey(
  params: DeriveE2EKeyParams,
  options?: BackendOptions,
): Promise<Uint8Array> {
  if (params?.info === undefined)
    throw new CryptoError('deriveE2EKey: info is required', { code: 'invalid_argument' });
  const shared = await x25519SharedSecret(params.privateKey, params.peerPublicKey, options);
  try {
    return await hkdfSha256({ ikm: shared, info: params.info, length: 32 }, options);
  } finally {
    shared.fill(0);
  }
}

/** Inputs of {@link sealE2E}. */
export interface SealE2EParams {
  /** The 32-byte key from {@link deriveE2EKey}. */
  key: Uint8Array;
  /** The message bytes (Airlock: the UTF-8 canonical JSON). */
  plaintext: Uint8Array;
  /** Fixed 12-byte nonce for deterministic vectors only; default random. */
  nonce?: Uint8Array;
  /** Optional additional authenticated data (Airlock uses none). */
  aad?: Uint8Array;
}

/**
 * Seals an E2E message with AES-256-GCM: returns `{ nonce, ciphertext, tag }` (12-byte nonce, detached
 * 16-byte tag).
 *
 * @example
 * ```ts
 * const sealed = await sealE2E({ key, plaintext: utf8Encode(canonicalize(payload)) });
 * ```
 */
export function sealE2E(params: SealE2EParams, options?: BackendOptions): Promise<AesGcmSealed> {
  return aesGcmSeal(params, options);
}

/** Inputs of {@link openE2E}. */
export interface OpenE2EParams extends AesGcmSealed {
  /** The 32-byte key from {@link deriveE2EKey}. */
  key: Uint8Array;
  /** The AAD given to {@link sealE2E}, if any. */
  aad?: Uint8Array;
}

/**
 * Opens a message sealed by {@link sealE2E} (or any Airlock SDK).
 *
 * @throws {DecryptionError} when anything was tampered with or the key is wrong; no plaintext is returned.
 */
export function openE2E(params: OpenE2EParams, options?: BackendOptions): Promise<Uint8Array> {
  return aesGcmOpen(params, options);
}
