/**
 * App tokens: compact HS256 JWTs signed with the service secret (its UTF-8 bytes), carrying
 * `user_id`, `account_id`, `context`, `scope`, `iat` and `exp`. Stricter than upstream on purpose: `exp`
 * and every identity claim are required, `iat` and `nbf` may not lie in the future, only HS256 is accepted,
 * the header must say `typ: JWT` (as every token this package and upstream issue does) and may name no
 * critical (`crit`) extension: a token asking for processing the gateway does not do is refused, not
 * half-understood.
 *
 * @module
 */
import { utf8Encode } from '@x/crypto';
import { ArtifactGatewayError, invalidRequest } from './errors.ts';
import type { CredentialVault } from './vault.ts';

type Jose = typeof import('jose');
let jose: Promise<Jose> | undefined;

/** jose, loaded on the first sign or verify: importing it costs more than the rest of this entry. */
function loadJose(): Promise<Jose> {
  jose ??= import('jose');
  return jose;
}

/** Default token lifetime in seconds: 4 hours (upstream `DEFAULT_TTL`). */
export const DEFAULT_TTL = 14_400;

/** The claim that holds the user's platform JWT, encrypted with the vault key (never in clear text). */
export const SEALED_USER_JWT_CLAIM = 'user_jwt_enc';

/** Claim names an artifact could read in clear text and that must therefore never hold a platform JWT. */
const CLEAR_USER_JWT_CLAIMS = ['_user_jwt', 'user_jwt'];

/** The service secret: a string (its UTF-8 bytes are the HMAC key, as upstream) or raw key bytes. */
export type SecretKey = string | Uint8Array;

/** The decoded, validated claims of an app token, camelCase, plus every claim as sent in `raw`. */
export interface AppTokenClaims {
  /** `user_id`: whose storage the token reaches. */
  userId: string;
  /** `account_id`: the tenant. */
  accountId: string;
  /** `context`, e.g. `lab_session:sess-001`. */
  context: string;
  /** `scope`: permission strings. */
  scope: string[];
  /** `iat`, Unix seconds. */
  iat: number;
  /** `exp`, Unix seconds. */
  exp: number;
  /** The session id from a `lab_session:<id>` context, else `undefined`. Never taken from a request. */
  sessionId: string | undefined;
  /** Every claim as decoded, extras included. */
  raw: Record<string, unknown>;
}

/** Options of {@link issueAppToken}. */
export interface IssueAppTokenOptions {
  /** The service secret. */
  secretKey: SecretKey;
  /** The user's id. */
  userId: string;
  /** The account (tenant) id. */
  accountId: string;
  /** The context, by convention `lab_session:<session id>`. */
  context: string;
  /** The scopes, usually `scopeFromRole(role)`. */
  scope: readonly string[];
  /** Lifetime in seconds (default {@link DEFAULT_TTL}). */
  ttl?: number;
  /**
   * The user's platform JWT, for the internal proxy. It is encrypted with `vault` into the
   * {@link SEALED_USER_JWT_CLAIM} claim, so the artifact holding the token cannot read it.
   */
  userJwt?: string;
  /** The vault that encrypts `userJwt` (required with it). */
  vault?: CredentialVault;
  /** More claims to sign (not `_user_jwt`/`user_jwt`: a JWT payload is readable by the artifact). */
  extraClaims?: Record<string, unknown>;
  /** The current time in ms (default `Date.now()`); for tests. */
  now?: number;
}

/** Options of {@link validateAppToken}. */
export interface ValidateAppTokenOptions {
  /** The service secret. */
  secretKey: SecretKey;
  /** The compact JWT (a leading `Bearer ` is not stripped here; the gateway does that). */
  token: string;
  /** The current time in ms (default `Date.now()`); for tests. */
  now?: number;
}

/** Options of {@link refreshAppToken}. */
export interface RefreshAppTokenOptions extends ValidateAppTokenOptions {
  /** Lifetime of the new token in seconds (default {@link DEFAULT_TTL}). */
  ttl?: number;
}

