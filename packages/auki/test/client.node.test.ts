// AukiClient against the fake auth API and discovery service over real sockets, on the fake's clock.
import { AbortError, NetworkError } from '@x/http-core';
import { afterEach, describe, expect, it } from 'vitest';
import {
  AukiClient,
  type AukiClientOptions,
  AukiCredentialsRequiredError,
  AukiDiscoveryError,
  AukiDomainAccessDeniedError,
  type AukiEvent,
  AukiInputError,
  AukiLoginError,
  AukiReauthenticationRequiredError,
  AukiStateError,
} from '../src/index.ts';
import { type FakeAuki, type FakeAukiOptions, startFakeAuki } from '../src/testing/index.ts';

const USER = { email: 'ada@example.test', password: 'correct horse' };
const HOUR = 3_600_000;
let fake: FakeAuki | undefined;

afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

async function setup(fakeOptions: FakeAukiOptions = {}, clientOptions: Partial<AukiClientOptions> = {}) {
  fake = await startFakeAuki({
    users: [USER],
    domains: ['domain-1', 'domain-2', { id: 'paid', paymentRequired: true }],
    ...fakeOptions,
  });
  const events: AukiEvent[] = [];
  const f = fake;
  const client = new AukiClient({
    ...f.config('test-app'),
    credentials: { type: 'email', ...USER },
    now: () => f.clock.now(),
    onEvent: (e) => events.push(e),
    ...clientOptions,
  });
  return { fake: f, client, events };
}

describe('the chain', () => {
  it('login → discovery → domain on the wire, then the cache', async () => {
    const { fake, client } = await setup();
    const access = await client.getDomainAccess('domain-1');
    expect(access).toMatchObject({
      id: 'domain-1',
      domainServer: { url: 'https://domain-1.domains.example.test', cloudRegion: 'us-east-1' },
    });
    expect(access.expiresAt).toBe(fake.clock.now() + HOUR);
    const [login, discovery, domain] = fake.recorder.requests;
    expect(fake.recorder.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'POST /user/login',
      'POST /service/domains-access-token',
      'POST /api/v1/domains/domain-1/auth',
    ]);
    expect(JSON.parse(login!.body)).toEqual(USER);
    expect(login!.headers['content-type']).toBe('application/json');
    expect(login!.headers['user-agent']).toMatch(/^x-auki\/0\.0\.0 x-http-core\//);
    expect(discovery!.headers.authorization).toMatch(/^Bearer ey/);
    expect(discovery!.body).toBe('{}');
    expect(domain!.headers['posemesh-client-id']).toBe('test-app');
    expect(domain!.headers.authorization).toMatch(/^Bearer ey/);
    expect(domain!.headers.authorization).not.toBe(discovery!.headers.authorization);

    expect(await client.getDomainAccess('domain-1')).toBe(access);
    expect(client.getCachedDomainAccess('domain-1')).toBe(access);
    expect(fake.recorder.requests).toHaveLength(3);
    expect(client.authState()).toBe('Authenticated');
  });

  it('100 concurrent calls for one domain make one request per tier', async () => {
    const { fake, client } = await setup();
    const results = await Promise.all(Array.from({ length: 100 }, () => client.getDomainAccess('domain-1')));
    expect(new Set(results.map((r) => r.accessToken)).size).toBe(1);
    expect(fake.count('/user/login')).toBe(1);
    expect(fake.count('/service/domains-access-token')).toBe(1);
    expect(fake.count('/api/v1/domains/domain-1/auth')).toBe(1);
  });

  it('several domains at once share the login and discovery; each is cached', async () => {
    const { fake, client } = await setup();
    const [a, b, a2] = await Promise.all([
      client.getDomainAccess('domain-1'),
      client.getDomainAccess('domain-2'),
      client.getDomainAccess('domain-1'),
    ]);
    expect(a.id).toBe('domain-1');
    expect(b.id).toBe('domain-2');
    expect(a2).toBe(a);
    expect(fake.recorder.requests).toHaveLength(4);
    expect([...client.cachedDomains().keys()].sort()).toEqual(['domain-1', 'domain-2']);
  });
});

