/**
 * `AirlockAuthClient`: OIDC sign-in against the Airlock identity provider (Keycloak) — device login,
 * authorization code + PKCE, refresh, logout — for browsers, edge runtimes and Node.
 *
 * @module
 */

import { createPkcePair } from '@x/crypto';
import {
  AbortError,
  createHttpClient,
  type FetchLike,
  type HttpClient,
  type Logger,
  NetworkError,
  TimeoutError,
  sleep as timerSleep,
  XError,
} from '@x/http-core';
import * as v from 'valibot';
import type { AccessTokenProvider } from '../token-provider.ts';
import {
  buildAuthorizationUrl,
  DEFAULT_OIDC_SCOPE,
  generateOAuthState,
  parseAuthorizationResponse,
} from './authorization.ts';
import { AirlockAuthError } from './errors.ts';
import {
  DeviceAuthorizationSchema,
  type DeviceCodeInfo,
  OAuthErrorSchema,
  type OidcDiscovery,
  OidcDiscoverySchema,
  type TokenResponse,
  TokenResponseSchema,
  type TokenState,
  TokenStateSchema,
} from './models.ts';
import type { LockedTokenStore, TokenStore } from './token-store.ts';

/** The public OIDC client the Airlock apps use. */
export const DEFAULT_OIDC_CLIENT_ID = 'airlock-integrations';

const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
// RFC 8628 §3.5: never poll faster than every 5 s; `slow_down` adds 5 s for good.
const MIN_INTERVAL_MS = 5_000;
const SLOW_DOWN_MS = 5_000;
const MAX_BACKOFF_MS = 60_000;
// How often a refresh refused while the store kept moving to another session is tried with that session.
const MAX_REFRESH_ATTEMPTS = 3;

/** Options of {@link AirlockAuthClient}. */
export interface AirlockAuthClientOptions {
  /** The Keycloak realm's URL, e.g. `https://auth.airlocks.io/realms/airlock` (discovery is read below it). */
  baseUrl: string | URL;
  /** The public OIDC client id (default `airlock-integrations`). No client secret is ever sent. */
  oidcClientId?: string;
  /** The scope logins ask for (default `openid profile email`). */
  scope?: string;
  /**
   * Where the session is kept between runs (default: only in this object). Several processes may share
   * one `FileTokenStore` file: they refresh in turn under its lock and adopt each other's renewals.
   */
  store?: TokenStore;
  /** Per-request timeout in ms (default 30 000, as the upstream SDKs). */
  timeout?: number;
  /** How long before the provider's expiry a token counts as expired, in ms (default 30 000). */
  expirySkewMs?: number;
  /** The fetch to use (default `globalThis.fetch`). */
  fetch?: FetchLike;
  /** Where requests are logged (tokens and codes are redacted). */
  logger?: Logger;
  /** The clock, epoch ms (default `Date.now`); tests inject one to drive expiry and device polling. */
  now?: () => number;
  /** Waits between device-login polls (default: a timer that rejects when the signal aborts). */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** The options bag of every call. */
export interface AuthCallOptions {
  /** Stops the call; it rejects with `AbortError` from @x/http-core. */
  signal?: AbortSignal;
}

/** Options of {@link AirlockAuthClient.login}. */
export interface DeviceLoginOptions extends AuthCallOptions {
  /** The scope for this login (default: the client's). */
  scope?: string;
}

/** Options of {@link AirlockAuthClient.getAuthorizationUrl}. */
export interface AuthorizationUrlOptions extends AuthCallOptions {
  /** The scope for this login (default: the client's). */
  scope?: string;
}

/**
 * A started authorization code login: send the user to `authorizationUrl`, keep the rest (in the session
 * or page state, never in the URL) until the redirect comes back.
 */
export interface AuthorizationRequest {
  /** Where to send the user's browser. */
  authorizationUrl: string;
  /** The CSRF state the redirect must carry back. */
  state: string;
  /** The PKCE verifier; the token request proves the login with it. Keep it secret. */
  codeVerifier: string;
  /** The redirect URI the login was started with (the exchange must send the same). */
  redirectUri: string;
}

/** Rejects with the signal's `AbortError` as soon as it fires; otherwise settles like `promise`. */
function withSignal<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortError(signal));
    if (signal.aborted) {
      promise.catch(() => {}); // the shared work goes on; its failure is someone else's to see
      return onAbort();
    }
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

