/**
 * The vocabulary of the sans-I/O core: configuration, credentials, the actions it asks for and the events it
 * reports, as discriminated unions on `type`.
 *
 * @module
 */
import type { AukiToken, DomainAccess } from '../models.ts';

/** Where the Auki services are and how eagerly to refresh. */
export interface AukiConfig {
  /** The auth API base, e.g. `https://api.aukiverse.com` (a trailing slash is dropped). */
  apiUrl: string;
  /** The full refresh URL (default `{apiUrl}/user/refresh`). */
  refreshUrl?: string;
  /** The discovery service (DDS) base, e.g. `https://dds.posemesh.org`. */
  ddsUrl: string;
  /** Sent to the discovery service as `posemesh-client-id`. */
  clientId: string;
  /** Refresh the network token when it expires within this many ms (default 300 000 = 5 min). */
  refreshThresholdMs?: number;
}

/** Email and password: logged in through `POST {apiUrl}/user/login`. */
export interface EmailCredentials {
  /** Discriminant. */
  type: 'email';
  /** The account's email. */
  email: string;
  /** The account's password (never stored, never logged). */
  password: string;
}

/** An app key and secret: sent as `Basic base64(key:secret)`, no login request. */
export interface AppKeyCredentials {
  /** Discriminant. */
  type: 'appKey';
  /** The app key. */
  appKey: string;
  /** The app secret (never stored, never logged). */
  appSecret: string;
}

/** A token obtained elsewhere (enterprise SSO, OAuth/OIDC), used as the network token. */
export interface OpaqueCredentials {
  /** Discriminant. */
  type: 'opaque';
  /** The token, sent as `Bearer <token>` unless it already starts with `Bearer `/`Basic `. */
  token: string;
  /** A refresh token, if any (then the core refreshes through `refreshUrl`). */
  refreshToken?: string;
  /** When `token` expires, epoch ms. */
  expiryMs: number;
  /** Accepted for parity with the other SDKs; the core does not use it. */
  refreshTokenExpiryMs?: number;
  /** With it, refreshes are OIDC form posts (`grant_type=refresh_token`) instead of a Bearer POST. */
  oidcClientId?: string;
}

/** Any of the three credential kinds. */
export type AukiCredentials = EmailCredentials | AppKeyCredentials | OpaqueCredentials;

/** Which request an action is: the tier it serves. */
export type AukiOperation = 'login' | 'refresh' | 'discovery' | 'domain_access';

/**
 * An HTTP request the core wants performed. Perform it, then feed its status and body text to
 * `handleResponse` — in the order the actions were issued (responses are matched first-in-first-out).
 */
export interface HttpRequestAction {
  /** Discriminant. */
  type: 'HttpRequest';
  /**
   * A number unique within this core. Passing it back to `handleResponse` makes the core check the order
   * (an out-of-order response is refused instead of being matched to the wrong request).
   */
  requestId: number;
  /** What the request is for. */
  operation: AukiOperation;
  /** The domain, for `domain_access`. */
  domainId?: string;
  /** Always `POST`. */
  method: 'POST';
  /** The full URL. */
  url: string;
  /** Headers to send, names as the services expect them. The transport adds its own `User-Agent`. */
  headers: Record<string, string>;
  /** The body text, or `null` for none. */
  body: string | null;
}

/** Everything the core may ask for. (Upstream declares a `Wait` action but never emits it; neither do we.) */
export type AukiAction = HttpRequestAction;

/** The network token was obtained by logging in. */
export interface NetworkAuthSuccessEvent extends AukiToken {
  /** Discriminant. */
  type: 'NetworkAuthSuccess';
}

/** The login failed; `retryPossible` is true for 5xx answers. */
export interface NetworkAuthFailedEvent {
  /** Discriminant. */
  type: 'NetworkAuthFailed';
  /** `HTTP <status>: <body>`, `Invalid response: …` or `Failed to decode token: …`. */
  reason: string;
  /** The HTTP status, when the failure was a non-200 answer. */
  status?: number;
  /** Whether trying again may succeed. */
  retryPossible: boolean;
}

/** The network token was refreshed. */
export interface NetworkTokenRefreshedEvent extends AukiToken {
  /** Discriminant. */
  type: 'NetworkTokenRefreshed';
}

/**
 * The refresh token was refused (HTTP 4xx other than 408, 425 and 429): every token and every pending request
 * was dropped, and an {@link AuthenticationRequiredEvent} follows. Sign in again.
 */
