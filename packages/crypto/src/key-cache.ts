/**
 * A small cache of imported public keys. Verifiers check many signatures with few keys (a JWKS key, a
 * decision signer), and importing the key is a large share of each verification.
 *
 * @module
 */

/** Keys kept per cache; past it the cache starts over (verifiers rarely see more than a handful). */
const KEY_CACHE_LIMIT = 64;

/**
 * The imported key of `raw` from `keys`, imported with `load` and kept the first time. A `load` that throws
 * keeps nothing; a rejected promise is kept like any answer, as the same bytes give the same answer.
 */
export function cachedKey<T>(keys: Map<string, T>, raw: Uint8Array, load: () => T): T {
  const id = String.fromCharCode(...raw);
  let key = keys.get(id);
  if (key === undefined) {
    key = load();
    if (keys.size >= KEY_CACHE_LIMIT) keys.clear();
    keys.set(id, key);
  }
  return key;
}
