/**
 * The typed errors of the OIDC auth client.
 *
 * @module
 */
import { XError, type XErrorOptions } from '@x/http-core';

/**
 * The stable codes of {@link AirlockAuthError}. OAuth errors keep the identity provider's own `error`
 * string as their code (RFC 6749 §5.2, RFC 8628 §3.5), so an unlisted provider code still arrives as is.
 *
 * | code | when |
 * |---|---|
 * | `authorization_pending` | device login: the user has not finished yet (handled inside `login`) |
 * | `slow_down` | device login: polled too fast (handled inside `login`) |
 * | `access_denied` | the user refused the device login or the authorization request |
 * | `expired_token` | the device code expired before the user finished |
 * | `invalid_grant` | the code, verifier or refresh token was rejected (used, revoked, expired, wrong) |
 * | `invalid_client`, `invalid_request`, `invalid_scope`, `unauthorized_client`, `unsupported_grant_type` | the provider refused the client or the request |
 * | `state_mismatch` | the redirect's `state` is missing or is not the one this login sent (CSRF) |
 * | `invalid_callback` | the redirect carries neither a `code` nor an `error` |
 * | `login_timeout` | the loopback login waited longer than its limit (5 minutes by default) |
 * | `not_logged_in` | a token was asked for before any login or after logout |
 * | `no_refresh_token` | a refresh was asked for but the session holds no refresh token |
 * | `session_expired` | the access token expired and there is no refresh token to renew it |
 * | `invalid_discovery` | the discovery document lacks `token_endpoint` or is not usable |
 * | `endpoint_missing` | the flow needs an endpoint the provider does not advertise |
 * | `invalid_token_state` | `restoreTokens` was given something that is not a session |
 * | `invalid_argument` | a bad realm URL, redirect URI, code or verifier, refused before any request |
 * | `refresh_unavailable` | a refresh could not be made (5xx, 429, network, timeout, unparseable answer, the token store's lock not had in time): retryable, the session is kept |
 * | `token_store_locked` | `FileTokenStore`: another process held the file's lock past `lockTimeoutMs` (or the lock could not be made); retryable. In a refresh it arrives as the `cause` of `refresh_unavailable` |
 * | `oauth_error` | the default when no code is given |
 */
export type AirlockAuthErrorCode =
  | 'authorization_pending'
  | 'slow_down'
  | 'access_denied'
  | 'expired_token'
  | 'invalid_grant'
  | 'invalid_client'
  | 'invalid_request'
  | 'invalid_scope'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'state_mismatch'
  | 'invalid_callback'
  | 'login_timeout'
  | 'not_logged_in'
  | 'no_refresh_token'
  | 'session_expired'
  | 'invalid_discovery'
  | 'endpoint_missing'
  | 'invalid_token_state'
  | 'invalid_argument'
  | 'oauth_error'
  | 'refresh_unavailable'
  | 'token_store_locked'
  | (string & {});

/** What {@link AirlockAuthError} accepts besides the message. */
export interface AirlockAuthErrorOptions extends Omit<XErrorOptions, 'code'> {
  /** The stable code; see {@link AirlockAuthErrorCode}. */
  code: AirlockAuthErrorCode;
  /** The provider's `error_description`, when it sent one. */
  errorDescription?: string;
}

/**
 * An error of the auth client: a refused login, a rejected token request, a CSRF check that failed.
 * Branch on `code` (or `AirlockAuthError.isInstance(err)`), never on the message.
 *
 * Transport failures keep their @x/http-core classes (`NetworkError`, `TimeoutError`, `AbortError`, ...),
 * except in a token refresh: there every failure that is not a refusal becomes `refresh_unavailable`
 * (retryable, the original error as `cause`), so one code tells "try again later, still signed in".
 *
 * @example
 * ```ts
 * try {
 *   await auth.login(showCode);
 * } catch (err) {
 *   if (AirlockAuthError.isInstance(err) && err.code === 'access_denied') console.log('Sign-in refused.');
 * }
 * ```
 */
export class AirlockAuthError extends XError {
  static override readonly brand: symbol = Symbol.for('@x/airlock.AirlockAuthError');
  static override readonly defaultCode: string = 'oauth_error';

  /** The stable code; see {@link AirlockAuthErrorCode}. */
  declare readonly code: AirlockAuthErrorCode;
  /** The provider's `error_description`, when it sent one. */
  readonly errorDescription?: string;

  /** Creates the error; see {@link AirlockAuthErrorOptions}. */
  constructor(message: string, options: AirlockAuthErrorOptions) {
    const { errorDescription, ...rest } = options;
    super(message, rest);
    if (errorDescription !== undefined) this.errorDescription = errorDescription;
  }
}