// Importing the HMAC key is a large part of a verify; the gateway uses one secret, so keep a few.
const keyCache = new Map<string, Promise<CryptoKey>>();

function hmacKey(secret: SecretKey): Promise<CryptoKey> | Uint8Array {
  if (typeof secret !== 'string') return secret;
  let key = keyCache.get(secret);
  if (!key) {
    if (secret.length === 0) throw invalidRequest('the app token secret key must not be empty');
    if (keyCache.size >= 8) keyCache.clear();
    key = crypto.subtle.importKey(
      'raw',
      utf8Encode(secret) as Uint8Array<ArrayBuffer>,
      { name: 'HMAC', hash: 'SHA-256' },
      false,
      ['sign', 'verify'],
    );
    keyCache.set(secret, key);
  }
  return key;
}

/** The first claim that is missing or mistyped, or `undefined` (hand-written: this runs on every request). */
function badClaim(payload: Record<string, unknown>): string | undefined {
  const { user_id, account_id, context, scope, iat, exp } = payload;
  if (typeof user_id !== 'string' || user_id === '') return 'user_id';
  if (typeof account_id !== 'string') return 'account_id';
  if (typeof context !== 'string') return 'context';
  if (!Array.isArray(scope) || !scope.every((s) => typeof s === 'string')) return 'scope';
  if (!Number.isInteger(iat)) return 'iat';
  if (!Number.isInteger(exp)) return 'exp';
  return undefined;
}

function seconds(now: number | undefined): number {
  return Math.floor((now ?? Date.now()) / 1000);
}

function checkTtl(ttl: number): number {
  if (!Number.isInteger(ttl) || ttl <= 0)
    throw invalidRequest('ttl must be a positive whole number of seconds');
  return ttl;
}

async function sign(secret: SecretKey, payload: Record<string, unknown>): Promise<string> {
  const { SignJWT } = await loadJose();
  return new SignJWT(payload).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(await hmacKey(secret));
}

/**
 * Issues an app token with the six upstream claims (and the sealed user JWT when given).
 *
 * @example
 * ```ts
 * const token = await issueAppToken({
 *   secretKey: process.env.SECRET_KEY!,
 *   userId: 'user-abc123',
 *   accountId: 'account-xyz789',
 *   context: 'lab_session:sess-001',
 *   scope: scopeFromRole('member'),
 * });
 * ```
 * @throws {ArtifactGatewayError} `invalid_request` for an empty secret or id, a bad ttl, or a clear-text user JWT claim.
 */
export async function issueAppToken(options: IssueAppTokenOptions): Promise<string> {
  const { userId, accountId, context, scope } = options;
  if (typeof userId !== 'string' || userId === '') throw invalidRequest('userId must be a non-empty string');
  if (typeof accountId !== 'string') throw invalidRequest('accountId must be a string');
  if (typeof context !== 'string') throw invalidRequest('context must be a string');
  if (!Array.isArray(scope) || scope.some((s) => typeof s !== 'string'))
    throw invalidRequest('scope must be an array of strings');
  const extra = { ...options.extraClaims };
  for (const name of CLEAR_USER_JWT_CLAIMS)
    if (name in extra)
      throw invalidRequest(
        `claim ${name} would expose the user's JWT to the artifact; pass userJwt and vault`,
      );
  if (options.userJwt !== undefined) {
    if (!options.vault) throw invalidRequest('userJwt needs a vault to encrypt it into the token');
    extra[SEALED_USER_JWT_CLAIM] = await options.vault.encrypt(options.userJwt);
  }
  const iat = seconds(options.now);
  return sign(options.secretKey, {
    ...extra,
    user_id: userId,
    account_id: accountId,
    context,
    scope: [...scope],
    iat,
    exp: iat + checkTtl(options.ttl ?? DEFAULT_TTL),
  });
}

