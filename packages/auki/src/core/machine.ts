/**
 * The sans-I/O state machine: it decides which HTTP requests to make and what their answers mean,
 * and never touches the network, a timer or the clock — every step takes `nowMs`.
 *
 * @module
 */
import { base64Encode, utf8Encode } from '@x/crypto';
import { redactText } from '@x/http-core';
import * as v from 'valibot';
import { AukiInputError, AukiProtocolError } from '../errors.ts';
import {
  type AukiToken,
  DiscoveryResponse,
  type DomainAccess,
  DomainAccessResponse,
  LoginResponse,
  type NetworkToken,
  RefreshResponse,
  toDomainAccess,
  toDomainAccessWire,
} from '../models.ts';
import { isExpired, isNearExpiry, readJwtExpiry } from './jwt.ts';
import {
  parseSavedState,
  parseUpstreamState,
  type SavedAukiState,
  STATE_FORMAT,
  STATE_VERSION,
} from './state.ts';
import type {
  AukiAction,
  AukiAuthState,
  AukiConfig,
  AukiCredentials,
  AukiEvent,
  AukiOperation,
  HttpRequestAction,
  PendingRequest,
} from './types.ts';

/** The default proactive-refresh window of the network token: 5 minutes. */
export const DEFAULT_REFRESH_THRESHOLD_MS = 300_000;

/** App-key tokens never expire on their own; upstream gives them 100 years. */
const APP_KEY_LIFETIME_MS = 100 * 365 * 24 * 3600 * 1000;
/** Response bodies quoted in failure reasons are cut here so a huge error page cannot bloat events. */
const MAX_REASON_BODY = 1000;
/** A domain id goes into a URL path raw, so only plain path-segment characters are accepted. */
const DOMAIN_ID = /^[A-Za-z0-9._~-]{1,256}$/;

interface ResolvedConfig {
  apiUrl: string;
  refreshUrl: string;
  ddsUrl: string;
  clientId: string;
  refreshThresholdMs: number;
}

interface StoredNetwork extends AukiToken {
  refreshToken: string;
}

/** Options of {@link AukiCore} and {@link AukiCore.fromState}. */
export interface AukiCoreOptions {
  /** Credentials to start with (also settable later with `setCredentials`). */
  credentials?: AukiCredentials;
}

/** Options of {@link AukiCore.fromState}. */
export interface AukiCoreRestoreOptions extends AukiCoreOptions {
  /** The refresh token, unsealed by the caller from `networkAuth.sealedRefreshToken`. */
  refreshToken?: string;
}

/** Options of {@link AukiCore.saveState}. */
export interface AukiSaveStateOptions {
  /** The refresh token sealed by the caller (see `exportRefreshToken`); stored as given. */
  sealedRefreshToken?: string;
}

/** Options of {@link AukiCore.handleResponse}. */
export interface AukiResponseOptions {
  /**
   * The `requestId` of the action this answers. With it, an answer that is not for the oldest pending
   * request throws {@link AukiProtocolError} (and changes nothing); an answer for a request already
   * dropped (after a refused refresh, or `abandonRequest`) returns `[]`.
   */
  requestId?: number;
}

