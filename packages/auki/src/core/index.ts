/**
 * `@x/auki/core`: the sans-I/O Auki authentication core. No network, no timers, no clock: it returns the
 * HTTP requests to make and turns their answers into events. Bring any HTTP client.
 *
 * @module
 */
export {
  AukiError,
  AukiInputError,
  AukiProtocolError,
  AukiStateError,
} from '../errors.ts';
export type { AukiToken, DomainAccess, DomainServer, NetworkToken } from '../models.ts';
export { isExpired, isNearExpiry, type JwtExpiry, readJwtExpiry } from './jwt.ts';
export {
  AukiCore,
  type AukiCoreOptions,
  type AukiCoreRestoreOptions,
  type AukiResponseOptions,
  type AukiSaveStateOptions,
  checkDomainId,
  DEFAULT_REFRESH_THRESHOLD_MS,
} from './machine.ts';
export { parseSavedState, type SavedAukiState, STATE_FORMAT, STATE_VERSION } from './state.ts';
export type {
  AppKeyCredentials,
  AukiAction,
  AukiAuthState,
  AukiConfig,
  AukiCredentials,
  AukiEvent,
  AukiOperation,
  AuthenticationRequiredEvent,
  DiscoveryAuthFailedEvent,
  DiscoveryAuthSuccessEvent,
  DomainAccessDeniedEvent,
  DomainAccessGrantedEvent,
  EmailCredentials,
  HttpRequestAction,
  NetworkAuthFailedEvent,
  NetworkAuthSuccessEvent,
  NetworkTokenRefreshedEvent,
  NetworkTokenRefreshFailedEvent,
  OpaqueCredentials,
  PendingRequest,
  TokensInvalidatedEvent,
} from './types.ts';
