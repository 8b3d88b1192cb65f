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

export type { Algorithm, BackendMethod, BackendOptions, CryptoBackend } from './backend-types.ts';

import type { Algorithm, BackendMethod, BackendOptions, CryptoBackend } from './backend-types.ts';

/** Every {@link Algorithm}, in a fixed order. */
export const ALGORITHMS: readonly Algorithm[] = ['sha256', 'hkdf', 'aesGcm', 'x25519', 'ed25519'];

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