export interface NetworkTokenRefreshRefusedEvent {
  /** Discriminant. */
  type: 'NetworkTokenRefreshFailed';
  /** `HTTP <status>: <body>`. */
  reason: string;
  /** The HTTP status of the refusal. */
  status: number;
  /** True: the session has ended; sign in again. */
  requiresReauth: true;
  /** False: the same refresh token will not be accepted. */
  retryPossible: false;
}

/**
 * The refresh could not be made (5xx, 408, 425, 429, any other status that is not a refusal, or a 200 whose
 * body or JWT cannot be read): an outage, not a refusal. Every token (network, refresh, discovery, domain
 * accesses) and every other pending request is kept; the next `authenticate()` tries the refresh again.
 */
export interface NetworkTokenRefreshUnavailableEvent {
  /** Discriminant. */
  type: 'NetworkTokenRefreshFailed';
  /** `HTTP <status>: <body>`, `Invalid response: …` or `Failed to decode token: …`. */
  reason: string;
  /** The HTTP status, when the failure was a non-200 answer. */
  status?: number;
  /** False: the session is kept. */
  requiresReauth: false;
  /** True: trying again later may succeed. */
  retryPossible: true;
}

/**
 * The refresh failed: refused ({@link NetworkTokenRefreshRefusedEvent}, `requiresReauth: true`, session ended)
 * or unavailable ({@link NetworkTokenRefreshUnavailableEvent}, `retryPossible: true`, session kept). Branch on
 * `requiresReauth`.
 *
 * @example
 * ```ts
 * for (const event of core.handleResponse(status, body, Date.now())) {
 *   if (event.type !== 'NetworkTokenRefreshFailed') continue;
 *   if (event.requiresReauth) showSignIn(); // refused: every token was dropped
 *   else retryLater(); // an outage: every token was kept
 * }
 * ```
 */
export type NetworkTokenRefreshFailedEvent =
  | NetworkTokenRefreshRefusedEvent
  | NetworkTokenRefreshUnavailableEvent;

/** The discovery token was obtained. */
export interface DiscoveryAuthSuccessEvent extends AukiToken {
  /** Discriminant. */
  type: 'DiscoveryAuthSuccess';
}

/** The discovery token was refused or unusable; existing tokens are kept. */
export interface DiscoveryAuthFailedEvent {
  /** Discriminant. */
  type: 'DiscoveryAuthFailed';
  /** Why. */
  reason: string;
  /** The HTTP status, when the failure was a non-200 answer. */
  status?: number;
}

/** Access to a domain was granted and cached under the requested id. */
export interface DomainAccessGrantedEvent {
  /** Discriminant. */
  type: 'DomainAccessGranted';
  /** The id that was requested (the cache key). */
  domainId: string;
  /** The access. */
  domain: DomainAccess;
}

/** Access to a domain was refused or the answer was unusable; the cache is unchanged. */
export interface DomainAccessDeniedEvent {
  /** Discriminant. */
  type: 'DomainAccessDenied';
  /** The id that was requested. */
  domainId: string;
  /** Why. */
  reason: string;
  /** The HTTP status, when the failure was a non-200 answer (402: payment required). */
  status?: number;
}

/** The user must sign in again (credentials are needed). */
export interface AuthenticationRequiredEvent {
  /** Discriminant. */
  type: 'AuthenticationRequired';
}

/** Every token was dropped. */
export interface TokensInvalidatedEvent {
  /** Discriminant. */
  type: 'TokensInvalidated';
}

/** Everything the core reports back. */
export type AukiEvent =
  | NetworkAuthSuccessEvent
  | NetworkAuthFailedEvent
  | NetworkTokenRefreshedEvent
  | NetworkTokenRefreshFailedEvent
  | DiscoveryAuthSuccessEvent
  | DiscoveryAuthFailedEvent
  | DomainAccessGrantedEvent
  | DomainAccessDeniedEvent
  | AuthenticationRequiredEvent
  | TokensInvalidatedEvent;

/** The network tier's state. */
export type AukiAuthState = 'Authenticated' | 'NeedsRefresh' | 'NeedsAuthentication' | 'NeedsCredentials';

/** A request the core is waiting for an answer to. */
export interface PendingRequest {
  /** The `requestId` of its action. */
  requestId: number;
  /** What it is for. */
  operation: AukiOperation;
  /** The domain, for `domain_access`. */
  domainId?: string;
}
