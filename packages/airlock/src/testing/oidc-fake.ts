/**
 * A fake OIDC identity provider shaped like the Airlock Keycloak realm: discovery, device authorization
 * (RFC 8628), authorization code with S256 PKCE, refresh rotation with reuse detection, revocation
 * (RFC 7009), JWTs signed with jose and a clock the test controls. Node only.
 *
 * @module
 */
import {
  base64UrlEncode,
  constantTimeEqual,
  isPkceVerifier,
  pkceChallengeS256,
  randomBytes,
  utf8Encode,
} from '@x/crypto';
import {
  createFaultInjector,
  createRequestRecorder,
  type FakeCors,
  type FaultInjector,
  fakeCors,
  type RequestRecorder,
  startTestServer,
  type TestServer,
} from '@x/http-core/testing';
import { type Context, Hono } from 'hono';
import {
  createLocalJWKSet,
  exportJWK,
  generateKeyPair,
  type JWK,
  type JWTPayload,
  jwtVerify,
  SignJWT,
} from 'jose';
import { OidcFakeClock } from './oidc-clock.ts';

export { OidcFakeClock } from './oidc-clock.ts';

/** Options of {@link startFakeOidcProvider}. */
export interface FakeOidcProviderOptions {
  /** The realm name; the realm URL is `<server>/realms/<realm>` (default `airlock`). */
  realm?: string;
  /** The client ids the provider knows (default `['airlock-integrations']`); others get `invalid_client`. */
  clientIds?: readonly string[];
  /** The clock every expiry and poll check reads (default a new {@link OidcFakeClock}); share one with other fakes. */
  clock?: OidcFakeClock;
  /** Access token lifetime in seconds (default 300, Keycloak's). */
  accessTokenTtl?: number;
  /** Refresh token lifetime in seconds (default 1800). */
  refreshTokenTtl?: number;
  /** Device code lifetime in seconds (default 600). */
  deviceCodeTtl?: number;
  /** The polling interval the provider asks for, in seconds (default 5). */
  deviceInterval?: number;
  /** Authorization code lifetime in seconds (default 60). */
  authorizationCodeTtl?: number;
  /** Whether each refresh issues a new refresh token and retires the old one (default true). */
  rotateRefreshTokens?: boolean;
  /** The `aud` of access tokens (default `airlock-gateway`). */
  audience?: string;
  /** The subject of tokens when a test approves without naming one (default `user-1`). */
  defaultSubject?: string;
  /** Which redirect URIs the client may use (default: any `http://localhost`, `http://127.0.0.1` or https URI). */
  allowRedirectUri?: (uri: string) => boolean;
  /** Endpoints left out of discovery, to test clients against a provider without them. */
  omitEndpoints?: ReadonlyArray<
    'device_authorization_endpoint' | 'authorization_endpoint' | 'revocation_endpoint'
  >;
  /**
   * CORS for a browser client under test (default: any loopback `http` origin; `false` for none), as Keycloak
   * does for a client's web origins: preflights answered before the recorder and faults. See {@link FakeCors}.
   */
  cors?: FakeCors;
  /** The loopback port to listen on (default 0: one the OS picks). A fixed port suits a long-running sandbox. */
  port?: number;
}

/** A device login as the fake sees it. */
export interface FakeDeviceAuthorization {
  /** The code the user types (`XXXX-XXXX`). */
  userCode: string;
  /** Where the login stands. */
  status: 'pending' | 'approved' | 'denied' | 'consumed';
  /** How many times the client polled the token endpoint with it. */
  polls: number;
  /** How many times the provider answered `slow_down`. */
  slowDowns: number;
  /** The interval the provider currently requires, in seconds. */
  interval: number;
  /** When the code expires, epoch ms on the fake's clock. */
  expiresAt: number;
}

/** The claims of an access token the fake issued. */
export interface FakeOidcAccessClaims extends JWTPayload {
  /** The user. */
  sub: string;
  /** The client the token was issued to. */
  azp: string;
  /** The granted scope. */
  scope: string;
  /** The grant (login) the token belongs to; revoking its refresh token revokes the grant. */
  sid: string;
}

