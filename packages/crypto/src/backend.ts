/**
 * The backend interface and the automatic choice between WebCrypto and the portable (pure JavaScript) backend.
 *
 * @module
 */
import { portableBackend } from './backend-portable.ts';
import { webCryptoBackend } from './backend-webcrypto.ts';

/**
 * The byte-level primitives a backend provides. Inputs are already validated by the public functions
 * (lengths, types); a backend only computes. Implementations must give identical bytes.
 */
export interface CryptoBackend {
  /** `'webcrypto'`, `'portable'` or `'auto'`. */
  readonly name: string;
  /** SHA-256 digest (32 bytes). */
  sha256(data: Uint8Array): Promise<Uint8Array>;
  /** HKDF-SHA256 (RFC 5869); `salt` undefined means no salt (equivalent to an empty one). */
  hkdfSha256(
    ikm: Uint8Array,
    salt: Uint8Array | undefined,
    info: Uint8Array,
    length: number,
  ): Promise<Uint8Array>;
  /** AES-256-GCM encryption with a 12-byte nonce; returns the ciphertext and the detached 16-byte tag. */
  aesGcmSeal(
    key: Uint8Array,
    nonce: Uint8Array,
    plaintext: Uint8Array,
    aad: Uint8Array | undefined,
  ): Promise<{ ciphertext: Uint8Array; tag: Uint8Array }>;
  /** AES-256-GCM decryption; rejects with `DecryptionError` when authentication fails. */
  aesGcmOpen(
    key: Uint8Array,
    nonce: Uint8Array,
    ciphertext: Uint8Array,
    tag: Uint8Array,
    aad: Uint8Array | undefined,
  ): Promise<Uint8Array>;
  /** X25519 public key of a 32-byte private key (clamping happens inside). */
  x25519PublicKey(privateKey: Uint8Array): Promise<Uint8Array>;
  /** X25519 shared secret; rejects with `InvalidKeyError` for a low-order peer key. */
  x25519SharedSecret(privateKey: Uint8Array, peerPublicKey: Uint8Array): Promise<Uint8Array>;
  /** Ed25519 public key of a 32-byte seed. */
  ed25519PublicKey(seed: Uint8Array): Promise<Uint8Array>;
  /** Ed25519 signature (64 bytes, deterministic). */
  ed25519Sign(seed: Uint8Array, message: Uint8Array): Promise<Uint8Array>;
  /** Ed25519 verification (strict RFC 8032); false for any invalid signature or key point. */
  ed25519Verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): Promise<boolean>;
}

/** Options accepted by every async function of the package. */
export interface BackendOptions {
  /** Force a backend ({@link webCryptoBackend} or {@link portableBackend}); default {@link autoBackend}. */
  backend?: CryptoBackend;
}

/** The algorithm families the automatic backend chooses an implementation for. */
export type Algorithm = 'sha256' | 'hkdf' | 'aesGcm' | 'x25519' | 'ed25519';

const probes: Record<Algorithm, () => Promise<unknown>> = {
  sha256: () => webCryptoBackend.sha256(new Uint8Array(1)),
  hkdf: () => webCryptoBackend.hkdfSha256(new Uint8Array(32), undefined, new Uint8Array(1), 32),
  aesGcm: () =>
    webCryptoBackend.aesGcmSeal(new Uint8Array(32), new Uint8Array(12), new Uint8Array(1), undefined),
  x25519: () => webCryptoBackend.x25519PublicKey(new Uint8Array(32).fill(1)),
  ed25519: () => webCryptoBackend.ed25519PublicKey(new Uint8Array(32).fill(1)),
};

const choices = new Map<Algorithm, Promise<CryptoBackend>>();

/** Feature-detects WebCrypto support for `algorithm` once per process, then answers from the cache. */
function choose(algorithm: Algorithm): Promise<CryptoBackend> {
  let choice = choices.get(algorithm);
  if (!choice) {
    choice = probes[algorithm]().then(
      () => webCryptoBackend,
      () => portableBackend,
    );
    choices.set(algorithm, choice);
  }
  return choice;
}

/**
 * Below this many bytes AES-GCM runs in JavaScript even where WebCrypto has it: a WebCrypto call has a fixed
 * cost (in Node it is a thread-pool round trip, ~70 µs) that exceeds the whole JavaScript cipher for short
 * messages. Both give identical bytes.
 */
const AES_WEBCRYPTO_MIN_BYTES = 4096;

function chooseAes(length: number): Promise<CryptoBackend> | CryptoBackend {
  return length < AES_WEBCRYPTO_MIN_BYTES ? portableBackend : choose('aesGcm');
}

/**
 * Which implementation the automatic backend uses for each algorithm in this runtime
 * (`'webcrypto'` where `crypto.subtle` supports it, else `'portable'`). For AES-GCM this is the choice for
 * messages of 4 KiB and more; shorter ones always run in JavaScript, which is faster for them.
 *
 * @example
 * ```ts
 * await resolveBackends(); // { sha256: 'webcrypto', hkdf: 'webcrypto', aesGcm: 'webcrypto', x25519: 'webcrypto', ed25519: 'webcrypto' }
 * ```
 */
export async function resolveBackends(): Promise<Record<Algorithm, string>> {
  const algorithms = Object.keys(probes) as Algorithm[];
  const chosen = await Promise.all(algorithms.map(choose));
  return Object.fromEntries(algorithms.map((a, i) => [a, chosen[i]!.name])) as Record<Algorithm, string>;
}

/**
 * The default backend: per algorithm, WebCrypto when the runtime supports it (detected once, cached),
 * else the portable backend; AES-GCM messages under 4 KiB always use the portable backend (faster there).
 * Both give identical bytes, so the choice only affects speed.
 */
export const autoBackend: CryptoBackend = {
  name: 'auto',
  sha256: async (data) => (await choose('sha256')).sha256(data),
  hkdfSha256: async (ikm, salt, info, length) => (await choose('hkdf')).hkdfSha256(ikm, salt, info, length),
  aesGcmSeal: async (key, nonce, plaintext, aad) =>
    (await chooseAes(plaintext.length)).aesGcmSeal(key, nonce, plaintext, aad),
  aesGcmOpen: async (key, nonce, ciphertext, tag, aad) =>
    (await chooseAes(ciphertext.length)).aesGcmOpen(key, nonce, ciphertext, tag, aad),
  x25519PublicKey: async (privateKey) => (await choose('x25519')).x25519PublicKey(privateKey),
  x25519SharedSecret: async (privateKey, peer) =>
    (await choose('x25519')).x25519SharedSecret(privateKey, peer),
  ed25519PublicKey: async (seed) => (await choose('ed25519')).ed25519PublicKey(seed),
  ed25519Sign: async (seed, message) => (await choose('ed25519')).ed25519Sign(seed, message),
  ed25519Verify: async (publicKey, message, signature) =>
    (await choose('ed25519')).ed25519Verify(publicKey, message, signature),
};

/** The backend an options bag asks for (the automatic one by default). */
export function backendOf(options: BackendOptions | undefined): CryptoBackend {
  return options?.backend ?? autoBackend;
}

export { portableBackend, webCryptoBackend };
