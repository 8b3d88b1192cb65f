/**
 * The browser-safe pieces of the authorization code + PKCE flow: the CSRF state, the authorization URL and
 * the checks on the redirect that comes back.
 *
 * @module
 */
import { constantTimeEqual, randomBytes, utf8Encode } from '@x/crypto';
import { AirlockAuthError } from './errors.ts';

/** The scope every Airlock login asks for. */
export const DEFAULT_OIDC_SCOPE = 'openid profile email';

/** A fresh `state`: 16 random bytes as 32 lowercase hex characters, as the upstream SDKs send it. */
export async function generateOAuthState(): Promise<string> {
  let hex = '';
  for (const byte of randomBytes(16)) hex += byte.toString(16).padStart(2, '0');
  return hex;
}

/** What {@link buildAuthorizationUrl} needs. */
export interface AuthorizationUrlParams {
  /** The provider's `authorization_endpoint`. */
  authorizationEndpoint: string;
  /** The OIDC client id. */
  clientId: string;
  /** Where the provider sends the browser back. */
  redirectUri: string;
  /** The scope (default `openid profile email`). */
  scope?: string;
  /** The CSRF state. */
  state: string;
  /** The S256 code challenge. */
  codeChallenge: string;
}

/**
 * The authorization URL with the parameters in the upstream SDKs' order (`response_type`, `client_id`,
 * `redirect_uri`, `scope`, `state`, `code_challenge`, `code_challenge_method`), spaces as `%20`.
 * A query already on the endpoint is kept.
 *
 * @example
 * ```ts
 * buildAuthorizationUrl({ authorizationEndpoint, clientId, redirectUri, state, codeChallenge });
 * // 'https://idp/auth?response_type=code&client_id=…&scope=openid%20profile%20email&…&code_challenge_method=S256'
 * ```
 */
export function buildAuthorizationUrl(params: AuthorizationUrlParams): string {
  const pairs: Array<[string, string]> = [
    ['response_type', 'code'],
    ['client_id', params.clientId],
    ['redirect_uri', params.redirectUri],
    ['scope', params.scope ?? DEFAULT_OIDC_SCOPE],
    ['state', params.state],
    ['code_challenge', params.codeChallenge],
    ['code_challenge_method', 'S256'],
  ];
  // URLSearchParams would write spaces as '+'; the upstream SDKs and Keycloak's docs use %20.
  const query = pairs.map(([k, val]) => `${k}=${encodeURIComponent(val)}`).join('&');
  const endpoint = params.authorizationEndpoint;
  const joiner = endpoint.includes('?') ? (endpoint.endsWith('?') || endpoint.endsWith('&') ? '' : '&') : '?';
  return `${endpoint}${joiner}${query}`;
}

/** The query of a redirect URL of any scheme (`http:`, a mobile deep link), or the string as a query. */
function queryOf(callback: string): URLSearchParams {
  const q = callback.indexOf('?');
  let query = q >= 0 ? callback.slice(q + 1) : callback;
  const hash = query.indexOf('#');
  if (hash >= 0) query = query.slice(0, hash);
  return new URLSearchParams(query);
}

/**
 * Checks the redirect the provider sent the browser to and returns the authorization code.
 * `callback` is the full redirect URL, its query string, or its parameters.
 *
 * @throws {AirlockAuthError} the provider's `error` (e.g. `access_denied`) when it refused;
 *   `state_mismatch` when `state` is missing or differs from `expectedState` (CSRF);
 *   `invalid_callback` when there is no `code`.
 */
export async function parseAuthorizationResponse(
  callback: string | URL | URLSearchParams,
  expectedState: string,
): Promise<string> {
  const params =
    callback instanceof URLSearchParams
      ? callback
      : callback instanceof URL
        ? callback.searchParams
        : queryOf(callback);
  const error = params.get('error');
  if (error) {
    const description = params.get('error_description') ?? undefined;
    throw new AirlockAuthError(
      `Authorization denied: ${error}${description ? ` — ${description}` : ''}`,
      description === undefined ? { code: error } : { code: error, errorDescription: description },
    );
  }
  const state = params.get('state');
  if (state === null || !constantTimeEqual(utf8Encode(state), utf8Encode(expectedState))) {
    throw new AirlockAuthError(
      'The redirect does not carry the state this login sent; it was not started here (possible CSRF). Start the login again.',
      { code: 'state_mismatch' },
    );
  }
  const code = params.get('code');
  if (!code) {
    throw new AirlockAuthError('The redirect carries no authorization code.', { code: 'invalid_callback' });
  }
  return code;
}
