import { AbortError, NetworkError } from '@x/http-core';
import { startTestServer } from '@x/http-core/testing';
import { Hono } from 'hono';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AirlockAuthClient, AirlockAuthError, MemoryTokenStore } from '../src/auth/index.ts';
import type { AccessTokenProvider } from '../src/index.ts';
import { type Idp, signIn, startIdp } from './auth-kit.ts';

let ctx: Idp;
afterEach(async () => {
  await ctx?.idp.close();
});

async function failure(promise: Promise<unknown>): Promise<AirlockAuthError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(AirlockAuthError.isInstance(error), String(error)).toBe(true);
  return error as AirlockAuthError;
}

const TOKEN_PATH = '/realms/airlock/protocol/openid-connect/token';

describe('getAccessToken and refresh', () => {
  it('hands out the token until 30 s before expiry, then refreshes with rotation', async () => {
    ctx = await startIdp();
    const auth = ctx.client();
    const first = await signIn(ctx, auth);

    ctx.idp.clock.advance(269_999);
    expect(auth.isTokenExpired()).toBe(false);
    expect(await auth.getAccessToken()).toBe(first.accessToken);
    expect(ctx.tokenRequests('refresh_token')).toHaveLength(0);

    ctx.idp.clock.advance(1);
    expect(auth.isTokenExpired()).toBe(true);
    const renewed = await auth.getAccessToken();
    expect(renewed).not.toBe(first.accessToken);
    expect(await ctx.idp.verifyAccessToken(renewed)).toMatchObject({ sub: 'user-1' });
    const state = auth.getTokenState()!;
    expect(state.refreshToken).not.toBe(first.refreshToken);
    expect(state.expiresAt).toBe(ctx.idp.clock.now() + 270_000);
    expect(ctx.idp.isRefreshTokenActive(first.refreshToken!)).toBe(false);
    expect(ctx.idp.isRefreshTokenActive(state.refreshToken!)).toBe(true);
    expect(Object.fromEntries(new URLSearchParams(ctx.tokenRequests('refresh_token')[0]!.body))).toEqual({
      grant_type: 'refresh_token',
      client_id: 'airlock-integrations',
      refresh_token: first.refreshToken,
    });
  });

  it('shares one refresh among concurrent callers (single-flight)', async () => {
    ctx = await startIdp();
    const auth = ctx.client();
    await signIn(ctx, auth);
    ctx.idp.clock.advance(300_000);
    const tokens = await Promise.all([
      ...Array.from({ length: 10 }, () => auth.getAccessToken()),
      ...Array.from({ length: 5 }, () => auth.refreshAccessToken()),
    ]);
    expect(new Set(tokens).size).toBe(1);
    expect(ctx.tokenRequests('refresh_token')).toHaveLength(1);
    expect(await ctx.idp.verifyAccessToken(tokens[0]!)).toBeTruthy();

    // Once settled, a forced refresh is a new request.
    const again = await auth.refreshAccessToken();
    expect(again).not.toBe(tokens[0]);
    expect(ctx.tokenRequests('refresh_token')).toHaveLength(2);
  });

  it("lets one caller give up without failing the others' shared refresh", async () => {
    ctx = await startIdp();
    const auth = ctx.client();
    await signIn(ctx, auth);
    ctx.idp.faults.enqueue({ delayMs: 150, match: { method: 'POST', path: TOKEN_PATH } });
    const controller = new AbortController();
    const impatient = auth.refreshAccessToken({ signal: controller.signal });
    const patient = auth.refreshAccessToken();
    controller.abort();
    expect(AbortError.isInstance(await impatient.catch((e: unknown) => e))).toBe(true);
    expect(await ctx.idp.verifyAccessToken(await patient)).toBeTruthy();
    expect(ctx.tokenRequests('refresh_token')).toHaveLength(1);
  });

  it('ends the session when the provider refuses a revoked refresh token', async () => {
    ctx = await startIdp();
    const store = new MemoryTokenStore();
    const auth = ctx.client({ store });
    await signIn(ctx, auth);
    ctx.idp.revokeAll();
    const error = await failure(auth.refreshToken());
    expect(error.code).toBe('invalid_grant');
    expect(error.message).toMatch(/^Token refresh failed: invalid_grant/);
    expect(auth.isLoggedIn()).toBe(false);
    expect(store.load()).toBeUndefined();
    expect((await failure(auth.getAccessToken())).code).toBe('not_logged_in');
  });

  it('detects a rotated refresh token coming back and the provider revokes the whole session', async () => {
    ctx = await startIdp();
    const auth = ctx.client();
    const first = await signIn(ctx, auth);
    const second = await auth.refreshToken();

    // A stolen copy of the first refresh token is replayed elsewhere.
    const thief = ctx.client();
    await thief.restoreTokens(first);
    expect((await failure(thief.refreshToken())).code).toBe('invalid_grant');
    expect(await ctx.idp.verifyAccessToken(second.accessToken)).toBeUndefined();
    expect((await failure(auth.refreshToken())).code).toBe('invalid_grant');
    expect(auth.isLoggedIn()).toBe(false);
  });

  it('keeps the session when the refresh hits a network failure', async () => {
    ctx = await startIdp();
    const auth = ctx.client();
    const tokens = await signIn(ctx, auth);
    ctx.idp.faults.enqueue({ reset: true, match: { method: 'POST', path: TOKEN_PATH } });
    const error = await failure(auth.refreshToken());
    expect(error).toMatchObject({ code: 'refresh_unavailable', retryable: true });
    expect(NetworkError.isInstance(error.cause)).toBe(true);
    expect(auth.getTokenState()).toEqual(tokens);
    expect(await auth.refreshAccessToken()).toBeTruthy();
  });

  // An outage is not a refusal: the provider answering 5xx or 429, even with an OAuth error body, or an
  // answer that cannot be read, keeps every token (in memory and in the store) and throws a retryable error.
  it.each([
    ['HTTP 500 server_error', { status: 500, body: { error: 'server_error' } }],
    ['HTTP 503 temporarily_unavailable', { status: 503, body: { error: 'temporarily_unavailable' } }],
    ['HTTP 429', { status: 429, body: { error: 'slow_down' }, headers: { 'Retry-After': '2' } }],
    ['HTTP 502 with an HTML page', { status: 502, body: '<html>Bad gateway</html>' }],
    ['HTTP 200 that is not a token answer', { status: 200, body: { hello: 'world' } }],
    ['HTTP 400 with an unknown, non-OAuth body', { status: 400, body: 'nope' }],
  ] as const)('keeps the session on %s', async (_name, fault) => {
    ctx = await startIdp();
    const store = new MemoryTokenStore();
    const auth = ctx.client({ store });
    const tokens = await signIn(ctx, auth);
    ctx.idp.faults.enqueue({ ...fault, match: { method: 'POST', path: TOKEN_PATH } });
    const error = await failure(auth.refreshToken());
    expect(error).toMatchObject({ code: 'refresh_unavailable', retryable: true });
    expect(auth.isLoggedIn()).toBe(true);
    expect(auth.getTokenState()).toEqual(tokens);
    expect(store.load()).toEqual(tokens);
    // The next call tries again and succeeds.
    expect((await auth.refreshToken()).accessToken).not.toBe(tokens.accessToken);
    expect(ctx.tokenRequests('refresh_token')).toHaveLength(2);
  });

  it('puts no token into the error when the token answer fails its schema', async () => {
    ctx = await startIdp();
    const auth = ctx.client();
    await signIn(ctx, auth);
    const marker = 'leaked-MARKER-4b1e';
    ctx.idp.faults.enqueue({
      status: 200,
      headers: { 'set-cookie': `sid=${marker}` },
      body: {
        access_token: marker,
        refresh_token: marker,
        id_token: marker,
        token_type: 'Bearer',
        expires_in: '300',
      },
      match: { method: 'POST', path: TOKEN_PATH },
    });
    const error = await failure(auth.refreshToken());
    expect(error.code).toBe('refresh_unavailable');
    const { inspect } = await import('node:util');
    for (const text of [inspect(error, { depth: 10 }), JSON.stringify(error), String(error)])
      expect(text).not.toContain(marker);
  });

  it.each(['invalid_client', 'unauthorized_client'])(
    'keeps the tokens on %s (a configuration error) and throws it',
    async (code) => {
      ctx = await startIdp();
      const store = new MemoryTokenStore();
      const auth = ctx.client({ store });
      const tokens = await signIn(ctx, auth);
      ctx.idp.faults.enqueue({
        status: 401,
        body: { error: code },
        match: { method: 'POST', path: TOKEN_PATH },
      });
      const error = await failure(auth.refreshToken());
      expect(error).toMatchObject({ code, retryable: false });
      expect(auth.getTokenState()).toEqual(tokens);
      expect(store.load()).toEqual(tokens);
    },
  );

  it('keeps the refresh token when the provider does not rotate', async () => {
    ctx = await startIdp({ rotateRefreshTokens: false });
    const auth = ctx.client();
    const first = await signIn(ctx, auth);
    const second = await auth.refreshToken();
    expect(second.refreshToken).toBe(first.refreshToken);
    expect(second.accessToken).not.toBe(first.accessToken);
  });

  it('says no_refresh_token / session_expired / not_logged_in', async () => {
    ctx = await startIdp();
    const auth = ctx.client();
    expect((await failure(auth.getAccessToken())).code).toBe('not_logged_in');
    expect((await failure(auth.refreshToken())).code).toBe('not_logged_in');
    await auth.restoreTokens({ accessToken: 'opaque', expiresAt: ctx.idp.clock.now() + 1000 });
    expect(await auth.getAccessToken()).toBe('opaque');
    expect((await failure(auth.refreshToken())).code).toBe('no_refresh_token');
    ctx.idp.clock.advance(1000);
    expect((await failure(auth.getAccessToken())).code).toBe('session_expired');
    expect(ctx.idp.recorder.requests).toHaveLength(0);
  });

  it('does not bring a session back when logout happens during a refresh', async () => {
    // Without revocation the refresh itself succeeds; its result must still be dropped.
    ctx = await startIdp({ omitEndpoints: ['revocation_endpoint'] });
    const auth = ctx.client();
    await signIn(ctx, auth);
    ctx.idp.faults.enqueue({ delayMs: 100, match: { method: 'POST', path: TOKEN_PATH } });
    const refreshing = auth.refreshAccessToken().catch((e: unknown) => e);
    // Log out once the refresh request is on its way (a logout before it would stop it from being sent).
    await vi.waitFor(() => expect(ctx.tokenRequests('refresh_token')).toHaveLength(1));
    await auth.logout();
    const outcome = await refreshing;
    expect(AirlockAuthError.isInstance(outcome) && outcome.code).toBe('not_logged_in');
    expect(ctx.tokenRequests('refresh_token')).toHaveLength(1);
    expect(auth.isLoggedIn()).toBe(false);
  });

  it('works as the gateway client sees it: an AccessTokenProvider', async () => {
    ctx = await startIdp();
    const auth = ctx.client();
    await signIn(ctx, auth);
    const provider: AccessTokenProvider = auth;
    const token = await provider.getAccessToken();
    const fresh = await provider.refreshAccessToken();
    expect(fresh).not.toBe(token);
    expect(await provider.getAccessToken()).toBe(fresh);
  });
});

