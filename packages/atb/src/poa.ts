/**
 * Verification of Proof-of-Authorization tokens: compact JWS, EdDSA (Ed25519) only, key chosen by
 * `kid` from AgentAuth's JWKS, then the broker's claim and lifetime rules. Runs in any runtime.
 *
 * @module
 */
import { base64UrlDecode, ed25519Verify, utf8Decode, utf8Encode } from '@x/crypto';
import * as v from 'valibot';
import { POA_CLOCK_TOLERANCE_SECONDS, TokenExpired, TokenInvalid, type TokenInvalidCheck } from './errors.ts';
import { type Jwks, PoAClaimsSchema, type PoAToken } from './models.ts';

/** The broker's hard cap on `exp − iat` (15 minutes). */
export const POA_MAX_TTL_CAP_SECONDS = 900;

/** Options of {@link verifyPoAToken}. */
export interface VerifyPoAOptions {
  /** AgentAuth's key set (`GET /.well-known/jwks.json`). */
  jwks: Jwks;
  /** The SPIFFE ID the token must be issued to (`sub`). */
  expectedSubject?: string;
  /** The action the token must authorize (`act`). */
  expectedAction?: string;
  /** The most `exp − iat` accepted, seconds (default 300, the broker's `POA_MAX_TTL_SECONDS`; never over 900). */
  maxTtlSeconds?: number;
  /** The current time, epoch ms (default `Date.now()`). */
  now?: number;
}

const invalid = (why: string, check: TokenInvalidCheck = 'other') =>
  new TokenInvalid(`PoA token rejected: ${why}. Request a new PoA from AgentAuth.`, { check });

function decodeJson(part: string, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(utf8Decode(base64UrlDecode(part)));
  } catch (cause) {
    throw new TokenInvalid(`PoA token rejected: its ${what} is not base64url JSON.`, { cause });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalid(`its ${what} is not a JSON object`);
  }
  return value as Record<string, unknown>;
}

/**
 * Verifies a PoA JWT and returns it with its decoded claims. Checks, in order: three base64url parts,
 * header `alg: EdDSA`, no `crit`, `typ` absent or `JWT`, a `kid` found in the JWKS as an Ed25519 key, the
 * signature, the claims (`sub`, `act`, `jti` non-empty; `con`, `leg` objects; integer `iat`, `exp`),
 * `0 < exp − iat ≤ maxTtlSeconds`, `nbf` (when present) not later than now plus
 * {@link POA_CLOCK_TOLERANCE_SECONDS}, then `sub` / `act` against the expected ones, and last the expiry
 * (no leeway, as the broker).
 *
 * @example
 * ```ts
 * const poa = await verifyPoAToken(mandate.token, { jwks, expectedSubject: spiffeId });
 * poa.claims.act; // 'crm.contact.update'
 * ```
 * @throws {TokenInvalid} for any failed check but expiry.
 * @throws {TokenExpired} when the token is otherwise valid but past `exp`.
 */