/** How {@link FakeOidcProvider.authorize} answers as the user. */
export interface FakeAuthorizeOptions {
  /** Refuse instead of approving (the redirect carries `error=access_denied`). */
  deny?: boolean;
  /** The user who signs in (default: the provider's default subject). */
  subject?: string;
}

/** What {@link FakeOidcProvider.completeAuthorization} saw when the browser followed the redirect. */
export interface FakeBrowserResult {
  /** The redirect URL the provider sent the browser to. */
  redirectUrl: string;
  /** The status the redirect target answered with. */
  status: number;
  /** The page it answered with. */
  body: string;
}

interface Grant {
  id: string;
  subject: string;
  clientId: string;
  scope: string;
  revoked: boolean;
}

interface DeviceRecord extends FakeDeviceAuthorization {
  deviceCode: string;
  clientId: string;
  scope: string;
  lastPollAt: number;
  subject?: string;
}

interface CodeRecord {
  clientId: string;
  redirectUri: string;
  challenge: string;
  scope: string;
  subject: string;
  expiresAt: number;
  used: boolean;
  grantId?: string;
}

interface RefreshRecord {
  grantId: string;
  expiresAt: number;
  used: boolean;
}

class OAuthFailure extends Error {
  constructor(
    readonly error: string,
    readonly description: string,
    readonly status = 400,
  ) {
    super(description);
  }
}

const USER_CODE_ALPHABET = 'BCDFGHJKLMNPQRSTVWXZ'; // RFC 8628 §6.1: no vowels, no look-alikes
const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

function randomToken(bytes = 32): string {
  return base64UrlEncode(randomBytes(bytes));
}

function newUserCode(): string {
  const bytes = randomBytes(8);
  let code = '';
  for (let i = 0; i < 8; i++) {
    if (i === 4) code += '-';
    code += USER_CODE_ALPHABET[bytes[i]! % USER_CODE_ALPHABET.length];
  }
  return code;
}

function normalizeUserCode(code: string): string {
  return code.toUpperCase().replace(/[^A-Z]/g, '');
}

function sameText(a: string, b: string): boolean {
  return constantTimeEqual(utf8Encode(a), utf8Encode(b));
}

function defaultAllowRedirectUri(uri: string): boolean {
  try {
    const url = new URL(uri);
    if (url.hash) return false;
    return (
      url.protocol === 'https:' ||
      (url.protocol === 'http:' && (url.hostname === 'localhost' || url.hostname === '127.0.0.1'))
    );
  } catch {
    return false;
  }
}

/**
 * A running fake identity provider. Point an `AirlockAuthClient` at {@link realmUrl}; play the user with
 * {@link approveDevice}, {@link denyDevice}, {@link authorize} and {@link completeAuthorization}; move time
 * with the clock.
 */
export class FakeOidcProvider {
  /** The server's base URL (`http://127.0.0.1:<port>`). */
  readonly url: string;
  /** The realm URL to give the client as `baseUrl`; also the token issuer. */
  readonly realmUrl: string;
  /** The clock the provider reads; advance it to expire codes and tokens. */
  readonly clock: OidcFakeClock;
  /** Every request the provider received. */
  readonly recorder: RequestRecorder;
  /** Scripted failures (503s, resets, delays) for the next requests. */
  readonly faults: FaultInjector;

  readonly #server: TestServer;
  readonly #state: ProviderState;

  /** @internal Use {@link startFakeOidcProvider}. */
  constructor(server: TestServer, state: ProviderState) {
    this.#server = server;
    this.#state = state;
    this.url = server.url;
    this.realmUrl = `${server.url}/realms/${state.realm}`;
    this.clock = state.clock;
    this.recorder = state.recorder;
    this.faults = state.faults;
  }