describe('logout (RFC 7009)', () => {
  it('revokes the refresh token at the provider and forgets the session', async () => {
    ctx = await startIdp();
    const store = new MemoryTokenStore();
    const auth = ctx.client({ store });
    const tokens = await signIn(ctx, auth);
    expect(await auth.logout()).toBe(true);
    expect(auth.isLoggedIn()).toBe(false);
    expect(auth.getTokenState()).toBeUndefined();
    expect(store.load()).toBeUndefined();
    expect(ctx.idp.isRefreshTokenActive(tokens.refreshToken!)).toBe(false);
    expect(await ctx.idp.verifyAccessToken(tokens.accessToken)).toBeUndefined();
    const revoke = ctx.idp.recorder.requests.find((r) => r.path.endsWith('/revoke'))!;
    expect(Object.fromEntries(new URLSearchParams(revoke.body))).toEqual({
      client_id: 'airlock-integrations',
      token: tokens.refreshToken,
      token_type_hint: 'refresh_token',
    });
    expect((await failure(auth.getAccessToken())).code).toBe('not_logged_in');
  });

  it('forgets the session even when revocation fails or is not offered', async () => {
    ctx = await startIdp();
    const auth = ctx.client();
    const tokens = await signIn(ctx, auth);
    ctx.idp.faults.enqueue({
      status: 500,
      match: { path: '/realms/airlock/protocol/openid-connect/revoke' },
    });
    expect(await auth.logout()).toBe(false);
    expect(auth.isLoggedIn()).toBe(false);
    expect(ctx.idp.isRefreshTokenActive(tokens.refreshToken!)).toBe(true);
    await ctx.idp.close();

    ctx = await startIdp({ omitEndpoints: ['revocation_endpoint'] });
    const other = ctx.client();
    await signIn(ctx, other);
    expect(await other.logout()).toBe(false);
    expect(other.isLoggedIn()).toBe(false);
    expect(await ctx.client().logout()).toBe(false); // signed out already: nothing to revoke
  });
});