function requireUrl(value: unknown, name: string): string {
  let url: URL;
  try {
    url = new URL(String(value));
  } catch {
    throw new AukiInputError(`config.${name} must be an absolute URL (e.g. https://api.aukiverse.com).`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new AukiInputError(`config.${name} must be an http(s) URL, got ${url.protocol}.`);
  if (url.search || url.hash || url.username || url.password)
    throw new AukiInputError(`config.${name} must not carry a query, fragment or user info.`);
  return String(value).replace(/\/+$/, '');
}

function resolveConfig(config: AukiConfig): ResolvedConfig {
  if (typeof config !== 'object' || config === null) throw new AukiInputError('config must be an object.');
  const apiUrl = requireUrl(config.apiUrl, 'apiUrl');
  const refreshUrl =
    config.refreshUrl === undefined ? `${apiUrl}/user/refresh` : requireUrl(config.refreshUrl, 'refreshUrl');
  const ddsUrl = requireUrl(config.ddsUrl, 'ddsUrl');
  if (typeof config.clientId !== 'string' || config.clientId === '' || /[\r\n]/.test(config.clientId))
    throw new AukiInputError('config.clientId must be a non-empty single-line string (e.g. "my-app").');
  const refreshThresholdMs = config.refreshThresholdMs ?? DEFAULT_REFRESH_THRESHOLD_MS;
  if (!Number.isFinite(refreshThresholdMs) || refreshThresholdMs < 0)
    throw new AukiInputError('config.refreshThresholdMs must be a finite number of ms ≥ 0.');
  return { apiUrl, refreshUrl, ddsUrl, clientId: config.clientId, refreshThresholdMs };
}

const nonEmpty = (value: unknown) => typeof value === 'string' && value !== '';

function checkCredentials(credentials: AukiCredentials): AukiCredentials {
  const c = credentials as unknown as Partial<Record<string, unknown>> | null;
  switch (c?.type) {
    case 'email':
      if (nonEmpty(c.email) && nonEmpty(c.password)) return credentials;
      throw new AukiInputError('Email credentials need a non-empty email and password.');
    case 'appKey':
      if (nonEmpty(c.appKey) && nonEmpty(c.appSecret) && !String(c.appKey).includes(':')) return credentials;
      throw new AukiInputError('App-key credentials need a non-empty appKey (without ":") and appSecret.');
    case 'opaque':
      if (
        nonEmpty(c.token) &&
        Number.isFinite(c.expiryMs) &&
        (c.refreshToken === undefined || typeof c.refreshToken === 'string')
      )
        return credentials;
      throw new AukiInputError('Opaque credentials need a non-empty token and a finite expiryMs (epoch ms).');
    default:
      throw new AukiInputError('Credentials must have type "email", "appKey" or "opaque".');
  }
}

/** Checks a domain id before it goes into a URL path; throws {@link AukiInputError} otherwise. */
export function checkDomainId(domainId: string): void {
  if (typeof domainId !== 'string' || !DOMAIN_ID.test(domainId) || domainId === '.' || domainId === '..')
    throw new AukiInputError(
      'domainId must be 1–256 characters of A–Z, a–z, 0–9, ".", "_", "~" or "-" (not "." or ".."); it goes into a URL path.',
    );
}

function describeIssue(issues: readonly v.BaseIssue<unknown>[]): string {
  const issue = issues[0]!;
  const where = issue.path?.map((p) => String(p.key)).join('.');
  return where ? `${where}: ${issue.message}` : issue.message;
}

type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };

function parseBody<S extends v.GenericSchema>(schema: S, body: string): Parsed<v.InferOutput<S>> {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return { ok: false, reason: 'Invalid response: the body is not JSON' };
  }
  const result = v.safeParse(schema, json);
  return result.success
    ? { ok: true, value: result.output }
    : { ok: false, reason: `Invalid response: ${describeIssue(result.issues)}` };
}

function tokenExpiry(token: string): Parsed<number> {
  const result = readJwtExpiry(token);
  return result.ok
    ? { ok: true, value: result.expiresAt }
    : { ok: false, reason: `Failed to decode token: ${result.reason}` };
}

/**
 * Whether a refresh answer's status says the refresh token is not accepted: 4xx, except 408 (request
 * timeout), 425 (too early) and 429 (too many requests), which say "not now". Anything else that is not 200
 * is an outage: upstream signs the user out on every failure; we never do for an outage.
 */
const isRefusal = (status: number) =>
  status >= 400 && status < 500 && status !== 408 && status !== 425 && status !== 429;

// Reasons quote the answer (as upstream's do) but go through the shared redaction rule first: events get
// logged, and an error answer may echo a token or the password that was sent.
const httpReason = (status: number, body: string) =>
  `HTTP ${status}: ${redactText(body.length > MAX_REASON_BODY ? `${body.slice(0, MAX_REASON_BODY)}…` : body)}`;

