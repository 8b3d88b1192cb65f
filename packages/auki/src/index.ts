/**
 * @x/auki: Auki network authentication. `AukiClient` does the whole chain (network login or refresh,
 * discovery, domain access) over @x/http-core; the sans-I/O `AukiCore` is re-exported for custom transports
 * (and available alone as `@x/auki/core`).
 *
 * @module
 */

export {
  type AukiCallOptions,
  AukiClient,
  type AukiClientOptions,
  type AukiRestoreOptions,
  type AukiSaveOptions,
} from './client.ts';
export * from './core/index.ts';
export {
  AukiCredentialsRequiredError,
  AukiDiscoveryError,
  AukiDomainAccessDeniedError,
  type AukiDomainAccessDeniedOptions,
  AukiLoginError,
  AukiReauthenticationRequiredError,
  AukiRefreshUnavailableError,
} from './errors.ts';
export { VERSION } from './version.ts';
