/**
 * X25519 key agreement (RFC 7748) on raw 32-byte keys.
 *
 * @module
 */
import { type BackendOptions, backendMethod } from './backend.ts';
import { assertKey, isAllZero } from './bytes.ts';
import { InvalidKeyError } from './errors.ts';
import { randomBytes } from './random.ts';

/** X25519 key length in bytes (private and public). */
export const X25519_KEY_LENGTH = 32;

/** A raw X25519 key pair. */
export interface X25519KeyPair {
  /** 32 random bytes (clamped inside the primitive, stored as generated). */
  privateKey: Uint8Array;
  /** 32-byte public key (the u-coordinate). */
  publicKey: Uint8Array;
}

/**
 * Generates an X25519 key pair from 32 secure random bytes.
 *
 * @example
 * ```ts
 * const { privateKey, publicKey } = await generateX25519KeyPair();
 * ```
 */
export async function generateX25519KeyPair(options?: BackendOptions): Promise<X25519KeyPair> {
  const privateKey = randomBytes(X25519_KEY_LENGTH);
  return { privateKey, publicKey: await x25519PublicKey(privateKey, options) };
}

/**
 * The public key of an X25519 private key: X25519(privateKey, 9).
 *
 * @throws {InvalidKeyError} when the key is not 32 bytes.
 */
export async function x25519PublicKey(privateKey: Uint8Array, options?: BackendOptions): Promise<Uint8Array> {
  return backendMethod(
    options,
    'x25519PublicKey',
  )(assertKey(privateKey, 'X25519 private key', X25519_KEY_LENGTH));
}

/**
 * The raw X25519 shared secret (32 bytes). Use it only as input to a KDF (see {@link deriveE2EKey}).
 *
 * @example
 * ```ts
 * const secret = await x25519SharedSecret(alice.privateKey, bob.publicKey);
 * ```
 * @throws {InvalidKeyError} when a key is not 32 bytes, or the peer key is a low-order point so the
 *   secret would be all zeros (RFC 7748 §6.1).
 */
export async function x25519SharedSecret(
  privateKey: Uint8Array,
  peerPublicKey: Uint8Array,
  options?: BackendOptions,
): Promise<Uint8Array> {
  const priv = assertKey(privateKey, 'X25519 private key', X25519_KEY_LENGTH);
  const peer = assertKey(peerPublicKey, 'X25519 peer public key', X25519_KEY_LENGTH);
  const secret = await backendMethod(options, 'x25519SharedSecret')(priv, peer);
  // Belt and braces: every backend should already refuse this, but a custom one might not.
  if (isAllZero(secret)) {
    throw new InvalidKeyError('X25519: the peer public key is a low-order point (all-zero shared secret)');
  }
  return secret;
}