/**
 * The Auki authentication state machine, free of I/O: methods return the HTTP requests to make
 * ({@link AukiAction}) and `handleResponse` turns each answer into {@link AukiEvent}s. Time is always an
 * argument (`nowMs`, epoch ms), so the same inputs always give the same outputs.
 *
 * @example
 * ```ts
 * const core = new AukiCore(config, { credentials: { type: 'email', email, password } });
 * for (let step = 0; step < 10 && !core.domainAccess(domainId, Date.now()); step++) {
 *   for (const action of core.getDomainAccess(domainId, Date.now())) {
 *     const res = await fetch(action.url, { method: action.method, headers: action.headers, body: action.body });
 *     core.handleResponse(res.status, await res.text(), Date.now(), { requestId: action.requestId });
 *   }
 * }
 * ```
 */
export class AukiCore {
  readonly #config: ResolvedConfig;
  #credentials: AukiCredentials | undefined;
  #network: StoredNetwork | undefined;
  #discovery: AukiToken | undefined;
  readonly #domains = new Map<string, DomainAccess>();
  #pending: PendingRequest[] = [];
  #nextRequestId = 1;

  /** Creates a core with no tokens. Throws {@link AukiInputError} for a bad config or credentials. */
  constructor(config: AukiConfig, options: AukiCoreOptions = {}) {
    this.#config = resolveConfig(config);
    if (options.credentials !== undefined) this.#credentials = checkCredentials(options.credentials);
  }

