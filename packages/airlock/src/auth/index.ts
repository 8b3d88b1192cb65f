/**
 * `@x/airlock/auth`: the OIDC auth client for the Airlock gateway (browser-safe). Pass an
 * {@link AirlockAuthClient} as the gateway client's `tokenProvider`; the Node-only loopback login and file
 * token store are in `@x/airlock/node`.
 *
 * @module
 */

export type { AccessTokenProvider } from '../token-provider.ts';
export {
  type AuthorizationUrlParams,
  buildAuthorizationUrl,
  DEFAULT_OIDC_SCOPE,
  generateOAuthState,
  parseAuthorizationResponse,
} from './authorization.ts';
export {
  AirlockAuthClient,
  type AirlockAuthClientOptions,
  type AuthCallOptions,
  type AuthorizationRequest,
  type AuthorizationUrlOptions,
  DEFAULT_OIDC_CLIENT_ID,
  type DeviceLoginOptions,
} from './client.ts';
export { AirlockAuthError, type AirlockAuthErrorCode, type AirlockAuthErrorOptions } from './errors.ts';
export {
  type DeviceCodeInfo,
  type OidcDiscovery,
  type TokenResponse,
  type TokenState,
  TokenStateSchema,
} from './models.ts';
export { type LockedTokenStore, MemoryTokenStore, type TokenStore } from './token-store.ts';
