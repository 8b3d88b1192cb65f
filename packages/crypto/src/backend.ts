/**
 * The backend interface and the automatic choice, per algorithm, between node:crypto, WebCrypto and noble.
 *
 * @module
 */

// Node's backend, or in browser bundles (the `browser` condition) one without code: see package.json `imports`.
import { nodeCryptoBackend } from '#node-crypto-backend';
import { nobleBackend } from './backend-noble.ts';
import { webCryptoBackend } from './backend-webcrypto.ts';
import { CryptoError } from './errors.ts';

/** The algorithm families a backend may provide, and for which the automatic backend chooses one. */
export type Algorithm = 'sha256' | 'hkdf' | 'aesGcm' | 'x25519' | 'ed25519';

/** Every {@link Algorithm}, in a fixed order. */
export const ALGORITHMS: readonly Algorithm[] = ['sha256', 'hkdf', 'aesGcm', 'x25519', 'ed25519'];

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

const ALGORITHM_LABELS: Record<Algorithm, string> = {
  sha256: 'SHA-256',
  hkdf: 'HKDF-SHA256',
  aesGcm: 'AES-256-GCM',
  x25519: 'X25519',
  ed25519: 'Ed25519',
};

const ALGORITHM_OF: Record<BackendMethod, Algorithm> = {
  sha256: 'sha256',
  hkdfSha256: 'hkdf',
  aesGcmSeal: 'aesGcm',
  aesGcmOpen: 'aesGcm',
  x25519PublicKey: 'x25519',
  x25519SharedSecret: 'x25519',
  ed25519PublicKey: 'ed25519',
  ed25519Sign: 'ed25519',
  ed25519Verify: 'ed25519',
};

/** The typed error for a backend asked for an algorithm it does not have. */
export function unsupported(backend: string, algorithm: Algorithm, why = 'does not provide'): CryptoError {
  return new CryptoError(`The ${backend} backend ${why} ${ALGORITHM_LABELS[algorithm]}`, {
    code: 'unsupported',
  });
}

/**
 * The implementation of `method` in the backend the options ask for (the automatic one by default), bound to
 * it. Throws {@link CryptoError} `unsupported` when that backend does not provide the algorithm.
 */
export function backendMethod<K extends BackendMethod>(
  options: BackendOptions | undefined,
  method: K,
): NonNullable<CryptoBackend[K]> {
  const backend = options?.backend ?? autoBackend;
  const fn = backend[method];
  if (typeof fn !== 'function') throw unsupported(backend.name, ALGORITHM_OF[method]);
  return fn.bind(backend) as NonNullable<CryptoBackend[K]>;
}

/** The order of preference of the automatic backend. */
const PREFERENCE: readonly CryptoBackend[] = [nodeCryptoBackend, webCryptoBackend, nobleBackend];

const pending = new Map<Algorithm, Promise<CryptoBackend>>();
const chosen = new Map<Algorithm, CryptoBackend>();

/**
 * The backend the automatic choice uses for `algorithm`: the first of node:crypto, WebCrypto and noble that
 * supports it here. Detected once per process; afterwards answered synchronously from the cache.
 */
function choose(algorithm: Algorithm): CryptoBackend | Promise<CryptoBackend> {
  const known = chosen.get(algorithm);
  if (known) return known;
  let choice = pending.get(algorithm);
  if (!choice) {
    choice = (async () => {
      for (const backend of PREFERENCE) {
        if (await backend.supports(algorithm).catch(() => false)) {
          chosen.set(algorithm, backend);
          return backend;
        }
      }
      return nobleBackend;
    })();
    pending.set(algorithm, choice);
  }
  return choice;
}

/** Runs `method` on the backend chosen for its algorithm, without an extra await once the choice is known. */
function dispatch<K extends BackendMethod>(method: K): NonNullable<CryptoBackend[K]> {
  const algorithm = ALGORITHM_OF[method];
  return ((...args: unknown[]) => {
    const backend = choose(algorithm);
    const run = (b: CryptoBackend) => (b[method] as (...a: unknown[]) => Promise<unknown>).apply(b, args);
    return backend instanceof Promise ? backend.then(run) : run(backend);
  }) as NonNullable<CryptoBackend[K]>;
}

/**
 * Which backend the automatic choice uses for each algorithm in this runtime: `'node-crypto'` where
 * node:crypto is reachable (Node, Bun, Deno) and has the algorithm, else `'webcrypto'` where `crypto.subtle`
 * supports it, else `'noble'`.
 *
 * @example
 * ```ts
 * await resolveBackends();
 * // Node: { sha256: 'node-crypto', hkdf: 'node-crypto', aesGcm: 'node-crypto', x25519: 'webcrypto', ed25519: 'node-crypto' }
 * ```
 */
export async function resolveBackends(): Promise<Record<Algorithm, string>> {
  const backends = await Promise.all(ALGORITHMS.map(choose));
  return Object.fromEntries(ALGORITHMS.map((a, i) => [a, backends[i]!.name])) as Record<Algorithm, string>;
}

/**
 * The default backend: per algorithm, node:crypto where the runtime exposes it (through
 * `process.getBuiltinModule`) and it has the algorithm, else WebCrypto where `crypto.subtle` supports it, else
 * {@link nobleBackend}. Detected once per algorithm and cached. All give identical bytes, so the choice only
 * affects speed.
 */
export const autoBackend: CryptoBackend = {
  name: 'auto',
  supports: async () => true,
  ...(Object.fromEntries(
    (Object.keys(ALGORITHM_OF) as BackendMethod[]).map((method) => [method, dispatch(method)]),
  ) as Required<Pick<CryptoBackend, BackendMethod>>),
};

export { nobleBackend, nodeCryptoBackend, webCryptoBackend };