describe('refresh', () => {
  it('within the threshold: cached answers at once, and one refresh for 100 calls', async () => {
    const { fake, client, events } = await setup();
    const first = await client.getDomainAccess('domain-1');
    const before = (await client.authenticate()).token;
    fake.clock.advance(HOUR - 200_000); // 200 s left, inside the 300 s window
    const results = await Promise.all(Array.from({ length: 100 }, () => client.getDomainAccess('domain-1')));
    expect(results.every((r) => r === first)).toBe(true);
    const after = await client.authenticate(); // joins the background refresh
    expect(after.token).not.toBe(before);
    expect(after.expiresAt).toBe(fake.clock.now() + HOUR);
    expect(fake.count('/user/refresh')).toBe(1);
    expect(fake.count('/user/login')).toBe(1);
    expect(fake.recorder.requests.find((r) => r.path === '/user/refresh')!.headers.authorization).toMatch(
      /^Bearer rt_/,
    );
    expect(events.filter((e) => e.type === 'NetworkTokenRefreshed')).toHaveLength(1);
  });

  it('after expiry: refresh, then new discovery and domain tokens as needed', async () => {
    const { fake, client } = await setup({
      lifetimes: { networkSeconds: 600, discoverySeconds: 3600, domainSeconds: 900 },
    });
    await client.getDomainAccess('domain-1');
    fake.clock.advance(1000_000); // network and domain expired, discovery still valid
    const access = await client.getDomainAccess('domain-1');
    expect(access.expiresAt).toBe(fake.clock.now() + 900_000);
    expect(fake.recorder.requests.map((r) => r.path)).toEqual([
      '/user/login',
      '/service/domains-access-token',
      '/api/v1/domains/domain-1/auth',
      '/user/refresh',
      '/api/v1/domains/domain-1/auth',
    ]);
  });

  it('expires_in in the refresh answer sets the expiry on the injected clock', async () => {
    const { fake, client } = await setup({ refreshExpiresIn: true, lifetimes: { networkSeconds: 1200 } });
    await client.authenticate();
    fake.clock.advance(1000_000);
    const token = await client.authenticate();
    expect(token.expiresAt).toBe(fake.clock.now() + 1200_000);
  });

  it('a refused refresh drops every token: typed error, then sign in again', async () => {
    const { fake, client, events } = await setup();
    await client.getDomainAccess('domain-1');
    fake.revokeRefreshTokens();
    fake.clock.advance(2 * HOUR);
    const error = await client.getDomainAccess('domain-1').catch((e: unknown) => e);
    expect(AukiReauthenticationRequiredError.isInstance(error)).toBe(true);
    expect((error as AukiReauthenticationRequiredError).status).toBe(401);
    expect(events.map((e) => e.type)).toContain('AuthenticationRequired');
    expect(client.cachedDomains().size).toBe(0);
    expect(client.authState()).toBe('NeedsCredentials');
    await expect(client.getDomainAccess('domain-1')).rejects.toSatisfy((e: unknown) =>
      AukiCredentialsRequiredError.isInstance(e),
    );
    await client.switchUser({ type: 'email', ...USER });
    expect((await client.getDomainAccess('domain-1')).id).toBe('domain-1');
  });
});