  /** The device logins started so far, oldest first. */
  get deviceAuthorizations(): FakeDeviceAuthorization[] {
    return [...this.#state.devices.values()].map((d) => ({
      userCode: d.userCode,
      status: d.status,
      polls: d.polls,
      slowDowns: d.slowDowns,
      interval: d.interval,
      expiresAt: d.expiresAt,
    }));
  }

  /** Approves a device login as the user would on the verification page. */
  approveDevice(userCode: string, options: { subject?: string } = {}): void {
    const device = this.#device(userCode);
    device.status = 'approved';
    device.subject = options.subject ?? this.#state.defaultSubject;
  }

  /** Refuses a device login as the user would on the verification page. */
  denyDevice(userCode: string): void {
    this.#device(userCode).status = 'denied';
  }

  /**
   * Plays the user's browser on the authorization URL: sends it to the provider over HTTP, the user signs
   * in (or refuses), and returns the redirect URL the provider answers with (`code` or `error`, and `state`).
   *
   * @throws {Error} when the provider refuses to redirect (unknown client, bad redirect URI).
   */
  async authorize(authorizationUrl: string, options: FakeAuthorizeOptions = {}): Promise<string> {
    const state = new URL(authorizationUrl).searchParams.get('state');
    const decision = { deny: options.deny ?? false, subject: options.subject ?? this.#state.defaultSubject };
    this.#state.decisions.set(state ?? '', decision);
    const response = await fetch(authorizationUrl, { redirect: 'manual' });
    await response.body?.cancel();
    const location = response.headers.get('location');
    if (response.status !== 302 || !location) {
      throw new Error(`The provider did not redirect (HTTP ${response.status}).`);
    }
    return location;
  }

  /**
   * {@link authorize}, then follows the redirect as the browser would (e.g. to a loopback callback server)
   * and returns what that page answered.
   */
  async completeAuthorization(
    authorizationUrl: string,
    options: FakeAuthorizeOptions = {},
  ): Promise<FakeBrowserResult> {
    const redirectUrl = await this.authorize(authorizationUrl, options);
    const response = await fetch(redirectUrl, { redirect: 'manual' });
    return { redirectUrl, status: response.status, body: await response.text() };
  }

  /**
   * Checks an access token as a resource server would: signature, issuer, expiry on the fake's clock, and
   * that neither the token nor its grant was revoked. Resolves with the claims, or `undefined`.
   */
  async verifyAccessToken(token: string): Promise<FakeOidcAccessClaims | undefined> {
    try {
      const { payload } = await jwtVerify(token, this.#state.jwks, {
        issuer: this.realmUrl,
        currentDate: new Date(this.#state.clock.now()),
        algorithms: ['ES256'],
      });
      const claims = payload as FakeOidcAccessClaims;
      if (claims.jti && this.#state.revokedAccessTokens.has(claims.jti)) return undefined;
      if (this.#state.grants.get(claims.sid)?.revoked !== false) return undefined;
      return claims;
    } catch {
      return undefined;
    }
  }

  /** True while a refresh token is usable: issued here, not used (with rotation), revoked or expired. */
  isRefreshTokenActive(token: string): boolean {
    const record = this.#state.refreshTokens.get(token);
    if (!record) return false;
    const grant = this.#state.grants.get(record.grantId);
    return !record.used && !!grant && !grant.revoked && this.#state.clock.now() < record.expiresAt;
  }

  /** Revokes every grant (all sessions), or those of one user, as an administrator would. */
  revokeAll(subject?: string): void {
    for (const grant of this.#state.grants.values()) {
      if (subject === undefined || grant.subject === subject) grant.revoked = true;
    }
  }

  /** Stops the server (again: the first call's outcome). */
  close(): Promise<void> {
    return this.#server.close();
  }

  /** {@link FakeOidcProvider.close}, for `await using idp = await startFakeOidcProvider()`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  #device(userCode: string): DeviceRecord {
    const wanted = normalizeUserCode(userCode);
    for (const device of this.#state.devices.values()) {
      if (normalizeUserCode(device.userCode) === wanted) return device;
    }
    throw new Error(`No device login with user code ${userCode}.`);
  }
}

interface ProviderState {
  realm: string;
  clientIds: ReadonlySet<string>;
  clock: OidcFakeClock;
  accessTokenTtl: number;
  refreshTokenTtl: number;
  deviceCodeTtl: number;
  deviceInterval: number;
  authorizationCodeTtl: number;
  rotate: boolean;
  audience: string;
  defaultSubject: string;
  allowRedirectUri: (uri: string) => boolean;
  omit: ReadonlySet<string>;
  cors: FakeCors | undefined;
  recorder: RequestRecorder;
  faults: FaultInjector;
  privateKey: CryptoKey;
  publicJwk: JWK;
  jwks: ReturnType<typeof createLocalJWKSet>;
  grants: Map<string, Grant>;
  devices: Map<string, DeviceRecord>;
  codes: Map<string, CodeRecord>;
  refreshTokens: Map<string, RefreshRecord>;
  revokedAccessTokens: Set<string>;
  decisions: Map<string, { deny: boolean; subject: string }>;
}

/**
 * Starts a fake identity provider on a loopback port.
 *
 * @example
 * ```ts
 * const idp = await startFakeOidcProvider();
 * const auth = new AirlockAuthClient({ baseUrl: idp.realmUrl, sleep: async (ms) => idp.clock.advance(ms), now: () => idp.clock.now() });
 * const login = auth.login((info) => idp.approveDevice(info.userCode));
 * await login;
 * await idp.close();
 * ```
 */
export async function startFakeOidcProvider(
  options: FakeOidcProviderOptions = {},
): Promise<FakeOidcProvider> {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  const publicJwk = { ...(await exportJWK(publicKey)), kid: randomToken(8), alg: 'ES256', use: 'sig' };
  const state: ProviderState = {
    realm: options.realm ?? 'airlock',
    clientIds: new Set(options.clientIds ?? ['airlock-integrations']),
    clock: options.clock ?? new OidcFakeClock(),
    accessTokenTtl: options.accessTokenTtl ?? 300,
    refreshTokenTtl: options.refreshTokenTtl ?? 1800,
    deviceCodeTtl: options.deviceCodeTtl ?? 600,
    deviceInterval: options.deviceInterval ?? 5,
    authorizationCodeTtl: options.authorizationCodeTtl ?? 60,
    rotate: options.rotateRefreshTokens ?? true,
    audience: options.audience ?? 'airlock-gateway',
    defaultSubject: options.defaultSubject ?? 'user-1',
    allowRedirectUri: options.allowRedirectUri ?? defaultAllowRedirectUri,
    omit: new Set(options.omitEndpoints ?? []),
    cors: options.cors,
    recorder: createRequestRecorder(),
    faults: createFaultInjector(),
    privateKey,
    publicJwk,
    jwks: createLocalJWKSet({ keys: [publicJwk] }),
    grants: new Map(),
    devices: new Map(),
    codes: new Map(),
    refreshTokens: new Map(),
    revokedAccessTokens: new Set(),
    decisions: new Map(),
  };
  const server = await startTestServer(createApp(state), { port: options.port ?? 0 });
  return new FakeOidcProvider(server, state);
}

function createApp(s: ProviderState): Hono {
  const app = new Hono();
  app.use(fakeCors(s.cors));
  app.use(s.recorder.middleware);
  app.use(s.faults.middleware);
  const base = `/realms/${s.realm}`;
  const oidc = `${base}/protocol/openid-connect`;
  const issuerOf = (c: Context) => `${new URL(c.req.url).origin}${base}`;

  app.get(`${base}/.well-known/openid-configuration`, (c) => {
    const issuer = issuerOf(c);
    const doc: Record<string, unknown> = {
      issuer,
      authorization_endpoint: `${issuer}/protocol/openid-connect/auth`,
      token_endpoint: `${issuer}/protocol/openid-connect/token`,
      device_authorization_endpoint: `${issuer}/protocol/openid-connect/auth/device`,
      revocation_endpoint: `${issuer}/protocol/openid-connect/revoke`,
      jwks_uri: `${issuer}/protocol/openid-connect/certs`,
      grant_types_supported: ['authorization_code', 'refresh_token', DEVICE_GRANT],
      response_types_supported: ['code'],
      code_challenge_methods_supported: ['S256'],
      token_endpoint_auth_methods_supported: ['none'],
      scopes_supported: ['openid', 'profile', 'email'],
      id_token_signing_alg_values_supported: ['ES256'],
    };
    for (const key of s.omit) delete doc[key];
    return c.json(doc);
  });

  app.get(`${oidc}/certs`, (c) => c.json({ keys: [s.publicJwk] }));

  app.post(`${oidc}/auth/device`, async (c) => {
    const form = await formOf(c);
    if (!s.clientIds.has(form.client_id ?? ''))
      return oauthError(c, new OAuthFailure('invalid_client', 'Unknown client', 401));
    const issuer = issuerOf(c);
    const now = s.clock.now();
    const record: DeviceRecord = {
      deviceCode: randomToken(),
      userCode: newUserCode(),
      clientId: form.client_id!,
      scope: form.scope ?? 'openid',
      status: 'pending',
      polls: 0,
      slowDowns: 0,
      interval: s.deviceInterval,
      expiresAt: now + s.deviceCodeTtl * 1000,
      lastPollAt: now,
    };
    s.devices.set(record.deviceCode, record);
    return c.json(
      {
        device_code: record.deviceCode,
        user_code: record.userCode,
        verification_uri: `${issuer}/device`,
        verification_uri_complete: `${issuer}/device?user_code=${record.userCode}`,
        expires_in: s.deviceCodeTtl,
        interval: s.deviceInterval,
      },
      200,
      { 'Cache-Control': 'no-store' },
    );
  });

  app.get(`${base}/device`, (c) =>
    c.html(`<!doctype html><title>Device login</title><p>Enter the code shown on your device.</p>`),
  );

  app.get(`${oidc}/auth`, (c) => {
    const q = c.req.query();
    // RFC 6749 §4.1.2.1: with a bad client or redirect URI the provider must not redirect.
    if (!s.clientIds.has(q.client_id ?? '')) return c.html('<p>Unknown client.</p>', 400);
    const redirectUri = q.redirect_uri ?? '';
    if (!s.allowRedirectUri(redirectUri)) return c.html('<p>Invalid redirect URI.</p>', 400);
    const back = (params: Record<string, string | undefined>) => {
      const url = new URL(redirectUri);
      for (const [k, val] of Object.entries(params)) if (val !== undefined) url.searchParams.set(k, val);
      return c.redirect(url.toString(), 302);
    };
    if (q.response_type !== 'code') {
      return back({ error: 'unsupported_response_type', error_description: 'Only code', state: q.state });
    }
    if (!q.code_challenge || q.code_challenge_method !== 'S256') {
      return back({
        error: 'invalid_request',
        error_description: 'PKCE with S256 is required',
        state: q.state,
      });
    }
    const decision = s.decisions.get(q.state ?? '') ?? { deny: false, subject: s.defaultSubject };
    s.decisions.delete(q.state ?? '');
    if (decision.deny) {
      return back({
        error: 'access_denied',
        error_description: 'The user refused the login',
        state: q.state,
      });
    }
    const code = randomToken();
    s.codes.set(code, {
      clientId: q.client_id!,
      redirectUri,
      challenge: q.code_challenge,
      scope: q.scope ?? 'openid',
      subject: decision.subject,
      expiresAt: s.clock.now() + s.authorizationCodeTtl * 1000,
      used: false,
    });
    return back({ code, state: q.state });
  });

  app.post(`${oidc}/token`, async (c) => {
    const form = await formOf(c);
    try {
      const clientId = form.client_id ?? '';
      if (!s.clientIds.has(clientId)) throw new OAuthFailure('invalid_client', 'Unknown client', 401);
      let body: Record<string, unknown>;
      switch (form.grant_type) {
        case DEVICE_GRANT:
          body = await deviceGrant(s, c, clientId, form);
          break;
        case 'authorization_code':
          body = await codeGrant(s, c, clientId, form);
          break;
        case 'refresh_token':
          body = await refreshGrant(s, c, clientId, form);
          break;
        default:
          throw new OAuthFailure('unsupported_grant_type', `Unsupported grant type ${form.grant_type ?? ''}`);
      }
      return c.json(body, 200, { 'Cache-Control': 'no-store', Pragma: 'no-cache' });
    } catch (error) {
      if (error instanceof OAuthFailure) return oauthError(c, error);
      throw error;
    }
  });

  app.post(`${oidc}/revoke`, async (c) => {
    const form = await formOf(c);
    if (!s.clientIds.has(form.client_id ?? '')) {
      return oauthError(c, new OAuthFailure('invalid_client', 'Unknown client', 401));
    }
    const token = form.token ?? '';
    const refresh = s.refreshTokens.get(token);
    if (refresh) {
      const grant = s.grants.get(refresh.grantId);
      if (grant && grant.clientId === form.client_id) grant.revoked = true;
    } else {
      // An access token: revoke it alone. Unknown tokens still get 200 (RFC 7009 §2.2).
      try {
        const { payload } = await jwtVerify(token, s.jwks, { currentDate: new Date(s.clock.now()) });
        if (payload.jti) s.revokedAccessTokens.add(payload.jti);
      } catch {}
    }
    return c.body(null, 200);
  });

  return app;
}

async function formOf(c: Context): Promise<Record<string, string | undefined>> {
  if (!(c.req.header('content-type') ?? '').startsWith('application/x-www-form-urlencoded')) return {};
  return Object.fromEntries(new URLSearchParams(await c.req.text()));
}

function oauthError(c: Context, failure: OAuthFailure): Response {
  return c.json({ error: failure.error, error_description: failure.description }, failure.status as 400, {
    'Cache-Control': 'no-store',
  });
}

async function deviceGrant(
  s: ProviderState,
  c: Context,
  clientId: string,
  form: Record<string, string | undefined>,
): Promise<Record<string, unknown>> {
  const device = s.devices.get(form.device_code ?? '');
  if (!device || device.clientId !== clientId) throw new OAuthFailure('invalid_grant', 'Unknown device code');
  const now = s.clock.now();
  device.polls++;
  if (now >= device.expiresAt) throw new OAuthFailure('expired_token', 'The device code has expired');
  if (device.status === 'consumed')
    throw new OAuthFailure('invalid_grant', 'The device code was already used');
  // RFC 8628 §3.5: polled before the interval passed → slow_down, and the interval grows by 5 s for good.
  if (now - device.lastPollAt < device.interval * 1000) {
    device.lastPollAt = now;
    device.interval += 5;
    device.slowDowns++;
    throw new OAuthFailure('slow_down', 'Polling too fast');
  }
  device.lastPollAt = now;
  if (device.status === 'pending')
    throw new OAuthFailure('authorization_pending', 'The user has not finished');
  if (device.status === 'denied') throw new OAuthFailure('access_denied', 'The user denied the request');
  device.status = 'consumed';
  return issueTokens(s, c, newGrant(s, device.subject ?? s.defaultSubject, clientId, device.scope));
}

async function codeGrant(
  s: ProviderState,
  c: Context,
  clientId: string,
  form: Record<string, string | undefined>,
): Promise<Record<string, unknown>> {
  const record = s.codes.get(form.code ?? '');
  if (!record) throw new OAuthFailure('invalid_grant', 'Code not valid');
  if (record.used) {
    // RFC 6749 §4.1.2: a code used twice revokes what it already gave out.
    if (record.grantId) {
      const grant = s.grants.get(record.grantId);
      if (grant) grant.revoked = true;
    }
    throw new OAuthFailure('invalid_grant', 'Code already used');
  }
  record.used = true; // single use, even when this attempt fails
  if (s.clock.now() >= record.expiresAt) throw new OAuthFailure('invalid_grant', 'Code expired');
  if (record.clientId !== clientId)
    throw new OAuthFailure('invalid_grant', 'Code was issued to another client');
  if (form.redirect_uri !== record.redirectUri)
    throw new OAuthFailure('invalid_grant', 'Incorrect redirect_uri');
  const verifier = form.code_verifier;
  if (!verifier) throw new OAuthFailure('invalid_grant', 'PKCE code verifier not specified');
  if (!isPkceVerifier(verifier)) throw new OAuthFailure('invalid_grant', 'Invalid code verifier');
  if (!sameText(await pkceChallengeS256(verifier), record.challenge)) {
    throw new OAuthFailure(
      'invalid_grant',
      'PKCE verification failed: code verifier does not match the challenge',
    );
  }
  const grant = newGrant(s, record.subject, clientId, record.scope);
  record.grantId = grant.id;
  return issueTokens(s, c, grant);
}

async function refreshGrant(
  s: ProviderState,
  c: Context,
  clientId: string,
  form: Record<string, string | undefined>,
): Promise<Record<string, unknown>> {
  const record = s.refreshTokens.get(form.refresh_token ?? '');
  const grant = record ? s.grants.get(record.grantId) : undefined;
  if (!record || !grant) throw new OAuthFailure('invalid_grant', 'Invalid refresh token');
  if (grant.clientId !== clientId)
    throw new OAuthFailure('invalid_grant', 'Token was issued to another client');
  if (grant.revoked) throw new OAuthFailure('invalid_grant', 'Token is not active');
  if (record.used) {
    // A rotated refresh token came back: someone holds a stolen copy, so the whole grant goes.
    grant.revoked = true;
    throw new OAuthFailure('invalid_grant', 'Maximum allowed refresh token reuse exceeded');
  }
  if (s.clock.now() >= record.expiresAt) throw new OAuthFailure('invalid_grant', 'Token is not active');
  if (s.rotate) record.used = true;
  return issueTokens(s, c, grant, !s.rotate);
}

function newGrant(s: ProviderState, subject: string, clientId: string, scope: string): Grant {
  const grant = { id: randomToken(12), subject, clientId, scope, revoked: false };
  s.grants.set(grant.id, grant);
  return grant;
}

async function issueTokens(
  s: ProviderState,
  c: Context,
  grant: Grant,
  keepRefreshToken = false,
): Promise<Record<string, unknown>> {
  const issuer = `${new URL(c.req.url).origin}/realms/${s.realm}`;
  const nowSeconds = Math.floor(s.clock.now() / 1000);
  const accessToken = await new SignJWT({
    scope: grant.scope,
    azp: grant.clientId,
    sid: grant.id,
    typ: 'Bearer',
  })
    .setProtectedHeader({ alg: 'ES256', kid: s.publicJwk.kid!, typ: 'JWT' })
    .setIssuer(issuer)
    .setSubject(grant.subject)
    .setAudience(s.audience)
    .setIssuedAt(nowSeconds)
    .setExpirationTime(nowSeconds + s.accessTokenTtl)
    .setJti(randomToken(12))
    .sign(s.privateKey);
  const body: Record<string, unknown> = {
    access_token: accessToken,
    token_type: 'Bearer',
    expires_in: s.accessTokenTtl,
    refresh_expires_in: s.refreshTokenTtl,
    scope: grant.scope,
  };
  if (!keepRefreshToken) {
    const refreshToken = randomToken();
    s.refreshTokens.set(refreshToken, {
      grantId: grant.id,
      expiresAt: s.clock.now() + s.refreshTokenTtl * 1000,
      used: false,
    });
    body.refresh_token = refreshToken;
  }
  if (grant.scope.split(' ').includes('openid')) {
    body.id_token = await new SignJWT({ azp: grant.clientId, sid: grant.id, typ: 'ID' })
      .setProtectedHeader({ alg: 'ES256', kid: s.publicJwk.kid!, typ: 'JWT' })
      .setIssuer(issuer)
      .setSubject(grant.subject)
      .setAudience(grant.clientId)
      .setIssuedAt(nowSeconds)
      .setExpirationTime(nowSeconds + s.accessTokenTtl)
      .sign(s.privateKey);
  }
  return body;
}