function abortError(signal: AbortSignal): Error {
  return AbortError.isInstance(signal.reason)
    ? (signal.reason as Error)
    : new AbortError('The operation was aborted by the caller.', { cause: signal.reason });
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw abortError(signal);
}

/**
 * The OIDC client of the Airlock identity provider: device login (RFC 8628), authorization code + PKCE
 * (RFC 7636) in manual mode, refresh with single-flight, logout with revocation (RFC 7009), and a session
 * that can be exported, restored or kept in a {@link TokenStore}.
 *
 * It implements {@link AccessTokenProvider}, so the gateway client can take it as its bearer source.
 * The loopback login for Node is `loginWithAuthCode` in `@x/airlock/node`.
 *
 * @example Device login (CLIs, agents, desktop and VS Code apps)
 * ```ts
 * const auth = new AirlockAuthClient({ baseUrl: 'https://auth.airlocks.io/realms/airlock' });
 * await auth.login((info) => console.log(`Open ${info.verificationUri} and enter ${info.userCode}`));
 * const token = await auth.getAccessToken(); // refreshed when it has expired
 * ```
 */
export class AirlockAuthClient implements AccessTokenProvider {
  /** The realm URL without a trailing slash. */
  readonly realmUrl: string;
  /** The OIDC client id sent with every request. */
  readonly clientId: string;
  /** The scope logins ask for. */
  readonly scope: string;

  readonly #http: HttpClient;
  readonly #store: TokenStore | undefined;
  readonly #now: () => number;
  readonly #sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  readonly #skewMs: number;
  #discovery: Promise<OidcDiscovery> | undefined;
  #tokens: TokenState | undefined;
  #loaded: Promise<void> | undefined;
  #refreshing: Promise<TokenState> | undefined;
  // Bumped by logout and restore so a refresh that was already running cannot bring the old session back.
  #generation = 0;

