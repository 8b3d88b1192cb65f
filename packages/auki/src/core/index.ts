/**
 * `@x/auki/core`: the sans-I/O Auki authentication core. No network, no timers, no clock: it returns the
 * HTTP requests to make and turns their answers into events. Bring any HTTP client.
 *
 * @module
 */

// The http-core error family the Auki errors build on (transport failures keep these classes), so callers
// check and type every error from one import.
export {
  AbortError,
  AuthenticationError,
  BadRequestError,
  ConflictError,
  InvalidRequestError,
  NetworkError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
  ResponseValidationError,
  ServerError,
  ServiceUnavailableError,
  TimeoutError,
  UnprocessableEntityError,
  XError,
  type XErrorCode,
  type XErrorOptions,
} from '@x/http-core';
export {
  AukiError,
  AukiInputError,
  AukiProtocolError,
  AukiStateError,
} from '../errors.ts';
export type { AukiToken, DomainAccess, DomainServer, NetworkToken } from '../models.ts';
export {
  isExpired,
  isNearExpiry,
  type JwtExpiry,
  type JwtExpiryFound,
  type JwtExpiryMissing,
  readJwtExpiry,
} from './jwt.ts';
export {
  AukiCore,
  type AukiCoreOptions,
  type AukiCoreRestoreOptions,
  type AukiResponseOptions,
  type AukiSaveStateOptions,
  checkDomainId,
  DEFAULT_REFRESH_THRESHOLD_MS,
} from './machine.ts';
export {
  parseSavedState,
  parseUpstreamState,
  type SavedAukiState,
  STATE_FORMAT,
  STATE_VERSION,
  type UpstreamAukiState,
} from './state.ts';
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
  NetworkTokenRefreshRefusedEvent,
  NetworkTokenRefreshUnavailableEvent,
  OpaqueCredentials,
  PendingRequest,
  TokensInvalidatedEvent,
} from './types.ts';
