// Wire answers the client used to mishandle, and core steps that used to stall, tried for real against the
// fake auth API and discovery service over sockets, on the fake's clock.
import { afterEach, describe, expect, it } from 'vitest';
import {
  AukiClient,
  type AukiClientOptions,
  AukiCore,
  AukiDomainAccessDeniedError,
  type AukiEvent,
  AukiInputError,
} from '../src/index.ts';
import { type FakeAuki, type FakeAukiOptions, startFakeAuki } from '../src/testing/index.ts';
import { domainBody, jwtExpiringAt } from './kit.ts';

const USER = { email: 'ada@example.test', password: 'correct horse' };
let fake: FakeAuki | undefined;

afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

async function setup(fakeOptions: FakeAukiOptions = {}, clientOptions: Partial<AukiClientOptions> = {}) {
  fake = await startFakeAuki({
    users: [USER],
    domains: ['domain-1', 'domain-2', 'domain-3'],
    ...fakeOptions,
  });
  const f = fake;
  const events: AukiEvent[] = [];
  const client = new AukiClient({
    ...f.config('test-app'),
    credentials: { type: 'email', ...USER },
    now: () => f.clock.now(),
    onEvent: (e) => events.push(e),
    ...clientOptions,
  });
  return { fake: f, client, events };
}

/** The `exp` of a JWT, epoch ms. */
const expOf = (jwt: string) =>
  (JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString()) as { exp: number }).exp * 1000;

describe('refresh answers', () => {
  it('"expires_in": null keeps working: the expiry is the access token JWT exp', async () => {
    const { fake, client, events } = await setup({
      refreshExpiresIn: 'null',
      lifetimes: { networkSeconds: 1200 },
    });
    await client.authenticate();
    fake.clock.advance(1_100_000); // inside the refresh threshold
    const token = await client.authenticate();
    expect(fake.count('/user/refresh')).toBe(1);
    expect(events.some((e) => e.type === 'NetworkTokenRefreshed')).toBe(true);
    expect(token.expiresAt).toBe(expOf(token.token));
    expect(client.isAuthenticated()).toBe(true);
  });

  it('a non-finite expires_in (1e400) is refused as an invalid response, not stored as Infinity', async () => {
    const { fake, client } = await setup({ lifetimes: { networkSeconds: 1200 } });
    const token = await client.authenticate();
    fake.clock.advance(1_300_000); // expired: the refresh must succeed for the call to
    const access = jwtExpiringAt(fake.clock.now() + 3_600_000);
    fake.faults.enqueue({
      status: 200,
      body: `{"access_token":"${access}","refresh_token":"r","expires_in":1e400}`,
      match: { path: '/user/refresh' },
    });
    // An unreadable answer is an outage, not a refusal: typed and retryable, the old token kept as it was.
    await expect(client.authenticate()).rejects.toThrow(/Invalid response: expires_in/);
    expect(JSON.parse(await client.saveState()).network_auth).toMatchObject({
      token: token.token,
      expires_at: token.expiresAt,
    });
  });
});

describe('non-finite numbers in a domain access', () => {
  it('latitude 1e400 is refused with a clear error, and what is saved can always be restored', async () => {
    const { fake, client } = await setup();
    await client.getDomainAccess('domain-1');
    const access = jwtExpiringAt(fake.clock.now() + 3_600_000);
    const body = JSON.stringify(domainBody('domain-2', access)).replace('"latitude":1.5', '"latitude":1e400');
    expect(body).toContain('1e400');
    fake.faults.enqueue({ status: 200, body, match: { path: '/api/v1/domains/domain-2/auth' } });
    const error = await client.getDomainAccess('domain-2').catch((e: unknown) => e);
    expect(AukiDomainAccessDeniedError.isInstance(error), String(error)).toBe(true);
    expect(String((error as Error).message)).toMatch(/latitude.*finite/);
    // Nothing non-finite reached the cache, so the saved state restores.
    const saved = await client.saveState();
    const restored = AukiCore.fromState(saved, fake.config('test-app'));
    expect([...restored.allDomains().keys()]).toEqual(['domain-1']);
  });
});

describe('core steps', () => {
  it('authenticateDiscovery() on a fresh core with app-key credentials authenticates instead of returning []', async () => {
    fake = await startFakeAuki({
      appKeys: [{ appKey: 'key-1', appSecret: 'secret-1' }],
      domains: ['domain-1'],
    });
    const core = new AukiCore(fake.config('test-app'), {
      credentials: { type: 'appKey', appKey: 'key-1', appSecret: 'secret-1' },
    });
    const now = fake.clock.now();
    const actions = core.authenticateDiscovery(now);
    expect(actions).toHaveLength(1);
    const [request] = actions as [(typeof actions)[number]];
    expect(request.operation).toBe('discovery');
    const response = await fetch(request.url, {
      method: request.method,
      headers: request.headers,
      body: request.body,
    });
    const events = core.handleResponse(response.status, await response.text(), now, {
      requestId: request.requestId,
    });
    expect(events.map((e) => e.type)).toEqual(['DiscoveryAuthSuccess']);
    expect(core.discoveryToken()).toBeDefined();
    // The same holds for a domain step on a fresh core: it asks for discovery rather than stalling.
    const fresh = new AukiCore(fake.config('test-app'), {
      credentials: { type: 'appKey', appKey: 'key-1', appSecret: 'secret-1' },
    });
    expect(fresh.getDomainAccess('domain-1', now).map((a) => a.operation)).toEqual(['discovery']);
  });

  it('the per-domain cache drops expired entries, so it stays bounded', async () => {
    const { fake, client } = await setup({
      lifetimes: { domainSeconds: 600, networkSeconds: 7200, discoverySeconds: 7200 },
    });
    await client.getDomainAccess('domain-1');
    await client.getDomainAccess('domain-2');
    expect(client.cachedDomains().size).toBe(2);
    fake.clock.advance(700_000); // both domain accesses expired; network and discovery still valid
    await client.getDomainAccess('domain-3');
    expect([...client.cachedDomains().keys()]).toEqual(['domain-3']);
  });
});

describe('domain ids in the URL path', () => {
  it('every id that could leave its path segment is refused before any request reaches the fake', async () => {
    const { fake, client } = await setup();
    const bad = ['', '.', '..', 'a/b', 'a\\b', 'a%2Fb', 'a%2fb', '%2e%2e', 'a?b', 'a#b', 'a\nb'];
    for (const id of bad) {
      const error = await client.getDomainAccess(id).catch((e: unknown) => e);
      expect(AukiInputError.isInstance(error), `${JSON.stringify(id)}: ${String(error)}`).toBe(true);
      expect((error as AukiInputError).code).toBe('auki_input_invalid');
    }
    expect(fake.recorder.requests).toHaveLength(0);
  });
});
