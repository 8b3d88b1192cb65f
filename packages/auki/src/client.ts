/**
 * The high-level Auki client: it performs the core's actions through @x/http-core, with a multi-domain
 * cache, refresh before expiry and single-flight per tier and per domain.
 *
 * @module
 */
import { aesGcmOpen, aesGcmSeal, base64UrlDecode, base64UrlEncode, utf8Decode, utf8Encode } from '@x/crypto';
import {
  AbortError,
  createHttpClient,
  type FetchLike,
  type HttpClient,
  type Logger,
  ResponseValidationError,
  TimeoutError,
  XError,
} from '@x/http-core';
import { AukiCore, checkDomainId } from './core/machine.ts';
import { parseSavedState } from './core/state.ts';
import type {
  AukiAuthState,
  AukiConfig,
  AukiCredentials,
  AukiEvent,
  HttpRequestAction,
} from './core/types.ts';
import {
  AukiCredentialsRequiredError,
  AukiDiscoveryError,
  AukiDomainAccessDeniedError,
  AukiError,
  AukiInputError,
  AukiLoginError,
  AukiReauthenticationRequiredError,
  AukiRefreshUnavailableError,
  AukiStateError,
} from './errors.ts';
import type { AukiToken, DomainAccess, NetworkToken } from './models.ts';
import { VERSION } from './version.ts';

/** Options of {@link AukiClient}: the service config plus transport and clock. */
export interface AukiClientOptions extends AukiConfig {
  /** Credentials to start with (or later: `setCredentials`, `authenticateWith`). */
  credentials?: AukiCredentials;
  /** The clock, epoch ms (default `Date.now`). Tests pass the fake's clock. */
  now?: () => number;
  /** The fetch to use (default `globalThis.fetch`). */
  fetch?: FetchLike;
  /** Per-request timeout in ms (default 30 000). */
  timeout?: number | false;
  /** Where http-core logs requests (secrets redacted). */
  logger?: Logger;
  /** Called with every event the core reports (tokens refreshed, access granted or denied, …). */
  onEvent?: (event: AukiEvent) => void;
}

/** Options of {@link AukiClient.fromState}. */
export interface AukiRestoreOptions extends AukiClientOptions {
  /** The 32-byte key the state was saved with, to unseal its refresh token. */
  secretKey?: Uint8Array;
}

/** Options of {@link AukiClient.saveState}. */
export interface AukiSaveOptions {
  /**
   * A 32-byte key: with it the refresh token is saved sealed (AES-256-GCM), so a restored client can keep
   * refreshing. Without it no refresh token is saved.
   */
  secretKey?: Uint8Array;
}

/** The options bag of every call. */
export interface AukiCallOptions {
  /** Stops waiting; rejects with http-core's `AbortError`. A shared request is aborted once no caller waits. */
  signal?: AbortSignal;
  /**
   * The overall deadline of the call, ms, over every step it takes (login or refresh, discovery, domain).
   * When it elapses the call rejects with http-core's `TimeoutError`, and the request in flight is aborted
   * as for `signal` (at once when no other caller shares it).
   */
  timeoutMs?: number;
}

interface Flight {
  promise: Promise<unknown>;
  controller: AbortController;
  waiters: number;
}

const MAX_STEPS = 10;
const SEAL_AAD = utf8Encode('x-auki-state/1 refresh_token');

const abortError = (signal: AbortSignal) =>
  new AbortError('The Auki call was aborted by the caller.', { cause: signal.reason });

/**
 * The Auki client: network login and refresh, discovery, and access to any number of domains, each cached
 * until it expires. Concurrent calls share one request per tier and per domain.
 *
 * @example
 * ```ts
 * const client = new AukiClient({
 *   apiUrl: 'https://api.aukiverse.com',
 *   ddsUrl: 'https://dds.posemesh.org',
 *   clientId: 'my-app',
 *   credentials: { type: 'email', email, password },
 * });
 * const access = await client.getDomainAccess(domainId, { signal });
 * console.log(access.domainServer.url, access.accessToken);
 * ```
 */