/**
 * Verifies an app token: HS256 with the given secret only, `typ: JWT`, no `crit` header, `exp` required
 * and not passed (no leeway), `iat` and `nbf` not in the future (no leeway), identity claims present and
 * well typed.
 *
 * @throws {ArtifactGatewayError} `token_expired` ("App token has expired") or `invalid_token`
 *   ("Invalid app token: …").
 */
export async function validateAppToken(options: ValidateAppTokenOptions): Promise<AppTokenClaims> {
  const { token } = options;
  if (typeof token !== 'string' || token === '') throw invalid('no token was given');
  const now = seconds(options.now);
  const { errors: joseErrors, jwtVerify } = await loadJose();
  let payload: Record<string, unknown>;
  let protectedHeader: Record<string, unknown>;
  try {
    ({ payload, protectedHeader } = await jwtVerify(token, await hmacKey(options.secretKey), {
      algorithms: ['HS256'],
      // Tokens are issued with `typ: JWT`; any other type (an access token `at+jwt`, a logout token, …)
      // is a token meant for something else. jose compares it case-insensitively, `application/` aside.
      typ: 'JWT',
      requiredClaims: ['exp', 'iat'],
      currentDate: new Date(now * 1000),
      // The same (zero) tolerance for `nbf` as for `exp`: one clock, no leeway either way.
      clockTolerance: 0,
    }));
  } catch (error) {
    if (error instanceof joseErrors.JWTExpired)
      throw new ArtifactGatewayError('App token has expired', { code: 'token_expired', cause: error });
    throw invalid(joseReason(joseErrors, error), error);
  }
  // jose itself accepts the critical extensions it implements (`b64`); no app token carries any, so a token
  // naming one is not ours whatever it asks for.
  if (protectedHeader['crit'] !== undefined)
    throw invalid('critical header parameters (crit) are not supported');
  const bad = badClaim(payload);
  if (bad) throw invalid(`claim ${bad} is missing or has the wrong type`);
  const claims = payload as {
    user_id: string;
    account_id: string;
    context: string;
    scope: string[];
    iat: number;
    exp: number;
  };
  if (claims.iat > now) throw invalid('token is not yet valid (iat)');
  const session = /^lab_session:(.+)$/.exec(claims.context)?.[1];
  return {
    userId: claims.user_id,
    accountId: claims.account_id,
    context: claims.context,
    scope: claims.scope,
    iat: claims.iat,
    exp: claims.exp,
    sessionId: session,
    raw: payload,
  };
}

/**
 * Validates `token` and signs a new one with the same claims and a fresh `iat`/`exp`. An expired token
 * cannot be refreshed.
 *
 * @throws {ArtifactGatewayError} as {@link validateAppToken}.
 */
export async function refreshAppToken(options: RefreshAppTokenOptions): Promise<string> {
  const { raw } = await validateAppToken(options);
  const iat = seconds(options.now);
  const { iat: _iat, exp: _exp, ...kept } = raw;
  return sign(options.secretKey, { ...kept, iat, exp: iat + checkTtl(options.ttl ?? DEFAULT_TTL) });
}

function invalid(reason: string, cause?: unknown): ArtifactGatewayError {
  return new ArtifactGatewayError(`Invalid app token: ${reason}`, { code: 'invalid_token', cause });
}

function joseReason(joseErrors: Jose['errors'], error: unknown): string {
  if (error instanceof joseErrors.JOSEAlgNotAllowed) return 'only HS256 tokens are accepted';
  if (error instanceof joseErrors.JOSENotSupported)
    return 'critical header parameters (crit) are not supported';
  if (error instanceof joseErrors.JWTClaimValidationFailed && error.claim === 'typ')
    return 'the token type (typ) must be JWT';
  if (error instanceof joseErrors.JWTClaimValidationFailed && error.claim === 'nbf')
    return 'token is not yet valid (nbf)';
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) return 'signature verification failed';
  if (error instanceof joseErrors.JWTClaimValidationFailed) return error.message;
  if (error instanceof joseErrors.JWSInvalid || error instanceof joseErrors.JWTInvalid)
    return 'malformed token';
  return 'the token could not be verified';
}