  /**
   * Restores a core from `saveState()` text (or its parsed form). Credentials and the unsealed refresh token
   * come separately; the config is supplied again. Throws {@link AukiStateError} for bad state.
   */
  static fromState(
    state: string | SavedAukiState,
    config: AukiConfig,
    options: AukiCoreRestoreOptions = {},
  ): AukiCore {
    const saved = typeof state === 'string' ? parseSavedState(state) : state;
    const core = new AukiCore(config, options);
    if (saved.networkAuth)
      core.#network = {
        token: saved.networkAuth.token,
        expiresAt: saved.networkAuth.expiresAt,
        refreshToken: options.refreshToken ?? '',
      };
    if (saved.discoveryAuth) core.#discovery = { ...saved.discoveryAuth };
    for (const [id, access] of Object.entries(saved.domainAccesses)) {
      checkDomainId(id);
      core.#domains.set(id, access);
    }
    return core;
  }

  /**
   * Restores a core from the upstream Auki core's `save_state()` text (see {@link parseUpstreamState}): its
   * tokens, cached domains and refresh token, so a user moving from the upstream SDKs stays signed in. Call
   * {@link validateState} next. Throws {@link AukiStateError} for bad state.
   */
  static fromUpstreamState(state: string, config: AukiConfig, options: AukiCoreOptions = {}): AukiCore {
    const upstream = parseUpstreamState(state);
    return AukiCore.fromState(upstream.state, config, {
      ...options,
      ...(upstream.refreshToken === undefined ? {} : { refreshToken: upstream.refreshToken }),
    });
  }

  /** The refresh threshold in use, ms. */
  get refreshThresholdMs(): number {
    return this.#config.refreshThresholdMs;
  }

  /** Sets (or replaces) the credentials without touching tokens. */
  setCredentials(credentials: AukiCredentials): void {
    this.#credentials = checkCredentials(credentials);
  }

  /** True when credentials are held (email credentials are dropped once a login yields a refresh token). */
  hasCredentials(): boolean {
    return this.#credentials !== undefined;
  }

  /** The network tier's state. */
  checkAuthState(nowMs: number): AukiAuthState {
    const net = this.#network;
    if (!net || isExpired(net.expiresAt, nowMs))
      return this.#credentials ? 'NeedsAuthentication' : 'NeedsCredentials';
    return isNearExpiry(net.expiresAt, nowMs, this.#config.refreshThresholdMs)
      ? 'NeedsRefresh'
      : 'Authenticated';
  }

  /** True when a network token is held and not expired. */
  isAuthenticated(nowMs: number): boolean {
    return this.#network !== undefined && !isExpired(this.#network.expiresAt, nowMs);
  }

  /** True when no credentials are held and the network token is absent or expired. */
  requiresCredentials(nowMs: number): boolean {
    return this.#credentials === undefined && !this.isAuthenticated(nowMs);
  }

  /** Drops every token and pending request, stores `credentials`, then runs {@link AukiCore.authenticate}. */
  authenticateWith(credentials: AukiCredentials, nowMs: number): AukiAction[] {
    const checked = checkCredentials(credentials);
    this.#wipe();
    this.#credentials = checked;
    return this.authenticate(nowMs);
  }

  /** Another name for {@link AukiCore.authenticateWith}: sign in as someone else. */
  switchUser(credentials: AukiCredentials, nowMs: number): AukiAction[] {
    return this.authenticateWith(credentials, nowMs);
  }

  /**
   * The network tier: `[]` when the token is fresh; a refresh when a refresh token is held and the
   * token is expired or within the threshold; else a login for email credentials. App-key and opaque
   * credentials install their token at once and return `[]`.
   */
  authenticate(nowMs: number): AukiAction[] {
    const net = this.#network;
    if (net && !isNearExpiry(net.expiresAt, nowMs, this.#config.refreshThresholdMs)) return [];
    if (net && net.refreshToken !== '') return [this.#refreshRequest(net.refreshToken)];
    const c = this.#credentials;
    if (c?.type === 'email')
      return [
        this.#request(
          'login',
          `${this.#config.apiUrl}/user/login`,
          { 'Content-Type': 'application/json' },
          JSON.stringify({ email: c.email, password: c.password }),
        ),
      ];
    if (c?.type === 'appKey')
      this.#network = {
        token: `Basic ${base64Encode(utf8Encode(`${c.appKey}:${c.appSecret}`))}`,
        refreshToken: '',
        expiresAt: nowMs + APP_KEY_LIFETIME_MS,
      };
    else if (c?.type === 'opaque')
      this.#network = { token: c.token, refreshToken: c.refreshToken ?? '', expiresAt: c.expiryMs };
    return [];
  }

  /**
   * The network tier's actions, or `undefined` when it is ready for the next tier at `nowMs`. Credentials that need no request
   * (app key, opaque token) are installed by `authenticate()` without any action; without this step a
   * fresh core with such credentials answered `[]` (nothing to do) while it was not authenticated at all.
   */
  #networkActions(nowMs: number): AukiAction[] | undefined {
    if (this.isAuthenticated(nowMs)) return undefined;
    const actions = this.authenticate(nowMs);
    return actions.length === 0 && this.isAuthenticated(nowMs) ? undefined : actions;
  }

  /**
   * The discovery tier: the network tier's actions while the network token is not valid (a discovery
   * request is never built with an expired token), `[]` while the discovery token is valid, else the
   * discovery request.
   */
  authenticateDiscovery(nowMs: number): AukiAction[] {
    const network = this.#networkActions(nowMs);
    if (network) return network;
    if (this.#discovery && !isExpired(this.#discovery.expiresAt, nowMs)) return [];
    return [this.#discoveryRequest()];
  }

  /**
   * One step towards access to `domainId`: the network tier's actions, else the discovery
   * request, else `[]` when a valid access is cached, else the domain request. Call it again after feeding
   * the answers until `domainAccess(domainId, nowMs)` returns the access. Throws {@link AukiInputError}
   * for a domain id that is not a plain path segment.
   */
  getDomainAccess(domainId: string, nowMs: number): AukiAction[] {
    checkDomainId(domainId);
    const network = this.#networkActions(nowMs);
    if (network) return network;
    if (!this.#discovery || isExpired(this.#discovery.expiresAt, nowMs)) return [this.#discoveryRequest()];
    // Sweep expired accesses on every lookup, so a long-lived core asked for many domains holds only the
    // accesses still usable rather than one entry per domain ever asked for.
    for (const [id, access] of this.#domains)
      if (isExpired(access.expiresAt, nowMs)) this.#domains.delete(id);
    const cached = this.#domains.get(domainId);
    if (cached && !isExpired(cached.expiresAt, nowMs)) return [];
    const discovery = this.#discovery.token;
    return [
      this.#request(
        'domain_access',
        `${this.#config.ddsUrl}/api/v1/domains/${domainId}/auth`,
        {
          'Content-Type': 'application/json',
          Authorization: `Bearer ${discovery}`,
          'posemesh-client-id': this.#config.clientId,
        },
        '{}',
        domainId,
      ),
    ];
  }

  /**
   * Feeds the answer to the oldest pending request (first in, first out) and returns what it meant
   *. With no pending request it returns `[]` and changes nothing. Failed logins, discovery and
   * domain calls leave existing tokens as they were. A refresh refused with a 4xx (other than 408, 425, 429)
   * drops every token and pending request (`requiresReauth: true`, then `AuthenticationRequired`); any other
   * failed refresh (5xx, 408, 425, 429, an unreadable 200) is an outage and keeps every token and the other
   * pending requests (`requiresReauth: false`, `retryPossible: true`), so a request issued after the refresh
   * in the same batch is answered normally and the next `authenticate()` tries the refresh again.
   */
  handleResponse(
    status: number,
    body: string,
    nowMs: number,
    options: AukiResponseOptions = {},
  ): AukiEvent[] {
    if (options.requestId !== undefined) {
      const index = this.#pending.findIndex((p) => p.requestId === options.requestId);
      if (index < 0) return [];
      if (index > 0)
        throw new AukiProtocolError(
          `Response for request ${options.requestId} arrived before the answer to request ${this.#pending[0]!.requestId}; feed answers in the order the actions were issued.`,
        );
    }
    const op = this.#pending.shift();
    if (!op) return [];
    const text = typeof body === 'string' ? body : String(body);
    switch (op.operation) {
      case 'login':
        return this.#onLogin(status, text);
      case 'refresh':
        return this.#onRefresh(status, text, nowMs);
      case 'discovery':
        return this.#onDiscovery(status, text);
      default:
        return this.#onDomain(op.domainId!, status, text);
    }
  }

  /**
   * Forgets a pending request whose answer will never come (the transport failed or was aborted), so later
   * answers are matched to the right requests. Returns false when it was not pending.
   */
  abandonRequest(requestId: number): boolean {
    const index = this.#pending.findIndex((p) => p.requestId === requestId);
    if (index < 0) return false;
    this.#pending.splice(index, 1);
    return true;
  }

  /** The requests waiting for answers, oldest first. */
  pendingRequests(): PendingRequest[] {
    return this.#pending.map((p) => ({ ...p }));
  }

  /** The network token held (possibly expired), without its refresh token. */
  networkToken(): NetworkToken | undefined {
    const n = this.#network;
    return n && { token: n.token, expiresAt: n.expiresAt, refreshable: n.refreshToken !== '' };
  }

  /** The discovery token held (possibly expired). */
  discoveryToken(): AukiToken | undefined {
    return this.#discovery && { ...this.#discovery };
  }

  /** The cached access to `domainId`; with `nowMs`, only if it has not expired. */
  domainAccess(domainId: string, nowMs?: number): DomainAccess | undefined {
    const access = this.#domains.get(domainId);
    if (!access || (nowMs !== undefined && isExpired(access.expiresAt, nowMs))) return undefined;
    return access;
  }

  /** The domain server of the cached access to `domainId`. */
  domainServer(domainId: string): DomainAccess['domainServer'] | undefined {
    return this.#domains.get(domainId)?.domainServer;
  }

  /** Every cached domain access (possibly expired), by requested domain id. */
  allDomains(): Map<string, DomainAccess> {
    return new Map(this.#domains);
  }

  /** Drops the cached access to one domain. */
  clearDomainAccess(domainId: string): void {
    this.#domains.delete(domainId);
  }

  /** Drops every cached domain access. */
  clearAllDomainAccesses(): void {
    this.#domains.clear();
  }

  /** Drops every token and pending request (credentials are kept). */
  forceReauth(): AukiEvent[] {
    this.#wipe();
    return [{ type: 'TokensInvalidated' }, { type: 'AuthenticationRequired' }];
  }

  /**
   * Call after restoring: an expired network token that cannot be refreshed (restored without its
   * refresh token) drops everything (`[TokensInvalidated, AuthenticationRequired]`); one that can is kept for
   * the next step to refresh (a state saved during an outage restores as it was). An expired discovery token
   * drops it and every domain access; expired domain accesses are dropped one by one.
   */
  validateState(nowMs: number): AukiEvent[] {
    const net = this.#network;
    if (net && isExpired(net.expiresAt, nowMs) && net.refreshToken === '') return this.forceReauth();
    if (this.#discovery && isExpired(this.#discovery.expiresAt, nowMs)) {
      this.#discovery = undefined;
      this.#domains.clear();
      return [];
    }
    for (const [id, access] of this.#domains)
      if (isExpired(access.expiresAt, nowMs)) this.#domains.delete(id);
    return [];
  }

  /**
   * The refresh token, for the caller to seal before saving (it is never written in clear by
   * `saveState`). Undefined when there is none.
   */
  exportRefreshToken(): string | undefined {
    return this.#network?.refreshToken || undefined;
  }

  /**
   * The state as versioned JSON text: tokens and domain accesses, never credentials, never a refresh token
   * in clear (only `sealedRefreshToken`, if given) and never the app-key token (it is the key and secret
   * in base64; set the credentials again after restoring). Pending requests are not saved.
   */
  saveState(options: AukiSaveStateOptions = {}): string {
    const n = this.#network;
    const network =
      n && !n.token.startsWith('Basic ')
        ? {
            token: n.token,
            expires_at: n.expiresAt,
            ...(options.sealedRefreshToken === undefined || n.refreshToken === ''
              ? {}
              : { sealed_refresh_token: options.sealedRefreshToken }),
          }
        : null;
    const domains: Record<string, ReturnType<typeof toDomainAccessWire>> = {};
    for (const [id, access] of this.#domains) domains[id] = toDomainAccessWire(access);
    return JSON.stringify({
      format: STATE_FORMAT,
      version: STATE_VERSION,
      network_auth: network,
      discovery_auth: this.#discovery
        ? { token: this.#discovery.token, expires_at: this.#discovery.expiresAt }
        : null,
      domain_accesses: domains,
    });
  }

  #wipe(): void {
    this.#network = undefined;
    this.#discovery = undefined;
    this.#domains.clear();
    this.#pending = [];
  }

  #request(
    operation: AukiOperation,
    url: string,
    headers: Record<string, string>,
    body: string | null,
    domainId?: string,
  ): HttpRequestAction {
    const requestId = this.#nextRequestId++;
    const pending: PendingRequest = { requestId, operation };
    if (domainId !== undefined) pending.domainId = domainId;
    this.#pending.push(pending);
    return {
      type: 'HttpRequest',
      requestId,
      operation,
      ...(domainId === undefined ? {} : { domainId }),
      method: 'POST',
      url,
      headers,
      body,
    };
  }

  #refreshRequest(refreshToken: string): HttpRequestAction {
    const c = this.#credentials;
    if (c?.type === 'opaque' && c.oidcClientId) {
      // Upstream writes these values raw; they are form-encoded here so a token with "&" or "=" survives.
      const form = new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: refreshToken,
        client_id: c.oidcClientId,
      });
      return this.#request(
        'refresh',
        this.#config.refreshUrl,
        { 'Content-Type': 'application/x-www-form-urlencoded' },
        form.toString(),
      );
    }
    return this.#request(
      'refresh',
      this.#config.refreshUrl,
      { 'Content-Type': 'application/json', Authorization: `Bearer ${refreshToken}` },
      null,
    );
  }

  #discoveryRequest(): HttpRequestAction {
    const token = this.#network!.token;
    const authorization =
      token.startsWith('Basic ') || token.startsWith('Bearer ') ? token : `Bearer ${token}`;
    return this.#request(
      'discovery',
      `${this.#config.apiUrl}/service/domains-access-token`,
      { 'Content-Type': 'application/json', Authorization: authorization },
      '{}',
    );
  }

  #onLogin(status: number, body: string): AukiEvent[] {
    if (status !== 200)
      return [
        { type: 'NetworkAuthFailed', reason: httpReason(status, body), status, retryPossible: status >= 500 },
      ];
    const parsed = parseBody(LoginResponse, body);
    if (!parsed.ok) return [{ type: 'NetworkAuthFailed', reason: parsed.reason, retryPossible: false }];
    const expiry = tokenExpiry(parsed.value.access_token);
    if (!expiry.ok) return [{ type: 'NetworkAuthFailed', reason: expiry.reason, retryPossible: false }];
    this.#network = {
      token: parsed.value.access_token,
      refreshToken: parsed.value.refresh_token,
      expiresAt: expiry.value,
    };
    // With a refresh token the core never logs in silently again: the password is dropped.
    if (parsed.value.refresh_token !== '') this.#credentials = undefined;
    return [{ type: 'NetworkAuthSuccess', token: parsed.value.access_token, expiresAt: expiry.value }];
  }

  #onRefresh(status: number, body: string, nowMs: number): AukiEvent[] {
    if (isRefusal(status)) {
      this.#wipe();
      return [
        {
          type: 'NetworkTokenRefreshFailed',
          reason: httpReason(status, body),
          status,
          requiresReauth: true,
          retryPossible: false,
        },
        { type: 'AuthenticationRequired' },
      ];
    }
    // An outage: every token and the other pending requests stay as they were.
    const unavailable = (reason: string, code?: number): AukiEvent[] => [
      {
        type: 'NetworkTokenRefreshFailed',
        reason,
        ...(code === undefined ? {} : { status: code }),
        requiresReauth: false,
        retryPossible: true,
      },
    ];
    if (status !== 200) return unavailable(httpReason(status, body), status);
    const parsed = parseBody(RefreshResponse, body);
    if (!parsed.ok) return unavailable(parsed.reason);
    let expiresAt: number;
    // null (sent by the upstream service) and absent both mean "read the JWT exp".
    if (parsed.value.expires_in !== undefined && parsed.value.expires_in !== null) {
      // Upstream reads the wall clock here; the injected clock keeps the core deterministic.
      expiresAt = nowMs + parsed.value.expires_in * 1000;
    } else {
      const expiry = tokenExpiry(parsed.value.access_token);
      if (!expiry.ok) return unavailable(expiry.reason);
      expiresAt = expiry.value;
    }
    this.#network = { token: parsed.value.access_token, refreshToken: parsed.value.refresh_token, expiresAt };
    return [{ type: 'NetworkTokenRefreshed', token: parsed.value.access_token, expiresAt }];
  }

  #onDiscovery(status: number, body: string): AukiEvent[] {
    if (status !== 200) return [{ type: 'DiscoveryAuthFailed', reason: httpReason(status, body), status }];
    const parsed = parseBody(DiscoveryResponse, body);
    if (!parsed.ok) return [{ type: 'DiscoveryAuthFailed', reason: parsed.reason }];
    const expiry = tokenExpiry(parsed.value.access_token);
    if (!expiry.ok) return [{ type: 'DiscoveryAuthFailed', reason: expiry.reason }];
    this.#discovery = { token: parsed.value.access_token, expiresAt: expiry.value };
    return [{ type: 'DiscoveryAuthSuccess', token: parsed.value.access_token, expiresAt: expiry.value }];
  }

  #onDomain(domainId: string, status: number, body: string): AukiEvent[] {
    if (status !== 200)
      return [{ type: 'DomainAccessDenied', domainId, reason: httpReason(status, body), status }];
    const parsed = parseBody(DomainAccessResponse, body);
    if (!parsed.ok) return [{ type: 'DomainAccessDenied', domainId, reason: parsed.reason }];
    const expiry = tokenExpiry(parsed.value.access_token);
    if (!expiry.ok) return [{ type: 'DomainAccessDenied', domainId, reason: expiry.reason }];
    const domain = toDomainAccess(parsed.value, expiry.value);
    this.#domains.set(domainId, domain);
    return [{ type: 'DomainAccessGranted', domainId, domain }];
  }
}