export async function verifyPoAToken(token: string, options: VerifyPoAOptions): Promise<PoAToken> {
  const parts = token.split('.');
  if (parts.length !== 3 || parts.some((p) => p.length === 0)) {
    throw invalid('it is not a compact JWS of three parts');
  }
  const [headerPart, payloadPart, signaturePart] = parts as [string, string, string];
  const header = decodeJson(headerPart, 'header');
  if (header.alg !== 'EdDSA') {
    throw invalid(`its alg is ${JSON.stringify(header.alg)}, only EdDSA is accepted`);
  }
  // `crit` lists header extensions the verifier must understand or refuse the token (RFC 7515 §4.1.11).
  // This verifier implements none, so any `crit` (even an empty or malformed one) ends verification.
  if (header.crit !== undefined) {
    throw invalid(
      `its header marks ${JSON.stringify(header.crit)} critical, which this client does not support`,
      'crit',
    );
  }
  // AgentAuth signs PoAs with `typ: JWT`. Another `typ` means a token minted for another use
  // (e.g. an approver or access token under the same key), which must not pass as a PoA. `typ` is
  // case-insensitive (RFC 7515 §4.1.9); a missing `typ` is allowed, as the broker allows it.
  if (header.typ !== undefined && (typeof header.typ !== 'string' || header.typ.toUpperCase() !== 'JWT')) {
    throw invalid(`its typ is ${JSON.stringify(header.typ)}, only JWT is accepted`, 'typ');
  }
  if (typeof header.kid !== 'string' || header.kid === '') throw invalid('its header has no kid');
  const jwk = options.jwks.keys.find((k) => k.kid === header.kid);
  if (!jwk) throw invalid(`no key with kid ${JSON.stringify(header.kid)} in the AgentAuth JWKS`);
  if (jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519' || typeof jwk.x !== 'string') {
    throw invalid(`the JWKS key ${header.kid} is not an Ed25519 key`);
  }
  let publicKey: Uint8Array;
  let signature: Uint8Array;
  try {
    publicKey = base64UrlDecode(jwk.x);
    signature = base64UrlDecode(signaturePart);
  } catch (cause) {
    throw new TokenInvalid('PoA token rejected: its signature or the JWKS key is not base64url.', { cause });
  }
  if (publicKey.length !== 32) throw invalid(`the JWKS key ${header.kid} is not 32 bytes`);
  const signed = utf8Encode(`${headerPart}.${payloadPart}`);
  if (!(await ed25519Verify(publicKey, signed, signature))) {
    throw invalid('the signature does not verify with the AgentAuth key');
  }

  const parsed = v.safeParse(PoAClaimsSchema, decodeJson(payloadPart, 'payload'));
  if (!parsed.success) {
    const issue = parsed.issues[0];
    const path = issue.path?.map((p) => String(p.key)).join('.') ?? 'claims';
    throw invalid(`claim ${path} is missing or malformed (${issue.message})`);
  }
  const claims = parsed.output;
  const ttl = claims.exp - claims.iat;
  const maxTtl = Math.min(options.maxTtlSeconds ?? 300, POA_MAX_TTL_CAP_SECONDS);
  if (!(ttl > 0 && ttl <= maxTtl)) throw invalid(`its lifetime is ${ttl} s, allowed is 1..${maxTtl} s`);
  // AgentAuth sets no `nbf`, but a token that carries one must not be used early: the broker's
  // JWT parser refuses it too, with the same leeway.
  const nbf = (claims as { nbf?: unknown }).nbf;
  if (nbf !== undefined) {
    if (typeof nbf !== 'number' || !Number.isSafeInteger(nbf)) {
      throw invalid(`its nbf ${JSON.stringify(nbf)} is not an integer`, 'nbf');
    }
    const nowSeconds = Math.floor((options.now ?? Date.now()) / 1000);
    if (nbf > nowSeconds + POA_CLOCK_TOLERANCE_SECONDS) {
      throw invalid(`it is not valid before ${new Date(nbf * 1000).toISOString()} (nbf)`, 'nbf');
    }
  }
  if (options.expectedSubject !== undefined && claims.sub !== options.expectedSubject) {
    throw invalid(`it was issued to ${claims.sub}, not to this agent (${options.expectedSubject})`);
  }
  if (options.expectedAction !== undefined && claims.act !== options.expectedAction) {
    throw invalid(`it authorizes ${claims.act}, not ${options.expectedAction}`);
  }
  const poa: PoAToken = {
    token,
    jti: claims.jti,
    action: claims.act,
    expiresAt: new Date(claims.exp * 1000),
    claims,
  };
  assertNotExpired(poa, options.now ?? Date.now());
  return poa;
}

/**
 * Throws {@link TokenExpired} when `poa` is past its `exp` at `now` (epoch ms): from the second after
 * `exp`, as the broker counts.
 */
export function assertNotExpired(poa: PoAToken, now: number): void {
  if (Math.floor(now / 1000) > poa.claims.exp) {
    throw new TokenExpired(
      `The PoA ${poa.jti} for ${poa.action} expired at ${poa.expiresAt.toISOString()}; request a new one with getToken().`,
      { expiredAt: poa.expiresAt },
    );
  }
}
