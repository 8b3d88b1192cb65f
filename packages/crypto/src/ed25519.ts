/**
 * Ed25519 signatures (RFC 8032) on raw keys: a 32-byte seed as the private key, a 32-byte public key.
 *
 * @module
 */
import { type BackendOptions, backendMethod } from './backend.ts';
import { assertBytes, assertKey, isBytes } from './bytes.ts';
import { hexDecode } from './codecs.ts';
import { randomBytes } from './random.ts';

/** Ed25519 seed (private key) and public key length in bytes. */
export const ED25519_KEY_LENGTH = 32;
/** Ed25519 signature length in bytes. */
export const ED25519_SIGNATURE_LENGTH = 64;

// p = 2^255 − 19 and L = 2^252 + 27742317777372353535851937790883648493 (RFC 8032 §5.1), little-endian.
const P_LE = hexDecode('edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f');
const L_LE = hexDecode('edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010');

// The y-coordinates (little-endian, sign bit clear) of the eight points of small order: y = 1 (the identity),
// y = p − 1 (order 2), y = 0 (the two points of order 4) and ±y₈ (the four points of order 8). The same
// list libsodium blocks; the tests check it against @noble/curves' torsion subgroup.
const SMALL_ORDER_Y = [
  '0000000000000000000000000000000000000000000000000000000000000000',
  '0100000000000000000000000000000000000000000000000000000000000000',
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05',
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a',
].map(hexDecode);

/** a < b for 32-byte little-endian numbers, with `topMask` applied to a's last byte (0x7f drops the sign bit). */
function lessThan(a: Uint8Array, b: Uint8Array, topMask = 0xff): boolean {
  for (let i = 31; i >= 0; i--) {
    const x = i === 31 ? a[i]! & topMask : a[i]!;
    if (x !== b[i]) return x < b[i]!;
  }
  return false;
}

/** True when the y-coordinate of a 32-byte point encoding is canonical (below p). */
function isCanonicalPoint(bytes: Uint8Array): boolean {
  return lessThan(bytes, P_LE, 0x7f);
}

/**
 * True unless `bytes` is plainly unusable as an Ed25519 public key: a non-canonical encoding (y ≥ p) or one of
 * the eight points of small order, under which anyone can forge signatures. Byte comparisons only; whether the
 * encoding is a curve point at all is the backend's check (verification then answers false).
 */
export function isStrongEd25519PublicKey(bytes: Uint8Array): boolean {
  if (!isCanonicalPoint(bytes)) return false;
  return !SMALL_ORDER_Y.some((y) => {
    for (let i = 0; i < 31; i++) if (bytes[i] !== y[i]) return false;
    return (bytes[31]! & 0x7f) === y[31];
  });
}

/** True when a 64-byte signature R ‖ S has a canonical R and S < L (RFC 8032 §5.1.7 strictness). */
export function isCanonicalEd25519Signature(signature: Uint8Array): boolean {
  return isCanonicalPoint(signature.subarray(0, 32)) && lessThan(signature.subarray(32, 64), L_LE);
}

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
  return backendMethod(
    options,
    'ed25519PublicKey',
  )(assertKey(privateKey, 'Ed25519 private key', ED25519_KEY_LENGTH));
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
  return backendMethod(options, 'ed25519Sign')(seed, assertBytes(message, 'ed25519Sign: message'));
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
  // Checked here, not per backend, so every backend answers alike: OpenSSL-based WebCrypto accepts
  // non-canonical and small-order keys, which noble's strict mode refuses.
  if (!isStrongEd25519PublicKey(key) || !isCanonicalEd25519Signature(signature)) return false;
  return backendMethod(options, 'ed25519Verify')(key, msg, signature);
}