describe('typed errors, and state unchanged after a failed step', () => {
  it('wrong password: AukiLoginError 401, not retryable; a 5xx is retryable', async () => {
    const { fake, client } = await setup(
      {},
      { credentials: { type: 'email', email: USER.email, password: 'not-the-pw-123' } },
    );
    const error = await client.authenticate().catch((e: unknown) => e);
    expect(AukiLoginError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ code: 'auki_login_failed', status: 401, retryable: false });
    expect((error as Error).message).not.toContain('not-the-pw-123');
    client.setCredentials({ type: 'email', ...USER });
    fake.faults.enqueue({ status: 503, body: 'maintenance', match: { path: '/user/login' } });
    await expect(client.authenticate()).rejects.toMatchObject({
      code: 'auki_login_failed',
      status: 503,
      retryable: true,
    });
    expect((await client.authenticate()).refreshable).toBe(true);
  });

  it('a 200 with a broken body or a malformed JWT is a typed error, not a crash', async () => {
    const { fake, client } = await setup();
    fake.faults.enqueue(
      { status: 200, body: { access_token: null, refresh_token: 'x' }, match: { path: '/user/login' } },
      { status: 200, body: { access_token: 'a.b', refresh_token: 'x' }, match: { path: '/user/login' } },
      { status: 200, body: 'not json', match: { path: '/user/login' } },
    );
    for (const reason of [
      /Invalid response: access_token/,
      /Failed to decode token/,
      /Invalid response: the body is not JSON/,
    ])
      await expect(client.authenticate()).rejects.toThrow(reason);
    expect(client.isAuthenticated()).toBe(false);
    await client.authenticate();
  });

  it('discovery failure: AukiDiscoveryError; the network token is kept', async () => {
    const { fake, client } = await setup();
    await client.authenticate();
    fake.faults.enqueue({
      status: 500,
      body: { error: 'boom' },
      match: { path: '/service/domains-access-token' },
    });
    await expect(client.getDomainAccess('domain-1')).rejects.toSatisfy((e: unknown) =>
      AukiDiscoveryError.isInstance(e),
    );
    expect(client.isAuthenticated()).toBe(true);
    expect((await client.getDomainAccess('domain-1')).id).toBe('domain-1');
    expect(fake.count('/user/login')).toBe(1);
  });

  it('domain refused: 402 payment required and 404; other cached domains stay', async () => {
    const { client } = await setup();
    const first = await client.getDomainAccess('domain-1');
    const paid = await client.getDomainAccess('paid').catch((e: unknown) => e);
    expect(AukiDomainAccessDeniedError.isInstance(paid)).toBe(true);
    expect(paid).toMatchObject({ domainId: 'paid', status: 402, isPaymentRequired: true });
    await expect(client.getDomainAccess('no-such-domain')).rejects.toMatchObject({
      code: 'auki_domain_access_denied',
      status: 404,
    });
    expect(client.getCachedDomainAccess('domain-1')).toBe(first);
  });

  it('domain ids that would leave the URL path are refused before any request', async () => {
    const { fake, client } = await setup();
    for (const id of ['../user/login', 'a/b', 'x?y', '..', ''])
      await expect(client.getDomainAccess(id)).rejects.toSatisfy((e: unknown) =>
        AukiInputError.isInstance(e),
      );
    expect(fake.recorder.requests).toHaveLength(0);
  });
});

