/**
 * PKCE (RFC 7636): code verifiers and S256 code challenges.
 *
 * @module
 */
import type { BackendOptions } from './backend.ts';
import { base64UrlEncode } from './codecs.ts';
import { CryptoError } from './errors.ts';
import { randomBytes } from './random.ts';
import { sha256 } from './sha256.ts';

// RFC 7636 §4.1: code-verifier = 43*128unreserved, unreserved = ALPHA / DIGIT / "-" / "." / "_" / "~".
const VERIFIER = /^[A-Za-z0-9\-._~]{43,128}$/;

/**
 * True when `verifier` is a valid RFC 7636 code verifier: 43 to 128 characters of `A-Z a-z 0-9 - . _ ~`.
 */
export function isPkceVerifier(verifier: unknown): verifier is string {
  return typeof verifier === 'string' && VERIFIER.test(verifier);
}

/**
 * Generates a code verifier of `length` characters (43–128, default 43): base64url of secure random
 * bytes, so 43 characters carry 256 bits (the upstream SDKs' `base64url(32 random bytes)`).
 *
 * @example
 * ```ts
 * const verifier = generatePkceVerifier(); // 43 chars
 * ```
 * @throws {CryptoError} `invalid_argument` when `length` is outside 43…128.
 */
export function generatePkceVerifier(length = 43): string {
  if (!Number.isInteger(length) || length < 43 || length > 128) {
    throw new CryptoError(`PKCE verifier length must be 43 to 128, got ${length}`, {
      code: 'invalid_argument',
    });
  }
  return base64UrlEncode(randomBytes(Math.ceil((length * 3) / 4))).slice(0, length);
}

/**
 * The S256 code challenge: base64url (no padding) of SHA-256 over the ASCII verifier.
 *
 * @example
 * ```ts
 * await pkceChallengeS256('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk');
 * // 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM'
 * ```
 * @throws {CryptoError} `invalid_argument` when `verifier` is not a valid RFC 7636 verifier.
 */
export async function pkceChallengeS256(verifier: string, options?: BackendOptions): Promise<string> {
  if (!isPkceVerifier(verifier)) {
    throw new CryptoError('PKCE verifier must be 43 to 128 characters of A-Z, a-z, 0-9, "-", ".", "_", "~"', {
      code: 'invalid_argument',
    });
  }
  return base64UrlEncode(await sha256(verifier, options));
}

/** A PKCE verifier with its S256 challenge. */
export interface PkcePair {
  /** Kept by the client, sent with the token request. */
  verifier: string;
  /** Sent with the authorization request. */
  challenge: string;
  /** Always `'S256'`. */
  method: 'S256';
}

/**
 * Generates a verifier and its S256 challenge in one call.
 *
 * @example
 * ```ts
 * const { verifier, challenge, method } = await createPkcePair();
 * ```
 */
export async function createPkcePair(length = 43, options?: BackendOptions): Promise<PkcePair> {
  const verifier = generatePkceVerifier(length);
  return { verifier, challenge: await pkceChallengeS256(verifier, options), method: 'S256' };
}