describe('discovery', () => {
  it('is read once and shared, also by concurrent callers', async () => {
    ctx = await startIdp();
    const auth = ctx.client();
    const [a, b] = await Promise.all([auth.discover(), auth.discover()]);
    expect(a).toBe(b);
    expect(a).toMatchObject({
      issuer: ctx.idp.realmUrl,
      tokenEndpoint: `${ctx.idp.realmUrl}/protocol/openid-connect/token`,
      deviceAuthorizationEndpoint: `${ctx.idp.realmUrl}/protocol/openid-connect/auth/device`,
      authorizationEndpoint: `${ctx.idp.realmUrl}/protocol/openid-connect/auth`,
      revocationEndpoint: `${ctx.idp.realmUrl}/protocol/openid-connect/revoke`,
    });
    await signIn(ctx, auth);
    await auth.refreshToken();
    await auth.getAuthorizationUrl('http://localhost:1/callback');
    await auth.logout();
    const reads = ctx.idp.recorder.requests.filter((r) =>
      r.path.endsWith('/.well-known/openid-configuration'),
    );
    expect(reads).toHaveLength(1);
  });

  it('strips a trailing slash from the realm URL', async () => {
    ctx = await startIdp();
    const auth = ctx.client({ baseUrl: `${ctx.idp.realmUrl}/` });
    expect(auth.realmUrl).toBe(ctx.idp.realmUrl);
    await auth.discover();
    expect(ctx.idp.recorder.requests[0]!.path).toBe('/realms/airlock/.well-known/openid-configuration');
  });

  it('does not cache a failure', async () => {
    ctx = await startIdp();
    const auth = ctx.client();
    ctx.idp.faults.enqueue({ status: 404 });
    await expect(auth.discover()).rejects.toThrow(/404/);
    expect((await auth.discover()).tokenEndpoint).toBeTruthy();
  });

  it('says invalid_discovery without a token_endpoint', async () => {
    const server = await startTestServer(
      new Hono().get('/realms/x/.well-known/openid-configuration', (c) => c.json({ issuer: 'x' })),
    );
    try {
      const auth = new AirlockAuthClient({ baseUrl: `${server.url}/realms/x` });
      const error = await failure(auth.discover());
      expect(error.code).toBe('invalid_discovery');
      expect(error.message).toMatch(/token_endpoint/);
    } finally {
      await server.close();
    }
  });
});

