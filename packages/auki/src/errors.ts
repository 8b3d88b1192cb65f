/**
 * The Auki error family on top of the @x/http-core classes. Transport failures stay the http-core
 * classes (`NetworkError`, `TimeoutError`, `AbortError`), except during a refresh, where a network failure
 * or request timeout becomes {@link AukiRefreshUnavailableError} with it as `cause`; what the Auki services
 * answer, and what callers pass in, becomes one of these.
 *
 * @module
 */
import { XError, type XErrorOptions } from '@x/http-core';

/**
 * The base of every Auki error. `code` is one of `auki_input_invalid`, `auki_state_invalid`,
 * `auki_protocol`, `auki_login_failed`, `auki_reauthentication_required`, `auki_refresh_unavailable`,
 * `auki_credentials_required`, `auki_discovery_failed`, `auki_domain_access_denied`.
 *
 * @example
 * ```ts
 * try {
 *   await client.getDomainAccess(domainId);
 * } catch (error) {
 *   if (AukiError.isInstance(error)) console.error(error.code, error.message);
 * }
 * ```
 */
export class AukiError extends XError {
  /** The brand `isInstance` looks for. */
  static override readonly brand: symbol = Symbol.for('@x/auki.AukiError');
  /** The code when none is given. */
  static override readonly defaultCode: string = 'auki_error';
}

/** Bad input from the caller (a domain id that is not a plain path segment, empty credentials, a bad URL). */
export class AukiInputError extends AukiError {
  /** The brand `isInstance` looks for. */
  static override readonly brand: symbol = Symbol.for('@x/auki.AukiInputError');
  /** The code when none is given. */
  static override readonly defaultCode: string = 'auki_input_invalid';
}

/** Saved state that cannot be restored: not JSON, an unknown version, a missing field, a wrong key. */
export class AukiStateError extends AukiError {
  /** The brand `isInstance` looks for. */
  static override readonly brand: symbol = Symbol.for('@x/auki.AukiStateError');
  /** The code when none is given. */
  static override readonly defaultCode: string = 'auki_state_invalid';
}

/** A response fed to the core out of order (not for the oldest pending request). The core is unchanged. */
export class AukiProtocolError extends AukiError {
  /** The brand `isInstance` looks for. */
  static override readonly brand: symbol = Symbol.for('@x/auki.AukiProtocolError');
  /** The code when none is given. */
  static override readonly defaultCode: string = 'auki_protocol';
}

/** The login was refused or its answer was unusable; `retryable` is true for 5xx. */
export class AukiLoginError extends AukiError {
  /** The brand `isInstance` looks for. */
  static override readonly brand: symbol = Symbol.for('@x/auki.AukiLoginError');
  /** The code when none is given. */
  static override readonly defaultCode: string = 'auki_login_failed';
}

/**
 * The refresh token was refused (HTTP 4xx other than 408, 425 and 429; `status` says which): every token was
 * dropped and the session has ended. Sign in again with `authenticateWith(credentials)`. Not retryable.
 */
export class AukiReauthenticationRequiredError extends AukiError {
  /** The brand `isInstance` looks for. */
  static override readonly brand: symbol = Symbol.for('@x/auki.AukiReauthenticationRequiredError');
  /** The code when none is given. */
  static override readonly defaultCode: string = 'auki_reauthentication_required';
}

/**
 * The refresh could not be made: the auth API answered 5xx, 408, 425 or 429 (`status`), gave a 200 that could
 * not be read, or could not be reached (a network failure or request timeout, kept as `cause`). An outage,
 * not a refusal: every token is kept (and so is saved state), and the next call tries the refresh again.
 * Always `retryable`.
 *
 * @example
 * ```ts
 * try {
 *   await client.getDomainAccess(domainId);
 * } catch (error) {
 *   if (AukiRefreshUnavailableError.isInstance(error)) scheduleRetry(); // still signed in
 *   else if (AukiReauthenticationRequiredError.isInstance(error)) showSignIn(); // session ended
 *   else throw error;
 * }
 * ```
 */
export class AukiRefreshUnavailableError extends AukiError {
  /** The brand `isInstance` looks for. */
  static override readonly brand: symbol = Symbol.for('@x/auki.AukiRefreshUnavailableError');
  /** The code when none is given. */
  static override readonly defaultCode: string = 'auki_refresh_unavailable';
  /** Retryable unless the constructor says otherwise. */
  static override readonly defaultRetryable: boolean = true;
}

/** No valid network token and no credentials to get one: call `setCredentials` or `authenticateWith`. */
export class AukiCredentialsRequiredError extends AukiError {
  /** The brand `isInstance` looks for. */
  static override readonly brand: symbol = Symbol.for('@x/auki.AukiCredentialsRequiredError');
  /** The code when none is given. */
  static override readonly defaultCode: string = 'auki_credentials_required';
}

/** The auth API refused the discovery (domains access) token or its answer was unusable. */
export class AukiDiscoveryError extends AukiError {
  /** The brand `isInstance` looks for. */
  static override readonly brand: symbol = Symbol.for('@x/auki.AukiDiscoveryError');
  /** The code when none is given. */
  static override readonly defaultCode: string = 'auki_discovery_failed';
}

/** Options of {@link AukiDomainAccessDeniedError}. */
export interface AukiDomainAccessDeniedOptions extends XErrorOptions {
  /** The domain that was asked for. */
  domainId: string;
}

/** The discovery service refused access to a domain (401/403/404/…, or 402 payment required). */
export class AukiDomainAccessDeniedError extends AukiError {
  /** The brand `isInstance` looks for. */
  static override readonly brand: symbol = Symbol.for('@x/auki.AukiDomainAccessDeniedError');
  /** The code when none is given. */
  static override readonly defaultCode: string = 'auki_domain_access_denied';
  /** The domain that was asked for. */
  readonly domainId: string;
  /** Creates the error. */
  constructor(message: string, options: AukiDomainAccessDeniedOptions) {
    super(message, options);
    this.domainId = options.domainId;
  }
  /** True for HTTP 402: the domain needs payment (or credits) before access is granted. */
  get isPaymentRequired(): boolean {
    return this.status === 402;
  }
}
