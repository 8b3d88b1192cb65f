/**
 * Token expiry: the JWT `exp` claim read without checking the signature, and the two time
 * predicates every tier uses. All times are epoch milliseconds, and the clock is always passed in.
 *
 * @module
 */
import { base64UrlDecode, utf8Decode } from '@x/crypto';

/** The result of {@link readJwtExpiry}: the expiry in epoch ms, or why there is none. */
export type JwtExpiry = JwtExpiryFound | JwtExpiryMissing;

/** A JWT whose `exp` was read. */
export interface JwtExpiryFound {
  /** Discriminant. */
  ok: true;
  /** `exp` × 1000: epoch ms. */
  expiresAt: number;
}

/** A token without a usable `exp`. */
export interface JwtExpiryMissing {
  /** Discriminant. */
  ok: false;
  /** Why, starting with `JWT decode error: `. */
  reason: string;
}

/**
 * Reads the `exp` claim of a JWT as epoch milliseconds. The token must have three dot-separated parts and
 * a base64url JSON payload whose `exp` is a non-negative integer (seconds). The signature is not checked:
 * the client only needs to know when to stop using the token; the services check signatures.
 *
 * @example
 * ```ts
 * const result = readJwtExpiry(accessToken);
 * if (result.ok) console.log(new Date(result.expiresAt));
 * ```
 */
export function readJwtExpiry(token: string): JwtExpiry {
  const parts = token.split('.');
  if (parts.length !== 3)
    return { ok: false, reason: `JWT decode error: expected 3 parts, got ${parts.length}` };
  let claims: unknown;
  try {
    claims = JSON.parse(utf8Decode(base64UrlDecode(parts[1]!)));
  } catch {
    return { ok: false, reason: 'JWT decode error: the payload is not base64url-encoded JSON' };
  }
  if (typeof claims !== 'object' || claims === null || Array.isArray(claims))
    return { ok: false, reason: 'JWT decode error: the payload is not a JSON object' };
  const exp = (claims as { exp?: unknown }).exp;
  if (typeof exp !== 'number' || !Number.isSafeInteger(exp) || exp < 0)
    return { ok: false, reason: 'JWT decode error: the payload has no non-negative integer "exp"' };
  return { ok: true, expiresAt: exp * 1000 };
}

/** True when `nowMs` has reached `expiresAt` (a token expiring exactly now is expired). */
export function isExpired(expiresAt: number, nowMs: number): boolean {
  return nowMs >= expiresAt;
}

/** True when the token expires within `thresholdMs` of `nowMs` (inclusive), or already has. */
export function isNearExpiry(expiresAt: number, nowMs: number, thresholdMs: number): boolean {
  return Math.max(expiresAt - nowMs, 0) <= thresholdMs;
}
