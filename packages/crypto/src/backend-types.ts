/**
 * The types shared by the backends and the primitives they load: what a backend is, and what the lazily
 * loaded noble modules take from the package. Types only, so the modules that use them import nothing else
 * from each other (backends depend on primitives, never the other way).
 *
 * @module
 */
import type { concatBytes, isAllZero } from './bytes.ts';
import type { DecryptionError, InvalidKeyError } from './errors.ts';

/** The algorithm families a backend may provide, and for which the automatic backend chooses one. */
export type Algorithm = 'sha256' | 'hkdf' | 'aesGcm' | 'x25519' | 'ed25519';

/**
 * A provider of byte-level primitives. Inputs are already validated by the public functions (lengths, types);
 * a backend only computes, and every backend gives identical bytes.
 *
 * A backend may provide only some algorithms: the methods of an algorithm it lacks are absent, and
 * {@link CryptoBackend.supports} says which ones it can run in the current runtime. Calling a public function
 * with a backend that lacks the algorithm rejects with a {@link CryptoError} whose code is `unsupported`.
 *
 * | algorithm | methods |
 * |---|---|
 * | `sha256` | `sha256` |
 * | `hkdf` | `hkdfSha256` |
 * | `aesGcm` | `aesGcmSeal`, `aesGcmOpen` |
 * | `x25519` | `x25519PublicKey`, `x25519SharedSecret` |
 * | `ed25519` | `ed25519PublicKey`, `ed25519Sign`, `ed25519Verify` |
 */
export interface CryptoBackend {
  /** `'node-crypto'`, `'webcrypto'`, `'noble'` or `'auto'` for the built-in ones. */
  readonly name: string;
  /** Resolves `true` when this backend can run `algorithm` in this runtime (detected once, then cached). */
  supports(algorithm: Algorithm): Promise<boolean>;
  /** SHA-256 digest (32 bytes). */
  sha256?(data: Uint8Array): Promise<Uint8Array>;
  /** HKDF-SHA256 (RFC 5869); `salt` undefined means no salt (equivalent to an empty one). */
  hkdfSha256?(
    ikm: Uint8Array,
    salt: Uint8Array | undefined,
    info: Uint8Array,
    length: number,
  ): Promise<Uint8Array>;
  /** AES-256-GCM encryption with a 12-byte nonce; returns the ciphertext and the detached 16-byte tag. */
  aesGcmSeal?(
    key: Uint8Array,
    nonce: Uint8Array,
    plaintext: Uint8Array,
    aad: Uint8Array | undefined,
  ): Promise<{
    /** The ciphertext, as long as the plaintext. */
    ciphertext: Uint8Array;
    /** The detached 16-byte authentication tag. */
    tag: Uint8Array;
  }>;
  /** AES-256-GCM decryption; rejects with `DecryptionError` (and no output) when authentication fails. */
  aesGcmOpen?(
    key: Uint8Array,
    nonce: Uint8Array,
    ciphertext: Uint8Array,
    tag: Uint8Array,
    aad: Uint8Array | undefined,
  ): Promise<Uint8Array>;
  /** X25519 public key of a 32-byte private key (clamping happens inside). */
  x25519PublicKey?(privateKey: Uint8Array): Promise<Uint8Array>;
  /** X25519 shared secret; rejects with `InvalidKeyError` for a low-order peer key (all-zero secret). */
  x25519SharedSecret?(privateKey: Uint8Array, peerPublicKey: Uint8Array): Promise<Uint8Array>;
  /** Ed25519 public key of a 32-byte seed. */
  ed25519PublicKey?(seed: Uint8Array): Promise<Uint8Array>;
  /** Ed25519 signature (64 bytes, deterministic). */
  ed25519Sign?(seed: Uint8Array, message: Uint8Array): Promise<Uint8Array>;
  /** Ed25519 verification (strict RFC 8032); false for any invalid signature or key point. */
  ed25519Verify?(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): Promise<boolean>;
}

/** The names of the primitive methods of a {@link CryptoBackend}. */
export type BackendMethod = Exclude<keyof CryptoBackend, 'name' | 'supports'>;

/** Options accepted by every async function of the package. */
export interface BackendOptions {
  /**
   * Force a backend ({@link nodeCryptoBackend}, {@link webCryptoBackend}, {@link nobleBackend} or your own);
   * default {@link autoBackend}.
   */
  backend?: CryptoBackend;
}

/** What the lazily loaded noble method modules take from the package (so their chunks import nothing of it). */
export interface NobleDeps {
  /** Joins byte arrays. */
  concatBytes: typeof concatBytes;
  /** Whether every byte is zero (a low-order X25519 result). */
  isAllZero: typeof isAllZero;
  /** The error for failed AES-GCM authentication. */
  DecryptionError: typeof DecryptionError;
  /** The error for an unusable key. */
  InvalidKeyError: typeof InvalidKeyError;
}