  /**
   * Creates the client; no request is sent until a method needs one.
   *
   * @throws {AirlockAuthError} `invalid_argument` when `baseUrl` is not an http(s) URL, or when the upstream
   *   SDKs' `keycloakRealmUrl` is given instead.
   */
  constructor(options: AirlockAuthClientOptions) {
    if ((options as { keycloakRealmUrl?: unknown } | undefined)?.keycloakRealmUrl !== undefined)
      throw invalidArgument(
        'keycloakRealmUrl is called baseUrl here (every client names its service URL baseUrl).',
      );
    this.realmUrl = String(options?.baseUrl ?? '').replace(/\/+$/, '');
    if (!/^https?:$/.test(parseUrl(this.realmUrl)?.protocol ?? '')) {
      throw invalidArgument(`baseUrl must be an http(s) URL of the Keycloak realm, got "${this.realmUrl}".`);
    }
    this.clientId = options.oidcClientId ?? DEFAULT_OIDC_CLIENT_ID;
    this.scope = options.scope ?? DEFAULT_OIDC_SCOPE;
    this.#store = options.store;
    this.#now = options.now ?? Date.now;
    this.#sleep = options.sleep ?? timerSleep;
    this.#skewMs = options.expirySkewMs ?? 30_000;
    this.#http = createHttpClient({
      timeout: options.timeout ?? 30_000,
      now: this.#now,
      ...(options.fetch ? { fetch: options.fetch } : {}),
      ...(options.logger ? { logger: options.logger } : {}),
      redact: { query: ['device_code', 'state', 'code_challenge'] },
    });
  }

  /**
   * Reads the provider's discovery document (`<realm>/.well-known/openid-configuration`) once; later calls
   * share the result. A failed read is not cached.
   *
   * @throws {AirlockAuthError} `invalid_discovery` when it names no `token_endpoint`; http-core errors for
   *   a failed request.
   */
  discover(options: AuthCallOptions = {}): Promise<OidcDiscovery> {
    if (!this.#discovery) {
      const url = `${this.realmUrl}/.well-known/openid-configuration`;
      // Run without the caller's signal: concurrent callers share it, and one giving up must not fail the rest.
      const pending = this.#http.get(url, { schema: OidcDiscoverySchema }).then((doc) => {
        if (!doc.tokenEndpoint) {
          throw new AirlockAuthError(`The discovery document at ${url} names no token_endpoint.`, {
            code: 'invalid_discovery',
          });
        }
        return doc as OidcDiscovery;
      });
      this.#discovery = pending;
      pending.catch(() => {
        if (this.#discovery === pending) this.#discovery = undefined;
      });
    }
    return withSignal(this.#discovery, options.signal);
  }

  /**
   * Signs in with the device authorization grant (RFC 8628): asks for a user code, hands it to
   * `onUserCode` to show, then polls until the user approves or refuses, or the code expires. Polling
   * waits at least 5 s (or the provider's larger interval) before each request, adds 5 s on `slow_down`
   * and backs off exponentially after network failures.
   *
   * @param onUserCode Shows the code; show `verificationUriComplete` when present, else `verificationUri` and `userCode`.
   * @returns The new session (also kept by the client and saved to the store).
   * @throws {AirlockAuthError} `access_denied` when the user refuses, `expired_token` when the code
   *   expires first, `endpoint_missing` when the provider offers no device login.
   */
  async login(
    onUserCode: (info: DeviceCodeInfo) => void | Promise<void>,
    options: DeviceLoginOptions = {},
  ): Promise<TokenState> {
    if (typeof onUserCode !== 'function')
      throw invalidArgument('login needs an onUserCode callback to show the code.');
    const { signal } = options;
    const discovery = await this.discover({ signal });
    const endpoint = discovery.deviceAuthorizationEndpoint;
    if (!endpoint) {
      throw new AirlockAuthError('The identity provider offers no device authorization endpoint.', {
        code: 'endpoint_missing',
      });
    }
    const device = await this.#post(
      endpoint,
      { client_id: this.clientId, scope: options.scope ?? this.scope },
      DeviceAuthorizationSchema,
      'Device authorization',
      signal,
    );
    let interval = Math.max(device.interval * 1000, MIN_INTERVAL_MS);
    const deadline = this.#now() + device.expiresIn * 1000;
    const info: DeviceCodeInfo = {
      userCode: device.userCode,
      verificationUri: device.verificationUri,
      expiresIn: device.expiresIn,
      interval: interval / 1000,
    };
    if (device.verificationUriComplete) info.verificationUriComplete = device.verificationUriComplete;
    await onUserCode(info);

    while (this.#now() < deadline) {
      throwIfAborted(signal);
      await this.#sleep(interval, signal);
      throwIfAborted(signal);
      try {
        const tokens = await this.#post(
          discovery.tokenEndpoint,
          { grant_type: DEVICE_GRANT, client_id: this.clientId, device_code: device.deviceCode },
          TokenResponseSchema,
          'Device login',
          signal,
        );
        return await this.#accept(tokens);
      } catch (error) {
        if (AirlockAuthError.isInstance(error)) {
          if (error.code === 'authorization_pending') continue;
          if (error.code === 'slow_down') {
            interval += SLOW_DOWN_MS;
            continue;
          }
          if (error.code === 'access_denied') throw rewrap(error, 'The user denied the sign-in request.');
          if (error.code === 'expired_token') {
            throw rewrap(
              error,
              'The device code expired before the user completed the sign-in; start again.',
            );
          }
          throw error;
        }
        // RFC 8628 §3.5: on a connection failure keep polling, with exponential backoff.
        if (NetworkError.isInstance(error) || TimeoutError.isInstance(error)) {
          interval = Math.min(interval * 2, MAX_BACKOFF_MS);
          continue;
        }
        throw error;
      }
    }
    throw new AirlockAuthError(
      'The device code expired before the user completed the sign-in; start again.',
      {
        code: 'expired_token',
      },
    );
  }

  /**
   * Starts an authorization code + PKCE login without a local server (browsers, mobile deep links, web
   * apps): a fresh state and S256 verifier, and the URL to send the user to. Finish with
   * {@link completeAuthorization} (or check the state yourself and call {@link exchangeCode}).
   *
   * @example
   * ```ts
   * const request = await auth.getAuthorizationUrl('https://app.example.com/callback');
   * sessionStorage.setItem('login', JSON.stringify(request));
   * location.assign(request.authorizationUrl);
   * ```
   * @throws {AirlockAuthError} `invalid_argument` for a relative redirect URI; `endpoint_missing` when
   *   discovery names no `authorization_endpoint`.
   */
  async getAuthorizationUrl(
    redirectUri: string,
    options: AuthorizationUrlOptions = {},
  ): Promise<AuthorizationRequest> {
    // Any scheme is fine (mobile apps use deep links), but it must be an absolute URI without a fragment.
    if (typeof redirectUri !== 'string' || !parseUrl(redirectUri) || redirectUri.includes('#')) {
      throw invalidArgument('redirectUri must be an absolute URI without a fragment.');
    }
    const discovery = await this.discover({ signal: options.signal });
    if (!discovery.authorizationEndpoint) {
      throw new AirlockAuthError('The identity provider offers no authorization endpoint.', {
        code: 'endpoint_missing',
      });
    }
    const pkce = await createPkcePair();
    const state = await generateOAuthState();
    const authorizationUrl = buildAuthorizationUrl({
      authorizationEndpoint: discovery.authorizationEndpoint,
      clientId: this.clientId,
      redirectUri,
      scope: options.scope ?? this.scope,
      state,
      codeChallenge: pkce.challenge,
    });
    return { authorizationUrl, state, codeVerifier: pkce.verifier, redirectUri };
  }

  /**
   * Finishes a login started with {@link getAuthorizationUrl}: checks the redirect the browser came back
   * with (`error`, then `state`, then `code`) and exchanges the code.
   *
   * @param callback The full redirect URL (or its query string).
   * @throws {AirlockAuthError} the provider's `error` (e.g. `access_denied`), `state_mismatch`,
   *   `invalid_callback`, or the exchange's `invalid_grant`.
   */
  async completeAuthorization(
    callback: string | URL | URLSearchParams,
    request: Pick<AuthorizationRequest, 'state' | 'codeVerifier' | 'redirectUri'>,
    options: AuthCallOptions = {},
  ): Promise<TokenState> {
    const code = await parseAuthorizationResponse(callback, request.state);
    return this.exchangeCode(code, request.redirectUri, request.codeVerifier, options);
  }

  /**
   * Exchanges an authorization code for tokens. The caller must have checked the redirect's `state`
   * ({@link completeAuthorization} does).
   *
   * @throws {AirlockAuthError} `invalid_grant` for a used, expired or foreign code or a wrong verifier.
   */
  async exchangeCode(
    code: string,
    redirectUri: string,
    codeVerifier: string,
    options: AuthCallOptions = {},
  ): Promise<TokenState> {
    for (const [name, value] of [
      ['code', code],
      ['redirectUri', redirectUri],
      ['codeVerifier', codeVerifier],
    ] as const) {
      if (typeof value !== 'string' || value === '')
        throw invalidArgument(`${name} must be a non-empty string.`);
    }
    const discovery = await this.discover(options);
    const tokens = await this.#post(
      discovery.tokenEndpoint,
      {
        grant_type: 'authorization_code',
        client_id: this.clientId,
        code,
        redirect_uri: redirectUri,
        code_verifier: codeVerifier,
      },
      TokenResponseSchema,
      'Code exchange',
      options.signal,
    );
    return this.#accept(tokens);
  }

  /**
   * Renews the session with the refresh token. Concurrent calls share one request (single-flight), so a
   * rotating provider never sees the same refresh token twice. With a store, the refresh runs inside its
   * {@link TokenStore.withLock | lock} when it has one, and reads the store first: when another process
   * (or client) has renewed the session meanwhile, that newer session is adopted, and handed out as is
   * while its access token is valid. When the provider refuses the refresh token (revoked, expired,
   * reused), the store is read again: if it has moved on to another session, that one is used; if it
   * still holds the refused token (or nothing), the session ends, the store is cleared and the error
   * thrown. A network failure, or a store lock not had in time, keeps the session (`refresh_unavailable`).
   * A caller's abort stops only that caller's wait.
   *
   * @throws {AirlockAuthError} `no_refresh_token`, `not_logged_in`, or the provider's code (`invalid_grant`).
   */
  async refreshToken(options: AuthCallOptions = {}): Promise<TokenState> {
    await this.#ensureLoaded(options.signal);
    if (!this.#refreshing) {
      const current = this.#tokens;
      if (!current) throw notLoggedIn();
      if (!current.refreshToken) {
        throw new AirlockAuthError('No refresh token is available; sign in again.', {
          code: 'no_refresh_token',
        });
      }
      const running = this.#refresh(current, this.#generation);
      this.#refreshing = running;
      const done = () => {
        if (this.#refreshing === running) this.#refreshing = undefined;
      };
      running.then(done, done);
    }
    return { ...(await withSignal(this.#refreshing, options.signal)) };
  }

  /** Forces a refresh and resolves with the new access token (the gateway calls it after a 401). */
  async refreshAccessToken(options: AuthCallOptions = {}): Promise<string> {
    return (await this.refreshToken(options)).accessToken;
  }

  /**
   * A valid access token: the current one, or a refreshed one when it has expired (or a refresh is
   * already running).
   *
   * @throws {AirlockAuthError} `not_logged_in`; `session_expired` when it expired and there is no refresh
   *   token; the refresh's errors.
   */
  async getAccessToken(options: AuthCallOptions = {}): Promise<string> {
    await this.#ensureLoaded(options.signal);
    if (this.#refreshing) return (await withSignal(this.#refreshing, options.signal)).accessToken;
    const current = this.#tokens;
    if (!current) throw notLoggedIn();
    if (!this.#isExpired(current)) return current.accessToken;
    if (!current.refreshToken) {
      throw sessionExpired();
    }
    return this.refreshAccessToken(options);
  }

  /**
   * Signs out: forgets the session (here and in the store) and revokes the refresh token at the provider
   * (RFC 7009) when it has a revocation endpoint. Revocation failures are ignored: the local session is
   * gone either way.
   *
   * @returns Whether the provider confirmed the revocation.
   */
  async logout(options: AuthCallOptions = {}): Promise<boolean> {
    await this.#ensureLoaded(options.signal).catch(() => {});
    const refreshToken = this.#tokens?.refreshToken;
    this.#generation++;
    this.#tokens = undefined;
    this.#loaded = Promise.resolve();
    await this.#store?.clear();
    if (!refreshToken) return false;
    try {
      const discovery = await this.discover(options);
      if (!discovery.revocationEndpoint) return false;
      await this.#http.post(discovery.revocationEndpoint, {
        body: new URLSearchParams({
          client_id: this.clientId,
          token: refreshToken,
          token_type_hint: 'refresh_token',
        }),
        retry: false,
        ...(options.signal ? { signal: options.signal } : {}),
      });
      return true;
    } catch (error) {
      if (AbortError.isInstance(error)) throw error;
      return false;
    }
  }

  /**
   * The access token held now, expired or not, without refreshing or loading the store (`undefined` when
   * signed out), as the upstream SDKs' `currentAccessToken`. For a token to send, use {@link getAccessToken},
   * which refreshes an expired one.
   */
  get currentAccessToken(): string | undefined {
    return this.#tokens?.accessToken;
  }

  /** True when the client holds an access token (expired or not). */
  isLoggedIn(): boolean {
    return this.#tokens !== undefined;
  }

  /** True when there is no access token or it has reached its expiry (minus the skew). */
  isTokenExpired(): boolean {
    return this.#tokens === undefined || this.#isExpired(this.#tokens);
  }

  /** A copy of the session for the caller to persist, or `undefined` when signed out. */
  getTokenState(): TokenState | undefined {
    return this.#tokens === undefined ? undefined : { ...this.#tokens };
  }

  /**
   * Takes over a session saved earlier with {@link getTokenState} (`expiresAt` in epoch ms) and saves
   * it to the store.
   *
   * @throws {AirlockAuthError} `invalid_token_state` when `state` is not a session.
   */
  async restoreTokens(state: TokenState): Promise<void> {
    const parsed = v.safeParse(TokenStateSchema, state);
    if (!parsed.success) {
      throw new AirlockAuthError(`Not a token state: ${parsed.issues[0]?.message ?? 'invalid'}.`, {
        code: 'invalid_token_state',
      });
    }
    this.#generation++;
    this.#tokens = { ...parsed.output };
    this.#loaded = Promise.resolve();
    await this.#store?.save({ ...parsed.output });
  }

  /**
   * Loads the session from the store (once; the token methods do it on their own). Useful before the
   * synchronous {@link isLoggedIn} or {@link getTokenState}.
   */
  async loadTokens(options: AuthCallOptions = {}): Promise<TokenState | undefined> {
    await this.#ensureLoaded(options.signal);
    return this.getTokenState();
  }

  #ensureLoaded(signal: AbortSignal | undefined): Promise<void> {
    if (!this.#store) return Promise.resolve();
    if (!this.#loaded) {
      const store = this.#store;
      const generation = this.#generation;
      const loading = (async () => {
        const saved = await store.load();
        const parsed = v.safeParse(TokenStateSchema, saved);
        // A login or restore that finished meanwhile wins over what was on disk.
        if (parsed.success && generation === this.#generation && !this.#tokens) this.#tokens = parsed.output;
      })();
      this.#loaded = loading;
      loading.catch(() => {
        if (this.#loaded === loading) this.#loaded = undefined;
      });
    }
    return withSignal(this.#loaded, signal);
  }

  #isExpired(state: TokenState): boolean {
    return state.expiresAt !== undefined && this.#now() >= state.expiresAt;
  }

  async #refresh(held: TokenState, generation: number): Promise<TokenState> {
    // No caller signal: the refresh is shared, and its result is worth keeping even if one caller left.
    const discovery = await this.discover();
    const store = this.#store;
    if (!store?.withLock) return this.#refreshIn(store, discovery, held, generation);
    let entered = false;
    try {
      return await store.withLock((locked) => {
        entered = true;
        return this.#refreshIn(locked, discovery, held, generation);
      });
    } catch (error) {
      if (entered) throw error;
      // The lock was not had (another process kept it too long): keep the session, the next call tries again.
      throw refreshUnavailable(error);
    }
  }

  /** The refresh proper, inside the store's lock when it has one. */
  async #refreshIn(
    store: LockedTokenStore | undefined,
    discovery: OidcDiscovery,
    held: TokenState,
    generation: number,
  ): Promise<TokenState> {
    let current = held;
    // Another process may have renewed the session since this one last looked; its refresh token is the
    // live one then, and the one held here may already be spent.
    const stored = await readStore(store);
    if (generation !== this.#generation) return this.#sessionAfterChange();
    if (stored && isNewerSession(stored, current)) {
      generation = this.#adopt(stored);
      current = stored;
      if (!this.#isExpired(stored)) return { ...stored };
    }
    for (let attempt = 1; ; attempt++) {
      const refreshToken = current.refreshToken;
      if (!refreshToken) {
        throw sessionExpired();
      }
      let tokens: TokenResponse;
      try {
        tokens = await this.#post(
          discovery.tokenEndpoint,
          { grant_type: 'refresh_token', client_id: this.clientId, refresh_token: refreshToken },
          TokenResponseSchema,
          'Token refresh',
          undefined,
        );
      } catch (error) {
        const kind = refreshFailureKind(error);
        // A configuration error keeps the tokens (fixing the client id makes them usable again); an outage
        // keeps them and the next call tries again.
        if (kind === 'misconfigured') throw error;
        if (kind === 'transient') throw refreshUnavailable(error);
        // Refused: before ending the session, look again. A store that moved on to another session (a
        // writer that took no lock) holds the live one; only the very token refused ends the session.
        const after = await readStore(store);
        if (generation !== this.#generation) throw error;
        if (after && after.refreshToken !== refreshToken) {
          generation = this.#adopt(after);
          current = after;
          if (!this.#isExpired(after)) return { ...after };
          if (attempt < MAX_REFRESH_ATTEMPTS) continue;
          throw refreshUnavailable(error);
        }
        this.#generation++;
        this.#tokens = undefined;
        if (after) await store?.clear();
        throw error;
      }
      if (generation !== this.#generation) return this.#sessionAfterChange();
      // RFC 6749 §6: a provider that does not rotate leaves the old refresh token valid.
      return this.#accept(tokens, refreshToken, store);
    }
  }

  /** A logout, login or restore happened during a refresh: that session is the one to hand out. */
  #sessionAfterChange(): TokenState {
    if (this.#tokens) return { ...this.#tokens };
    throw notLoggedIn();
  }

  /** Takes over a session another process or client saved to the store; returns the new generation. */
  #adopt(state: TokenState): number {
    this.#tokens = { ...state };
    this.#loaded = Promise.resolve();
    return ++this.#generation;
  }

  async #accept(
    tokens: TokenResponse,
    previousRefreshToken?: string,
    store: LockedTokenStore | undefined = this.#store,
  ): Promise<TokenState> {
    const state: TokenState = { accessToken: tokens.accessToken, tokenType: tokens.tokenType };
    const refreshToken = tokens.refreshToken ?? previousRefreshToken;
    if (refreshToken) state.refreshToken = refreshToken;
    if (tokens.expiresIn !== undefined) {
      const lifetime = tokens.expiresIn * 1000;
      // The skew keeps a token from expiring in flight; for very short lifetimes take at most half of it.
      state.expiresAt = this.#now() + lifetime - Math.min(this.#skewMs, lifetime / 2);
    }
    if (tokens.scope !== undefined) state.scope = tokens.scope;
    if (tokens.idToken !== undefined) state.idToken = tokens.idToken;
    this.#generation++;
    this.#tokens = state;
    this.#loaded = Promise.resolve();
    await store?.save({ ...state });
    return { ...state };
  }

  /** POSTs a form to an OAuth endpoint; an OAuth error body becomes an {@link AirlockAuthError}. */
  async #post<S extends v.GenericSchema>(
    url: string,
    form: Record<string, string>,
    schema: S,
    what: string,
    signal: AbortSignal | undefined,
  ): Promise<v.InferOutput<S>> {
    try {
      return (await this.#http.post(url, {
        body: new URLSearchParams(form),
        schema,
        retry: false,
        ...(signal ? { signal } : {}),
      })) as v.InferOutput<S>;
    } catch (error) {
      const body =
        XError.isInstance(error) && error.status !== undefined
          ? v.safeParse(OAuthErrorSchema, error.body)
          : undefined;
      if (!body?.success) throw error;
      const xerror = error as XError;
      const description = body.output.error_description;
      throw new AirlockAuthError(
        `${what} failed: ${body.output.error}${description ? ` — ${description}` : ''}`,
        {
          code: body.output.error,
          status: xerror.status,
          body: xerror.body,
          cause: error,
          ...(description === undefined ? {} : { errorDescription: description }),
          ...(xerror.requestId === undefined ? {} : { requestId: xerror.requestId }),
          ...(xerror.headers === undefined ? {} : { headers: xerror.headers }),
        },
      );
    }
  }
}

/** OAuth error codes that say the client itself is misconfigured: the tokens may be fine. */
const configurationCodes = new Set([
  'invalid_client',
  'unauthorized_client',
  'invalid_request',
  'invalid_scope',
  'unsupported_grant_type',
]);

/**
 * What a failed refresh means (RFC 6749 §5.2): `refused` only for `invalid_grant` in a 4xx answer (the
 * refresh token is dead: sign out); `misconfigured` for the client errors of §5.2 in a 4xx answer (keep
 * the tokens, throw); `transient` for everything else (5xx and 429 even with an OAuth body, network
 * failures, timeouts, unparseable answers): keep the tokens, retry later.
 */
function refreshFailureKind(error: unknown): 'refused' | 'misconfigured' | 'transient' {
  if (!AirlockAuthError.isInstance(error)) return 'transient';
  const status = error.status ?? 0;
  if (status < 400 || status >= 500 || status === 429) return 'transient';
  if (error.code === 'invalid_grant') return 'refused';
  return configurationCodes.has(error.code) ? 'misconfigured' : 'transient';
}

/** A refresh that could not be made: retryable, the session is kept, the original error as `cause`. */
function refreshUnavailable(error: unknown): AirlockAuthError {
  const xerror = XError.isInstance(error) ? error : undefined;
  return new AirlockAuthError(
    `Token refresh could not be made (${xerror?.code ?? 'unexpected failure'}${
      xerror?.status === undefined ? '' : `, HTTP ${xerror.status}`
    }); the session is kept and the next call tries again.`,
    {
      code: 'refresh_unavailable',
      retryable: true,
      cause: error,
      ...(xerror?.status === undefined ? {} : { status: xerror.status }),
      ...(xerror?.requestId === undefined ? {} : { requestId: xerror.requestId }),
      ...(xerror?.retryAfterMs === undefined ? {} : { retryAfterMs: xerror.retryAfterMs }),
    },
  );
}

/** The session in a store, re-read during a refresh; a store that cannot be read keeps the session. */
async function readStore(store: LockedTokenStore | undefined): Promise<TokenState | undefined> {
  if (!store) return undefined;
  let saved: unknown;
  try {
    saved = await store.load();
  } catch (error) {
    throw refreshUnavailable(error);
  }
  const parsed = v.safeParse(TokenStateSchema, saved);
  return parsed.success ? parsed.output : undefined;
}

/**
 * Whether the store holds another session than the one this client holds, and not an older one: another
 * process renewed it (new refresh token, or new access token from a provider that does not rotate), or
 * signed in again. One that expires earlier than ours is stale (a save that failed) and is ignored.
 */
function isNewerSession(stored: TokenState, held: TokenState): boolean {
  if (stored.refreshToken === held.refreshToken && stored.accessToken === held.accessToken) return false;
  return stored.expiresAt === undefined || held.expiresAt === undefined || stored.expiresAt >= held.expiresAt;
}

function parseUrl(text: string): URL | undefined {
  try {
    return new URL(text);
  } catch {
    return undefined;
  }
}

function invalidArgument(message: string): AirlockAuthError {
  return new AirlockAuthError(message, { code: 'invalid_argument' });
}

function notLoggedIn(): AirlockAuthError {
  return new AirlockAuthError('Not signed in: call login() or restoreTokens() first.', {
    code: 'not_logged_in',
  });
}

function sessionExpired(): AirlockAuthError {
  return new AirlockAuthError('The access token has expired and there is no refresh token; sign in again.', {
    code: 'session_expired',
  });
}

function rewrap(error: AirlockAuthError, message: string): AirlockAuthError {
  return new AirlockAuthError(message, {
    code: error.code,
    cause: error,
    ...(error.status === undefined ? {} : { status: error.status }),
    ...(error.body === undefined ? {} : { body: error.body }),
    ...(error.errorDescription === undefined ? {} : { errorDescription: error.errorDescription }),
  });
}