describe('abort and transport failures', () => {
  it('one caller aborting does not cancel the shared request for the others', async () => {
    const { fake, client } = await setup();
    await client.authenticateDiscovery();
    fake.faults.enqueue({ delayMs: 300, match: { path: '/api/v1/domains/domain-1/auth' } });
    const controller = new AbortController();
    const aborted = client.getDomainAccess('domain-1', { signal: controller.signal });
    const kept = client.getDomainAccess('domain-1');
    controller.abort(new Error('user left'));
    await expect(aborted).rejects.toSatisfy((e: unknown) => AbortError.isInstance(e));
    expect((await kept).id).toBe('domain-1');
    expect(fake.count('/api/v1/domains/domain-1/auth')).toBe(1);
  });

  it('when every caller aborts, the request is aborted and the next call starts afresh', async () => {
    const { fake, client } = await setup();
    await client.authenticateDiscovery();
    fake.faults.enqueue({ delayMs: 2000, match: { path: '/api/v1/domains/domain-2/auth' } });
    const controller = new AbortController();
    const call = client.getDomainAccess('domain-2', { signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    await expect(call).rejects.toSatisfy((e: unknown) => AbortError.isInstance(e));
    await expect(client.getDomainAccess('domain-2', { signal: AbortSignal.abort() })).rejects.toSatisfy(
      (e: unknown) => AbortError.isInstance(e),
    );
    expect((await client.getDomainAccess('domain-2')).id).toBe('domain-2');
  });

  it('close() aborts what is in flight; the client stays usable', async () => {
    const { fake, client } = await setup();
    await client.authenticateDiscovery();
    fake.faults.enqueue({ delayMs: 2000, match: { path: '/api/v1/domains/domain-1/auth' } });
    const call = client.getDomainAccess('domain-1');
    await new Promise((resolve) => setTimeout(resolve, 50));
    client.close();
    await expect(call).rejects.toSatisfy((e: unknown) => AbortError.isInstance(e));
    expect((await client.getDomainAccess('domain-2')).id).toBe('domain-2');
  });

  it('a later request failing before an earlier one answers: each caller gets its own outcome', async () => {
    const { fake, client } = await setup();
    await client.authenticateDiscovery();
    fake.faults.enqueue(
      { delayMs: 300, match: { path: '/api/v1/domains/domain-1/auth' } },
      { reset: true, match: { path: '/api/v1/domains/domain-2/auth' } },
    );
    const [one, two] = await Promise.allSettled([
      client.getDomainAccess('domain-1'),
      client.getDomainAccess('domain-2'),
    ]);
    expect(one.status === 'fulfilled' && one.value.id).toBe('domain-1');
    expect(two.status === 'rejected' && NetworkError.isInstance(two.reason)).toBe(true);
    expect((await client.getDomainAccess('domain-2')).id).toBe('domain-2');
  });

  it('a dropped connection is a NetworkError, and later answers still match their requests', async () => {
    const { fake, client } = await setup();
    await client.authenticateDiscovery();
    fake.faults.enqueue({ reset: true, match: { path: '/api/v1/domains/domain-1/auth' } });
    const [one, two] = await Promise.allSettled([
      client.getDomainAccess('domain-1'),
      client.getDomainAccess('domain-2'),
    ]);
    expect(one.status === 'rejected' && NetworkError.isInstance(one.reason)).toBe(true);
    expect(two.status === 'fulfilled' && two.value.id).toBe('domain-2');
    expect((await client.getDomainAccess('domain-1')).id).toBe('domain-1');
  });
});

describe('app key and opaque credentials', () => {
  it('app key: no login, Basic on the discovery call', async () => {
    const { fake, client } = await setup(
      { appKeys: [{ appKey: 'key-1', appSecret: 'secret-1' }] },
      { credentials: { type: 'appKey', appKey: 'key-1', appSecret: 'secret-1' } },
    );
    expect((await client.getDomainAccess('domain-1')).id).toBe('domain-1');
    expect(fake.count('/user/login')).toBe(0);
    expect(fake.recorder.requests[0]!.headers.authorization).toBe(
      `Basic ${Buffer.from('key-1:secret-1').toString('base64')}`,
    );
    const saved = await client.saveState({ secretKey: new Uint8Array(32).fill(7) });
    expect(saved).not.toContain('secret-1');
    expect(saved).not.toContain(Buffer.from('key-1:secret-1').toString('base64'));
  });

  it('opaque with an OIDC client id: Bearer on discovery, form-encoded refresh after expiry', async () => {
    const { fake } = await setup({ oidcClients: ['sso-client'] });
    const session = await fake.createOpaqueSession('sso-user');
    const client = new AukiClient({
      ...fake.config(),
      credentials: { type: 'opaque', ...session, oidcClientId: 'sso-client' },
      now: () => fake.clock.now(),
    });
    await client.getDomainAccess('domain-1');
    fake.clock.advance(HOUR + 1000);
    await client.authenticate();
    const refresh = fake.recorder.requests.find((r) => r.path === '/user/refresh')!;
    expect(refresh.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(refresh.headers.authorization).toBeUndefined();
    expect(Object.fromEntries(new URLSearchParams(refresh.body))).toEqual({
      grant_type: 'refresh_token',
      refresh_token: session.refreshToken,
      client_id: 'sso-client',
    });
  });

  it('an expired opaque token without a refresh token asks for credentials', async () => {
    const { fake } = await setup();
    const client = new AukiClient({
      ...fake.config(),
      credentials: { type: 'opaque', token: 'tok', expiryMs: fake.clock.now() - 1 },
      now: () => fake.clock.now(),
    });
    await expect(client.getDomainAccess('domain-1')).rejects.toSatisfy((e: unknown) =>
      AukiCredentialsRequiredError.isInstance(e),
    );
    expect(fake.recorder.requests).toHaveLength(0);
  });
});

describe('moving from the upstream SDKs', () => {
  /**
   * What the upstream core's save_state() writes (spec §7): the network token and refresh token of a login
   * as it stored them, and the discovery token and domains of a session with the fake.
   */
  async function upstreamState() {
    const { fake, client } = await setup();
    await client.getDomainAccess('domain-1');
    const ours = JSON.parse(await client.saveState());
    const login = await fetch(`${fake.config().apiUrl}/user/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(USER),
    });
    const { access_token, refresh_token } = (await login.json()) as {
      access_token: string;
      refresh_token: string;
    };
    const exp = JSON.parse(Buffer.from(access_token.split('.')[1]!, 'base64url').toString()).exp as number;
    const upstream = {
      network_auth: { token: access_token, refresh_token, expires_at: exp * 1000 },
      discovery_auth: ours.discovery_auth,
      domain_accesses: ours.domain_accesses,
    };
    return { fake, upstream, refreshToken: refresh_token };
  }

  it('fromUpstreamState takes over tokens, domains and the refresh token: no sign-in, and it keeps refreshing', async () => {
    const { fake, upstream, refreshToken } = await upstreamState();
    const before = fake.recorder.requests.length;
    const events: AukiEvent[] = [];
    const client = await AukiClient.fromUpstreamState(JSON.stringify(upstream), {
      ...fake.config(),
      now: () => fake.clock.now(),
      onEvent: (e) => events.push(e),
    });
    expect(client.isAuthenticated()).toBe(true);
    expect(client.hasCredentials()).toBe(false);
    expect(client.networkToken()).toMatchObject({ token: upstream.network_auth.token, refreshable: true });
    expect(client.discoveryToken()?.token).toBe(upstream.discovery_auth.token);
    expect(client.getCachedDomainAccess('domain-1')?.id).toBe('domain-1');
    expect((await client.getDomainAccess('domain-1')).id).toBe('domain-1');
    expect(fake.recorder.requests.length).toBe(before);
    expect(events).toEqual([]);

    fake.clock.advance(2 * HOUR);
    expect((await client.getDomainAccess('domain-1')).expiresAt).toBe(fake.clock.now() + HOUR);
    expect(fake.count('/user/refresh')).toBe(1);
    expect(fake.count('/user/login')).toBe(2); // the session above and the one the upstream state holds

    // Saved again, it is this package's format: the refresh token never in clear.
    const saved = await client.saveState();
    expect(saved).not.toContain(refreshToken);
    expect(JSON.parse(saved)).toMatchObject({ format: 'x-auki-state', version: 1 });
  });

  it('drops what has expired on import, and never takes over an app-key token', async () => {
    const { fake, upstream } = await upstreamState();
    const opts = { ...fake.config(), now: () => fake.clock.now() };
    const stale = {
      ...upstream,
      network_auth: { ...upstream.network_auth, refresh_token: '', expires_at: fake.clock.now() - 1 },
    };
    const events: AukiEvent[] = [];
    const expired = await AukiClient.fromUpstreamState(JSON.stringify(stale), {
      ...opts,
      onEvent: (e) => events.push(e),
    });
    expect(expired.networkToken()).toBeUndefined();
    expect(expired.cachedDomains().size).toBe(0);
    expect(events.map((e) => e.type)).toEqual(['TokensInvalidated', 'AuthenticationRequired']);

    const appKey = {
      network_auth: {
        token: 'Basic a2V5OnNlY3JldA==',
        refresh_token: '',
        expires_at: fake.clock.now() + 100 * HOUR,
      },
      discovery_auth: null,
      domain_accesses: {},
    };
    const fromKey = await AukiClient.fromUpstreamState(JSON.stringify(appKey), opts);
    expect(fromKey.networkToken()).toBeUndefined();
    expect(await fromKey.saveState()).not.toContain('a2V5OnNlY3JldA');
  });

  it('refuses what is not the upstream state with AukiStateError, naming the field', async () => {
    const { fake, upstream } = await upstreamState();
    const opts = { ...fake.config(), now: () => fake.clock.now() };
    const refuse = async (text: string, message: RegExp) => {
      const error = await AukiClient.fromUpstreamState(text, opts).catch((e: unknown) => e);
      expect(AukiStateError.isInstance(error)).toBe(true);
      expect((error as Error).message).toMatch(message);
    };
    await refuse('not json', /Invalid state JSON/);
    await refuse('{"network_auth":null}', /domain_accesses/);
    await refuse(
      JSON.stringify({ ...upstream, network_auth: { token: 't', expires_at: 1 } }),
      /network_auth\.refresh_token/,
    );
    const ours = await new AukiClient(opts).saveState();
    await refuse(ours, /restore it with fromState/);
    // Both options may be absent, as serde reads missing Options.
    const minimal = await AukiClient.fromUpstreamState('{"domain_accesses":{}}', opts);
    expect(minimal.networkToken()).toBeUndefined();
  });

  it('validateState drops expired domains; Symbol.asyncDispose closes the client', async () => {
    const { fake, client } = await setup();
    await client.getDomainAccess('domain-1');
    fake.clock.advance(HOUR + 1);
    expect(client.getCachedDomainAccess('domain-1')).toBeUndefined();
    expect(client.cachedDomains().has('domain-1')).toBe(true);
    expect(client.validateState()).toEqual([]);
    expect(client.cachedDomains().has('domain-1')).toBe(false);

    fake.faults.enqueue({ delayMs: 5_000, match: { path: '/api/v1/domains/domain-2/auth' } });
    const pending = client.getDomainAccess('domain-2').catch((e: unknown) => e);
    await new Promise((resolve) => setTimeout(resolve, 100));
    await client[Symbol.asyncDispose]();
    expect(AbortError.isInstance(await pending)).toBe(true);
  });
});

describe('saveState / fromState', () => {
  const key = new Uint8Array(32).fill(42);

  it('restores tokens and domains (no request), and keeps refreshing with the sealed refresh token', async () => {
    const { fake, client } = await setup();
    await client.getDomainAccess('domain-1');
    const saved = await client.saveState({ secretKey: key });
    expect(saved).not.toContain(USER.password);
    expect(saved).not.toMatch(/rt_/);
    const restored = await AukiClient.fromState(saved, {
      ...fake.config(),
      secretKey: key,
      now: () => fake.clock.now(),
    });
    expect((await restored.getDomainAccess('domain-1')).id).toBe('domain-1');
    expect(fake.recorder.requests).toHaveLength(3);
    fake.clock.advance(2 * HOUR);
    expect((await restored.getDomainAccess('domain-1')).expiresAt).toBe(fake.clock.now() + HOUR);
    expect(fake.count('/user/refresh')).toBe(1);
  });

  it('a wrong key or tampered state is an AukiStateError; without a key no refresh token is saved', async () => {
    const { fake, client } = await setup();
    await client.authenticate();
    const saved = await client.saveState({ secretKey: key });
    const opts = { ...fake.config(), now: () => fake.clock.now() };
    await expect(AukiClient.fromState(saved, { ...opts, secretKey: new Uint8Array(32) })).rejects.toSatisfy(
      (e: unknown) => AukiStateError.isInstance(e),
    );
    const state = JSON.parse(saved);
    const sealed: string = state.network_auth.sealed_refresh_token;
    // Change the first character, whatever it is, so the ciphertext really differs.
    state.network_auth.sealed_refresh_token = `${sealed[0] === 'A' ? 'B' : 'A'}${sealed.slice(1)}`;
    await expect(AukiClient.fromState(JSON.stringify(state), { ...opts, secretKey: key })).rejects.toSatisfy(
      (e: unknown) => AukiStateError.isInstance(e),
    );
    await expect(AukiClient.fromState('{"nope":1}', opts)).rejects.toSatisfy((e: unknown) =>
      AukiStateError.isInstance(e),
    );
    await expect(client.saveState({ secretKey: new Uint8Array(5) })).rejects.toSatisfy((e: unknown) =>
      AukiInputError.isInstance(e),
    );
    expect(JSON.parse(await client.saveState()).network_auth.sealed_refresh_token).toBeUndefined();
  });

  it('expired saved tokens are dropped on restore', async () => {
    const { fake, client } = await setup();
    await client.getDomainAccess('domain-1');
    const saved = await client.saveState();
    fake.clock.advance(2 * HOUR);
    const events: AukiEvent[] = [];
    const restored = await AukiClient.fromState(saved, {
      ...fake.config(),
      now: () => fake.clock.now(),
      onEvent: (e) => events.push(e),
    });
    expect(events.map((e) => e.type)).toEqual(['TokensInvalidated', 'AuthenticationRequired']);
    expect(restored.cachedDomains().size).toBe(0);
  });
});
