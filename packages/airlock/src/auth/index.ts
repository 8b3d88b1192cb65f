/**
 * The auth client surface (browser-safe): OIDC sign-in for the Airlock gateway.
 *
 * @module
 */
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
export { MemoryTokenStore, type TokenStore } from './token-store.ts';