describe('sessions in a store', () => {
  it('loads the saved session on first use and saves every change', async () => {
    ctx = await startIdp();
    const store = new MemoryTokenStore();
    const first = ctx.client({ store });
    const tokens = await signIn(ctx, first);
    expect(store.load()).toEqual(tokens);

    // A new process: the session comes from the store, no login needed.
    const second = ctx.client({ store });
    expect(second.isLoggedIn()).toBe(false); // not loaded yet
    expect(await second.getAccessToken()).toBe(tokens.accessToken);
    expect(second.isLoggedIn()).toBe(true);
    ctx.idp.clock.advance(300_000);
    const renewed = await second.getAccessToken();
    expect(store.load()?.accessToken).toBe(renewed);

    const third = ctx.client({ store });
    expect(await third.loadTokens()).toEqual(store.load());
  });

  it('lets clients sharing a store refresh in turn: the second adopts what the first saved', async () => {
    ctx = await startIdp();
    const store = new MemoryTokenStore();
    const first = ctx.client({ store });
    await signIn(ctx, first);
    const second = ctx.client({ store });
    await second.loadTokens();
    ctx.idp.clock.advance(300_000);
    const [a, b] = await Promise.all([first.getAccessToken(), second.getAccessToken()]);
    expect(a).toBe(b);
    expect(ctx.tokenRequests('refresh_token')).toHaveLength(1);
    expect(store.load()).toEqual(second.getTokenState());
  });

  it('exports and restores the state', async () => {
    ctx = await startIdp();
    const auth = ctx.client();
    await signIn(ctx, auth);
    const saved = JSON.parse(JSON.stringify(auth.getTokenState()));
    const restored = ctx.client();
    await restored.restoreTokens(saved);
    expect(restored.getTokenState()).toEqual(saved);
    expect(await restored.getAccessToken()).toBe(saved.accessToken);
    ctx.idp.clock.advance(300_000);
    expect(await ctx.idp.verifyAccessToken(await restored.getAccessToken())).toBeTruthy();
  });
});
