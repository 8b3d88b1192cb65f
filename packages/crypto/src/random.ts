/**
 * Secure random bytes and constant-time comparison.
 *
 * @module
 */
import { assertBytes } from './bytes.ts';
import { CryptoError } from './errors.ts';

// getRandomValues fills at most 65536 bytes per call (the WebCrypto quota).
const QUOTA = 65_536;

/**
 * Returns `length` cryptographically secure random bytes from `globalThis.crypto.getRandomValues`
 * (browsers, edge runtimes and Node ≥ 20 all provide it).
 *
 * @throws {CryptoError} `unsupported` when the runtime has no `crypto.getRandomValues`;
 *   `invalid_argument` for a negative or non-integer length.
 */
export function randomBytes(length: number): Uint8Array {
  if (!Number.isSafeInteger(length) || length < 0) {
    throw new CryptoError(`randomBytes: length must be a non-negative integer, got ${length}`, {
      code: 'invalid_argument',
    });
  }
  const webCrypto = globalThis.crypto;
  if (typeof webCrypto?.getRandomValues !== 'function') {
    throw new CryptoError('randomBytes: this runtime has no crypto.getRandomValues', { code: 'unsupported' });
  }
  const out = new Uint8Array(length);
  for (let offset = 0; offset < length; offset += QUOTA) {
    webCrypto.getRandomValues(out.subarray(offset, Math.min(length, offset + QUOTA)));
  }
  return out;
}

/**
 * Compares two byte arrays in time that depends only on their length, not on where they differ.
 * Arrays of different lengths are unequal (lengths are not treated as secret).
 *
 * @example
 * ```ts
 * constantTimeEqual(expectedTag, receivedTag); // true or false
 * ```
 */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  assertBytes(a, 'constantTimeEqual: a');
  assertBytes(b, 'constantTimeEqual: b');
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}
