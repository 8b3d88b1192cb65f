/**
 * The noble backend: pure JavaScript from the audited @noble libraries. It runs wherever JavaScript runs and
 * is the fallback where neither node:crypto nor WebCrypto has an algorithm. Its code is loaded on first use
 * (dynamic `import()`), so runtimes that never need it never load it.
 *
 * @module
 */
import type { BackendMethod, CryptoBackend, NobleDeps } from './backend-types.ts';
import { concatBytes, isAllZero } from './bytes.ts';
import { DecryptionError, InvalidKeyError } from './errors.ts';

/** What the lazily loaded method modules take from the package (so their chunks import nothing of it). */
const deps: NobleDeps = { concatBytes, isAllZero, DecryptionError, InvalidKeyError };

/**
 * A loader that runs `load` once, on first use, and then answers from one cached promise. A failed load (e.g. a
 * chunk that could not be fetched) is not cached: the next call tries again.
 */
function lazy<T>(load: () => Promise<T>): () => Promise<T> {
  let loading: Promise<T> | undefined;
  return () => {
    if (!loading) {
      const attempt = load();
      loading = attempt;
      attempt.catch(() => {
        if (loading === attempt) loading = undefined;
      });
    }
    return loading;
  };
}

/** The curve methods (`@noble/curves`' Ed25519 and X25519), in a chunk only runtimes without WebCrypto X25519/Ed25519 load. */
const curves = lazy(() => import('./noble-curves.ts').then((m) => m.curveMethods(deps)));

/** The SHA-256, HKDF and AES-GCM methods (@noble/hashes, @noble/ciphers), likewise in a chunk of their own. */
const symmetric = lazy(() => import('./noble-symmetric.ts').then((m) => m.symmetricMethods(deps)));

/** A method that loads its group on first use and then runs there. */
function loaded<K extends BackendMethod>(
  group: () => Promise<Partial<Record<BackendMethod, unknown>>>,
  method: K,
): NonNullable<CryptoBackend[K]> {
  return (async (...args: unknown[]) =>
    ((await group())[method] as (...a: unknown[]) => unknown)(...args)) as NonNullable<CryptoBackend[K]>;
}

/**
 * The pure-JavaScript backend: SHA-256 and HKDF from @noble/hashes, AES-256-GCM from @noble/ciphers' `gcm`,
 * X25519 and Ed25519 from @noble/curves. Each group is loaded on its first use (one cached dynamic
 * `import()` for the curves, one for the rest). Byte-for-byte
 * identical to the other backends; Ed25519 verification is strict RFC 8032 (`zip215: false`). Pass it as
 * `{ backend: nobleBackend }` to force it.
 *
 * @example
 * ```ts
 * const digest = await sha256(utf8Encode('abc'), { backend: nobleBackend });
 * ```
 */
export const nobleBackend: CryptoBackend = {
  name: 'noble',
  supports: async () => true,
  sha256: loaded(symmetric, 'sha256'),
  hkdfSha256: loaded(symmetric, 'hkdfSha256'),
  aesGcmSeal: loaded(symmetric, 'aesGcmSeal'),
  aesGcmOpen: loaded(symmetric, 'aesGcmOpen'),
  x25519PublicKey: loaded(curves, 'x25519PublicKey'),
  x25519SharedSecret: loaded(curves, 'x25519SharedSecret'),
  ed25519PublicKey: loaded(curves, 'ed25519PublicKey'),
  ed25519Sign: loaded(curves, 'ed25519Sign'),
  ed25519Verify: loaded(curves, 'ed25519Verify'),
};
