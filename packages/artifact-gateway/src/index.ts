/**
 * @x/artifact-gateway: the parts that run anywhere (Node, browsers, edge runtimes): app tokens, scopes,
 * the credential vault, the SSRF address checks, the internal proxy, Mongo validation, the state store and
 * the request models. The server (`createArtifactGateway`, DuckDB, files, the external proxy) is in
 * `@x/artifact-gateway/node`; the browser client in `./client`; the host page helper in `./host`.
 *
 * @module
 */

export { blockedAddressReason, parseIPv4, parseIPv6, parseIpLiteral } from './addresses.ts';
export {
  ArtifactGatewayError,
  type ArtifactGatewayErrorCode,
  type ArtifactGatewayErrorOptions,
  VersionConflictError,
} from './errors.ts';
export {
  type AllowlistEntry,
  DEFAULT_ALLOWLIST,
  type InternalCallOptions,
  InternalProxy,
  type InternalProxyOptions,
  normaliseInternalPath,
} from './internal-proxy.ts';
export {
  checkFilter,
  checkLimit,
  checkUpdate,
  collectionName,
  type DocumentLimits,
  QUERY_OPERATORS,
  SERVER_JS_OPERATORS,
  UPDATE_OPERATORS,
} from './mongo-filters.ts';
export { checkId, checkName, hasControlCharacter } from './names.ts';
export { DROPPED_REQUEST_HEADERS, PROXY_METHODS, type ProxyMethod } from './proxy-common.ts';
export type * from './results.ts';
export { type Role, SCOPES, type StorageScope, scopeFromRole, storageScopes } from './scopes.ts';
export {
  type StateBackend,
  type StateDocument,
  type StateEvent,
  StateStore,
  type StateStoreOptions,
  tenantKey,
} from './state.ts';
export {
  type AppTokenClaims,
  DEFAULT_TTL,
  type IssueAppTokenOptions,
  issueAppToken,
  type RefreshAppTokenOptions,
  refreshAppToken,
  SEALED_USER_JWT_CLAIM,
  type SecretKey,
  type ValidateAppTokenOptions,
  validateAppToken,
} from './tokens.ts';
export {
  type AppliedCredential,
  type ApplyCredentialOptions,
  applyCredential,
  type CredentialPlacement,
  CredentialVault,
  PLACEMENT_BEARER,
  PLACEMENT_HEADER,
  PLACEMENT_QUERY,
} from './vault.ts';