export class AukiClient {
  #core: AukiCore;
  readonly #http: HttpClient;
  readonly #now: () => number;
  readonly #onEvent: ((event: AukiEvent) => void) | undefined;
  readonly #flights = new Map<string, Flight>();
  /** Answers are fed to the core in the order their requests were issued (the core matches FIFO). */
  #tail: Promise<unknown> = Promise.resolve();

  /** Creates a client. Throws {@link AukiInputError} for a bad config or credentials. */
  constructor(options: AukiClientOptions) {
    this.#core = new AukiCore(
      options,
      options.credentials === undefined ? {} : { credentials: options.credentials },
    );
    this.#now = options.now ?? Date.now;
    this.#onEvent = options.onEvent;
    this.#http = createHttpClient({
      userAgent: `x-auki/${VERSION}`,
      retry: false,
      timeout: options.timeout ?? 30_000,
      ...(options.fetch ? { fetch: options.fetch } : {}),
      ...(options.logger ? { logger: options.logger } : {}),
    });
  }

  /**
   * Restores a client from `saveState()` text. Expired tokens are dropped at once. Throws
   * {@link AukiStateError} for bad state or a `secretKey` that does not open the sealed refresh token.
   */
  static async fromState(state: string, options: AukiRestoreOptions): Promise<AukiClient> {
    const saved = parseSavedState(state);
    const sealed = saved.networkAuth?.sealedRefreshToken;
    let refreshToken: string | undefined;
    if (sealed !== undefined && options.secretKey !== undefined)
      refreshToken = await unseal(sealed, options.secretKey);
    const client = new AukiClient(options);
    client.#core = AukiCore.fromState(saved, options, {
      ...(options.credentials === undefined ? {} : { credentials: options.credentials }),
      ...(refreshToken === undefined ? {} : { refreshToken }),
    });
    client.#emit(client.#core.validateState(client.#now()));
    return client;
  }

  /**
   * Restores a client from state the upstream Auki core saved (`save_state()` of the Rust core or its
   * bindings): the network and discovery tokens, the cached domains and the refresh token, so users moving
   * from the upstream SDKs need not sign in again. Expired tokens are dropped as by {@link validateState}. The
   * upstream app-key token is not taken over (pass app-key `credentials`). Save it again with
   * {@link saveState}, which writes this package's format: never a refresh token in clear.
   *
   * @example
   * ```ts
   * const client = await AukiClient.fromUpstreamState(readFileSync('auki-state.json', 'utf8'), config);
   * ```
   * @throws {AukiStateError} for text that is not the upstream state (our own format goes to `fromState`).
   */
  static async fromUpstreamState(state: string, options: AukiClientOptions): Promise<AukiClient> {
    const client = new AukiClient(options);
    client.#core = AukiCore.fromUpstreamState(
      state,
      options,
      options.credentials === undefined ? {} : { credentials: options.credentials },
    );
    client.validateState();
    return client;
  }

  /** True when credentials are held (email credentials are dropped once a login yields a refresh token). */
  hasCredentials(): boolean {
    return this.#core.hasCredentials();
  }

  /**
   * Drops what has expired, as after a restore: an expired network token without a refresh token
   * drops every token; an expired discovery token drops it and every domain; expired domains one by one.
   * Returns the events it caused (also given to `onEvent`).
   */
  validateState(): AukiEvent[] {
    return this.#emit(this.#core.validateState(this.#now()));
  }

  /** The network token held now (possibly expired; never its refresh token), without any request. */
  networkToken(): NetworkToken | undefined {
    return this.#core.networkToken();
  }

  /** The discovery token held now (possibly expired), without any request. */
  discoveryToken(): AukiToken | undefined {
    return this.#core.discoveryToken();
  }

  /** The network tier's state now. */
  authState(): AukiAuthState {
    return this.#core.checkAuthState(this.#now());
  }

  /** True when a network token is held and not expired. */
  isAuthenticated(): boolean {
    return this.#core.isAuthenticated(this.#now());
  }

  /** Sets (or replaces) the credentials; tokens are kept. */
  setCredentials(credentials: AukiCredentials): void {
    this.#core.setCredentials(credentials);
  }

  /**
   * A valid network token: the cached one, refreshed first when it is within `refreshThresholdMs` of
   * expiry, or a new login. A proactive refresh that meets an outage answers the still-valid token. Throws
   * {@link AukiReauthenticationRequiredError} when the refresh token is refused (the session has ended) and
   * {@link AukiRefreshUnavailableError} when an expired token could not be refreshed for an outage (every
   * token kept; the next call tries again).
   */
  async authenticate(options: AukiCallOptions = {}): Promise<NetworkToken> {
    await this.#withDeadline(options, (signal) => this.#ensureNetwork(signal));
    return this.#core.networkToken()!;
  }

  /** Drops every token and cached domain, then signs in with `credentials` (switch user). */
  authenticateWith(credentials: AukiCredentials, options: AukiCallOptions = {}): Promise<NetworkToken> {
    this.#core.setCredentials(credentials);
    this.forceReauth();
    return this.authenticate(options);
  }

  /** Another name for {@link AukiClient.authenticateWith}: sign in as someone else. */
  switchUser(credentials: AukiCredentials, options: AukiCallOptions = {}): Promise<NetworkToken> {
    return this.authenticateWith(credentials, options);
  }

  /** A valid discovery token (signing in or refreshing first as needed). */
  async authenticateDiscovery(options: AukiCallOptions = {}): Promise<AukiToken> {
    await this.#withDeadline(options, (signal) => this.#ensureDiscovery(signal));
    return this.#core.discoveryToken()!;
  }

  /**
   * Access to `domainId`: from the cache while it is valid (and the network token is fresh), else through
   * as many steps as needed (login or refresh, discovery, domain). 100 concurrent calls for one domain
   * make one request. Throws {@link AukiDomainAccessDeniedError} when refused (`isPaymentRequired` for
   * 402), and the other {@link AukiError}s when a tier before it fails.
   */
  getDomainAccess(domainId: string, options: AukiCallOptions = {}): Promise<DomainAccess> {
    const now = this.#now();
    const cached = this.#core.domainAccess(domainId, now);
    if (cached !== undefined && !options.signal?.aborted) {
      const state = this.#core.checkAuthState(now);
      if (state === 'Authenticated') return Promise.resolve(cached);
      if (state === 'NeedsRefresh') {
        // Still valid: answer now, refresh in the background; a failure surfaces on a later call.
        this.#ensureNetwork(undefined).catch(() => {});
        return Promise.resolve(cached);
      }
    }
    try {
      // Refused before a sign-in is started for it (the core checks again before building the URL).
      checkDomainId(domainId);
      return this.#withDeadline(options, (outer) =>
        this.#join(`domain:${domainId}`, (signal) => this.#domainFlow(domainId, signal), outer),
      );
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * Runs `run` with the caller's signal, linked to a real timer when `timeoutMs` is set. The deadline
   * aborts through the same signal path as a caller's abort (so a shared request is dropped only when no
   * one else waits for it), and its rejection is reported as a `TimeoutError`, not as the caller's abort.
   */
  async #withDeadline<T>(
    options: AukiCallOptions,
    run: (signal: AbortSignal | undefined) => Promise<T>,
  ): Promise<T> {
    const { timeoutMs } = options;
    if (timeoutMs === undefined) return run(options.signal);
    if (!(Number.isFinite(timeoutMs) && timeoutMs > 0))
      throw new AukiInputError(`timeoutMs must be a positive number of ms, not ${String(timeoutMs)}.`);
    const deadline = new AbortController();
    const timer = setTimeout(
      () => deadline.abort(new TimeoutError(`The Auki call did not complete within ${timeoutMs} ms.`)),
      timeoutMs,
    );
    const signal = options.signal ? AbortSignal.any([options.signal, deadline.signal]) : deadline.signal;
    try {
      return await run(signal);
    } catch (error) {
      if (deadline.signal.aborted && !options.signal?.aborted) throw deadline.signal.reason;
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  /** The cached, unexpired access to `domainId`, without any request. */
  getCachedDomainAccess(domainId: string): DomainAccess | undefined {
    return this.#core.domainAccess(domainId, this.#now());
  }

  /** Every cached domain access (possibly expired), by domain id. */
  cachedDomains(): Map<string, DomainAccess> {
    return this.#core.allDomains();
  }

  /** Drops the cached access to one domain, or to all of them when no id is given. */
  clearDomainAccess(domainId?: string): void {
    if (domainId === undefined) this.#core.clearAllDomainAccesses();
    else this.#core.clearDomainAccess(domainId);
  }

  /** Drops every token and cached domain (credentials are kept); the next call signs in again. */
  forceReauth(): void {
    this.#abortFlights('The Auki tokens were dropped (forceReauth or authenticateWith).');
    this.#emit(this.#core.forceReauth());
  }

  /**
   * Aborts every request in flight (their callers get `AbortError`); tokens and the cache are kept. The
   * client stays usable; call it when shutting down so no request outlives its owner.
   */
  close(): void {
    this.#abortFlights('The Auki client was closed.');
  }

  /** {@link close}, for `await using client = new AukiClient(…)`. */
  async [Symbol.asyncDispose](): Promise<void> {
    this.close();
  }

  #abortFlights(why: string): void {
    const flights = [...this.#flights.values()];
    this.#flights.clear();
    for (const flight of flights) flight.controller.abort(new AbortError(why));
  }

  /**
   * The state as versioned JSON text (tokens and cached domains; never credentials). The refresh token is
   * included only sealed with `secretKey`; restore with {@link AukiClient.fromState}.
   */
  async saveState(options: AukiSaveOptions = {}): Promise<string> {
    const refreshToken = this.#core.exportRefreshToken();
    if (refreshToken === undefined || options.secretKey === undefined) return this.#core.saveState();
    return this.#core.saveState({ sealedRefreshToken: await seal(refreshToken, options.secretKey) });
  }

  #emit(events: AukiEvent[]): AukiEvent[] {
    if (this.#onEvent) for (const event of events) this.#onEvent(event);
    return events;
  }

  /** Joins the shared flight for `key` (starting it if none), following the caller's signal. */
  #join<T>(
    key: string,
    run: (signal: AbortSignal) => Promise<T>,
    signal: AbortSignal | undefined,
  ): Promise<T> {
    if (signal?.aborted) return Promise.reject(abortError(signal));
    let flight = this.#flights.get(key);
    if (!flight) {
      const controller = new AbortController();
      const started: Flight = { controller, waiters: 0, promise: Promise.resolve() };
      started.promise = run(controller.signal).finally(() => {
        if (this.#flights.get(key) === started) this.#flights.delete(key);
      });
      // A flight whose every waiter gave up must not report an unhandled rejection.
      started.promise.catch(() => {});
      this.#flights.set(key, started);
      flight = started;
    }
    const shared = flight;
    shared.waiters++;
    if (!signal) return shared.promise as Promise<T>;
    return new Promise<T>((resolve, reject) => {
      const onAbort = () => {
        if (--shared.waiters === 0) {
          if (this.#flights.get(key) === shared) this.#flights.delete(key);
          shared.controller.abort(signal.reason);
        }
        reject(abortError(signal));
      };
      signal.addEventListener('abort', onAbort, { once: true });
      shared.promise.then(
        (value) => {
          signal.removeEventListener('abort', onAbort);
          resolve(value as T);
        },
        (error) => {
          signal.removeEventListener('abort', onAbort);
          reject(error);
        },
      );
    });
  }

  #ensureNetwork(signal: AbortSignal | undefined): Promise<void> {
    if (this.#core.checkAuthState(this.#now()) === 'Authenticated') return Promise.resolve();
    return this.#join('network', (s) => this.#networkFlow(s), signal);
  }

  async #networkFlow(signal: AbortSignal): Promise<void> {
    for (let step = 0; step < MAX_STEPS; step++) {
      const now = this.#now();
      if (this.#core.checkAuthState(now) === 'Authenticated') return;
      const actions = this.#core.authenticate(now);
      if (actions.length === 0) {
        // App-key and opaque credentials install their token without a request; an expired one that can
        // be refreshed is refreshed on the next step.
        if (this.#core.isAuthenticated(now)) return;
        if (this.#core.networkToken()?.refreshable) continue;
        throw new AukiCredentialsRequiredError(
          this.#core.hasCredentials()
            ? 'Authentication required: the token given as credentials has expired and cannot be refreshed. Pass fresh credentials to authenticateWith().'
            : 'Authentication required: no valid network token and no credentials. Call setCredentials() or authenticateWith().',
        );
      }
      let events: AukiEvent[];
      try {
        events = await this.#perform(actions, signal);
      } catch (error) {
        // Aborted (the caller, the call's deadline, close() or forceReauth): that error as it is.
        if (signal.aborted) throw error;
        // A proactive refresh that could not reach the server: the current token is still good to use.
        if (this.#core.isAuthenticated(this.#now())) return;
        // A refresh that got no answer is an outage: the core kept every token; say so with one typed error.
        if (actions[0]!.operation === 'refresh')
          throw new AukiRefreshUnavailableError(
            `Token refresh could not be made (${XError.isInstance(error) ? error.code : 'unexpected failure'}); the session is kept and the next call tries again.`,
            { cause: error },
          );
        throw error;
      }
      for (const event of events) {
        if (event.type === 'NetworkAuthSuccess' || event.type === 'NetworkTokenRefreshed') return;
        if (event.type === 'NetworkAuthFailed')
          throw new AukiLoginError(`Authentication failed: ${event.reason}. Check the credentials.`, {
            ...(event.status === undefined ? {} : { status: event.status }),
            retryable: event.retryPossible,
          });
        if (event.type === 'NetworkTokenRefreshFailed') {
          if (event.requiresReauth)
            throw new AukiReauthenticationRequiredError(
              `Authentication required. Please sign in again: the token refresh was refused (${event.reason}). Call authenticateWith(credentials).`,
              { status: event.status },
            );
          // An outage on a proactive refresh: as above, the current token is still good to use.
          if (this.#core.isAuthenticated(this.#now())) return;
          throw new AukiRefreshUnavailableError(
            `Token refresh could not be made (${event.reason}); the session is kept and the next call tries again.`,
            event.status === undefined ? {} : { status: event.status },
          );
        }
      }
    }
    throw new AukiError('Authentication failed: maximum steps exceeded without a network token.');
  }

  #ensureDiscovery(signal: AbortSignal | undefined): Promise<void> {
    const now = this.#now();
    const discovery = this.#core.discoveryToken();
    if (this.#core.checkAuthState(now) === 'Authenticated' && discovery && now < discovery.expiresAt)
      return Promise.resolve();
    return this.#join('discovery', (s) => this.#discoveryFlow(s), signal);
  }

  async #discoveryFlow(signal: AbortSignal): Promise<void> {
    for (let step = 0; step < MAX_STEPS; step++) {
      await this.#ensureNetwork(signal);
      const actions = this.#core.authenticateDiscovery(this.#now());
      if (actions.length === 0) {
        if (this.#core.discoveryToken()) return;
        continue;
      }
      for (const event of await this.#perform(actions, signal)) {
        if (event.type === 'DiscoveryAuthSuccess') return;
        if (event.type === 'DiscoveryAuthFailed')
          throw new AukiDiscoveryError(`Discovery authentication failed: ${event.reason}.`, {
            ...(event.status === undefined ? {} : { status: event.status }),
            retryable: event.status !== undefined && event.status >= 500,
          });
      }
    }
    throw new AukiError('Discovery authentication failed: maximum steps exceeded.');
  }

  async #domainFlow(domainId: string, signal: AbortSignal): Promise<DomainAccess> {
    for (let step = 0; step < MAX_STEPS; step++) {
      await this.#ensureDiscovery(signal);
      const now = this.#now();
      const cached = this.#core.domainAccess(domainId, now);
      if (cached) return cached;
      const actions = this.#core.getDomainAccess(domainId, now);
      if (actions.length === 0) continue;
      for (const event of await this.#perform(actions, signal)) {
        if (event.type === 'DomainAccessGranted' && event.domainId === domainId) return event.domain;
        if (event.type === 'DomainAccessDenied' && event.domainId === domainId)
          throw new AukiDomainAccessDeniedError(
            event.status === 402
              ? `Domain access denied: ${domainId} requires payment (${event.reason}).`
              : `Domain access denied: ${event.reason}.`,
            {
              domainId,
              ...(event.status === undefined ? {} : { status: event.status }),
              retryable: event.status !== undefined && event.status >= 500,
            },
          );
      }
    }
    throw new AukiError('Domain access failed: maximum steps exceeded.');
  }

  /** Sends every action at once; answers are fed to the core in issue order. */
  async #perform(actions: HttpRequestAction[], signal: AbortSignal): Promise<AukiEvent[]> {
    const lists = await Promise.all(actions.map((action) => this.#exchange(action, signal)));
    return lists.flat();
  }

  #exchange(action: HttpRequestAction, signal: AbortSignal): Promise<AukiEvent[]> {
    const answer = this.#send(action, signal);
    // A failure that arrives before this answer's turn is handled at its turn, not reported as unhandled.
    answer.catch(() => {});
    const turn = this.#tail.then(
      () => answer,
      () => answer,
    );
    const events = turn.then(
      ({ status, body }) =>
        this.#emit(this.#core.handleResponse(status, body, this.#now(), { requestId: action.requestId })),
      (error: unknown) => {
        // No answer will come: forget the request so later answers match theirs.
        this.#core.abandonRequest(action.requestId);
        throw error;
      },
    );
    this.#tail = events.catch(() => {});
    return events;
  }

  async #send(action: HttpRequestAction, signal: AbortSignal): Promise<{ status: number; body: string }> {
    try {
      const { data, response } = await this.#http.requestWithResponse('POST', action.url, {
        headers: action.headers,
        body: action.body,
        parseAs: 'text',
        signal,
      });
      return { status: response.status, body: typeof data === 'string' ? data : '' };
    } catch (error) {
      // http-core turns non-2xx answers into errors; the core wants the status and body itself.
      if (
        XError.isInstance(error) &&
        error.status !== undefined &&
        !ResponseValidationError.isInstance(error)
      ) {
        const body = error.body;
        return {
          status: error.status,
          body: typeof body === 'string' ? body : body === undefined ? '' : JSON.stringify(body),
        };
      }
      throw error;
    }
  }
}

async function seal(refreshToken: string, key: Uint8Array): Promise<string> {
  try {
    const { nonce, ciphertext, tag } = await aesGcmSeal({
      key,
      plaintext: utf8Encode(refreshToken),
      aad: SEAL_AAD,
    });
    const packed = new Uint8Array(nonce.length + ciphertext.length + tag.length);
    packed.set(nonce, 0);
    packed.set(ciphertext, nonce.length);
    packed.set(tag, nonce.length + ciphertext.length);
    return base64UrlEncode(packed);
  } catch (error) {
    throw new AukiInputError('saveState: secretKey must be 32 bytes (a Uint8Array).', { cause: error });
  }
}

async function unseal(sealed: string, key: Uint8Array): Promise<string> {
  try {
    const packed = base64UrlDecode(sealed);
    const nonce = packed.subarray(0, 12);
    const tag = packed.subarray(packed.length - 16);
    const ciphertext = packed.subarray(12, packed.length - 16);
    return utf8Decode(await aesGcmOpen({ key, nonce, ciphertext, tag, aad: SEAL_AAD }));
  } catch (error) {
    throw new AukiStateError(
      'Invalid state: the sealed refresh token could not be opened; pass the secretKey it was saved with.',
      { cause: error },
    );
  }
}
