// The backends every test runs through: each built-in backend for the algorithms it supports in this runtime
// (node:crypto in the node project; in the edge project it reports itself unavailable), plus `auto`.
import {
  ALGORITHMS,
  type Algorithm,
  autoBackend,
  type CryptoBackend,
  nobleBackend,
  nodeCryptoBackend,
  webCryptoBackend,
} from '../src/index.ts';

/** True inside the edge project (the edge-runtime VM defines `EdgeRuntime`, as Vercel Edge does). */
export const inEdgeRuntime = typeof (globalThis as { EdgeRuntime?: unknown }).EdgeRuntime === 'string';

export const builtInBackends: readonly CryptoBackend[] = [
  nodeCryptoBackend,
  webCryptoBackend,
  nobleBackend,
  autoBackend,
];

const support = new Map<CryptoBackend, Set<Algorithm>>();
for (const backend of builtInBackends) {
  const set = new Set<Algorithm>();
  for (const algorithm of ALGORITHMS) if (await backend.supports(algorithm)) set.add(algorithm);
  support.set(backend, set);
}

/** [name, backend] of every built-in backend that supports all of `algorithms` here (for describe.each). */
export function backendsFor(...algorithms: Algorithm[]): [string, CryptoBackend][] {
  return builtInBackends
    .filter((b) => algorithms.every((a) => support.get(b)!.has(a)))
    .map((b) => [b.name, b]);
}

/**
 * [name, backend] of every built-in backend that supports at least one of `algorithms`, as a backend that
 * uses it for those and `auto` for the rest: how a multi-algorithm vector group runs "through" a backend
 * that has only some of its algorithms (node:crypto has no curves).
 */
export function backendsForAny(...algorithms: Algorithm[]): [string, CryptoBackend][] {
  return builtInBackends
    .filter((b) => algorithms.some((a) => support.get(b)!.has(a)))
    .map((b) => [b.name, preferring(b)]);
}

function preferring(backend: CryptoBackend): CryptoBackend {
  const has = support.get(backend)!;
  const pick = (algorithm: Algorithm) => (has.has(algorithm) ? backend : autoBackend);
  const bind = <K extends keyof CryptoBackend>(algorithm: Algorithm, method: K) => {
    const source = pick(algorithm);
    return (source[method] as (...args: unknown[]) => unknown).bind(source) as CryptoBackend[K];
  };
  return {
    name: backend.name,
    supports: async () => true,
    sha256: bind('sha256', 'sha256'),
    hkdfSha256: bind('hkdf', 'hkdfSha256'),
    aesGcmSeal: bind('aesGcm', 'aesGcmSeal'),
    aesGcmOpen: bind('aesGcm', 'aesGcmOpen'),
    x25519PublicKey: bind('x25519', 'x25519PublicKey'),
    x25519SharedSecret: bind('x25519', 'x25519SharedSecret'),
    ed25519PublicKey: bind('ed25519', 'ed25519PublicKey'),
    ed25519Sign: bind('ed25519', 'ed25519Sign'),
    ed25519Verify: bind('ed25519', 'ed25519Verify'),
  };
}
