/**
 * Ed25519 signatures (RFC 8032) on raw keys: a 32-byte seed as the private key, a 32-byte public key.
 *
 * @module
 */
import { type BackendOptions, backendOf } from './backend.ts';
import { assertBytes, assertKey, isBytes } from './bytes.ts';
import { isStrongEd25519PublicKey } from './curve25519.ts';
import { randomBytes } from './random.ts';

/** Ed25519 seed (private key) and public key length in bytes. */
export const ED25519_KEY_LENGTH = 32;
/** Ed25519 signature length in bytes. */
export const ED25519_SIGNATURE_LENGTH = 64;

/** A raw Ed25519 key pair. */
export interface Ed25519KeyPair {
  /** The 32-byte seed (RFC 8032 private key). Go's 64-byte form is seed ‖ public key: pass its first 32 bytes. */
  privateKey: Uint8Array;
  /** 32-byte public key. */
  publicKey: Uint8Array;
}

/**
 * Generates an Ed25519 key pair from a 32-byte random seed.
 *
 * @example
 * ```ts
 * const { privateKey, publicKey } = await generateEd25519KeyPair();
 * ```
 */
export async function generateEd25519KeyPair(options?: BackendOptions): Promise<Ed25519KeyPair> {
  const privateKey = randomBytes(ED25519_KEY_LENGTH);
  return { privateKey, publicKey: await ed25519PublicKey(privateKey, options) };
}

/**
 * The public key of a 32-byte Ed25519 seed.
 *
 * @throws {InvalidKeyError} when the seed is not 32 bytes.
 */
export async function ed25519PublicKey(
  privateKey: Uint8Array,
  options?: BackendOptions,
): Promise<Uint8Array> {
  return backendOf(options).ed25519PublicKey(
    assertKey(privateKey, 'Ed25519 private key', ED25519_KEY_LENGTH),
  );
}

/**
 * Signs `message` (deterministic, 64 bytes).
 *
 * @example
 * ```ts
 * const signature = await ed25519Sign(privateKey, utf8Encode(canonicalize(signable)));
 * ```
 * @throws {InvalidKeyError} when the seed is not 32 bytes.
 */
export async function ed25519Sign(
  privateKey: Uint8Array,
  message: Uint8Array,
  options?: BackendOptions,
): Promise<Uint8Array> {
  const seed = assertKey(privateKey, 'Ed25519 private key', ED25519_KEY_LENGTH);
  return backendOf(options).ed25519Sign(seed, assertBytes(message, 'ed25519Sign: message'));
}

/**
 * Verifies an Ed25519 signature, strictly: RFC 8032 with `S < L` and canonical encodings, and (as libsodium)
 * public keys of small order are refused, since anyone can forge signatures under them. Resolves `false` for
 * a bad signature, a signature of the wrong length, or a public key that is not a canonical point of large
 * order; never throws for those.
 *
 * @example
 * ```ts
 * if (!(await ed25519Verify(publicKey, message, signature))) throw new Error('bad signature');
 * ```
 * @throws {InvalidKeyError} when the public key is not 32 bytes (a caller bug, not a forgery).
 */
export async function ed25519Verify(
  publicKey: Uint8Array,
  message: Uint8Array,
  signature: Uint8Array,
  options?: BackendOptions,
): Promise<boolean> {
  const key = assertKey(publicKey, 'Ed25519 public key', ED25519_KEY_LENGTH);
  const msg = assertBytes(message, 'ed25519Verify: message');
  if (!isBytes(signature) || signature.length !== ED25519_SIGNATURE_LENGTH) return false;
  // Checked here, not per backend: OpenSSL-based WebCrypto accepts non-canonical and small-order keys.
  if (!isStrongEd25519PublicKey(key)) return false;
  return backendOf(options).ed25519Verify(key, msg, signature);
}
