// "An outage is not a refusal", end to end over real sockets against the fake auth API and discovery service:
// a refresh that meets 5xx, 408/425/429, an unreadable 200, a dropped or refused connection or a timeout keeps
// every token and throws a typed, retryable error, and the next call refreshes and carries on; only a 4xx
// refusal ends the session.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AbortError, NetworkError, TimeoutError } from '@x/http-core';
import type { Fault } from '@x/http-core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import {
  AukiClient,
  type AukiClientOptions,
  AukiError,
  type AukiEvent,
  AukiReauthenticationRequiredError,
  AukiRefreshUnavailableError,
} from '../src/index.ts';
import { type FakeAuki, startFakeAuki } from '../src/testing/index.ts';

const USER = { email: 'ada@example.test', password: 'correct horse' };
const REFRESH = '/user/refresh';
const KEY = new Uint8Array(32).fill(7);
let fake: FakeAuki | undefined;
let proxy: Server | undefined;

afterEach(async () => {
  proxy?.closeAllConnections();
  await new Promise<void>((resolve) => (proxy ? proxy.close(() => resolve()) : resolve()));
  proxy = undefined;
  await fake?.close();
  fake = undefined;
});

/**
 * Signed in with a 10-minute network token and 2-hour discovery and domain tokens, then 11 minutes later: the
 * network token has expired (the next call must refresh it), the discovery token and domain access have not.
 */
async function signedInThenExpired(clientOptions: Partial<AukiClientOptions> = {}) {
  fake = await startFakeAuki({
    users: [USER],
    domains: ['domain-1'],
    lifetimes: { networkSeconds: 600, discoverySeconds: 7200, domainSeconds: 7200 },
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
  const access = await client.getDomainAccess('domain-1');
  f.clock.advance(660_000);
  expect(client.isAuthenticated()).toBe(false);
  events.length = 0;
  return { fake: f, client, events, access, before: await client.saveState() };
}

const failure = (promise: Promise<unknown>) =>
  promise.then(
    (value) => {
      throw new Error(`expected a rejection, got ${JSON.stringify(value)}`);
    },
    (error: unknown) => error as AukiError,
  );

/** The typed retryable error of an outage, never the re-auth error. */
function expectUnavailable(error: AukiError, status?: number) {
  expect(error, String(error)).toMatchObject({
    name: 'AukiRefreshUnavailableError',
    code: 'auki_refresh_unavailable',
    retryable: true,
  });
  expect(AukiRefreshUnavailableError.isInstance(error)).toBe(true);
  expect(AukiError.isInstance(error)).toBe(true);
  expect(AukiReauthenticationRequiredError.isInstance(error)).toBe(false);
  expect(error.status).toBe(status);
  expect(error.message).toMatch(/the session is kept/);
}

/** Every token is still held: the same state, the same cached domain. */
async function expectKept(client: AukiClient, before: string, access: unknown) {
  expect(await client.saveState()).toBe(before);
  expect(client.cachedDomains().get('domain-1')).toBe(access);
  expect(client.getCachedDomainAccess('domain-1')).toBe(access);
  expect(client.authState()).not.toBe('Authenticated');
}

/** The server is healthy again: one more call refreshes (with the same refresh token) and goes on from the cache. */
async function expectNextCallRefreshes(fake: FakeAuki, client: AukiClient, access: unknown, attempts = 2) {
  expect(await client.getDomainAccess('domain-1')).toEqual(access);
  expect(client.authState()).toBe('Authenticated');
  const refreshes = fake.recorder.requests.filter((r) => r.path === REFRESH);
  expect(refreshes).toHaveLength(attempts);
  expect(new Set(refreshes.map((r) => r.headers.authorization)).size).toBe(1);
  // Discovery and domain access were kept: no request for them after the first sign-in.
  expect(fake.count('/service/domains-access-token')).toBe(1);
  expect(fake.count('/api/v1/domains/domain-1/auth')).toBe(1);
}

describe('a refresh answer that is an outage keeps the session', () => {
  it.each<[string, Fault, number | undefined]>([
    ['HTTP 500', { status: 500, body: 'internal error' }, 500],
    ['HTTP 502 with an HTML page', { status: 502, body: '<html>Bad gateway</html>' }, 502],
    ['HTTP 503', { status: 503, body: 'maintenance', headers: { 'Retry-After': '1' } }, 503],
    ['HTTP 429', { status: 429, body: { error: 'slow_down' }, headers: { 'Retry-After': '2' } }, 429],
    ['HTTP 408', { status: 408, body: 'request timeout' }, 408],
    [
      'HTTP 200 with a body that is not JSON',
      { status: 200, body: '<html>captive portal</html>' },
      undefined,
    ],
    [
      'HTTP 200 with a token that is not a JWT',
      { status: 200, body: { access_token: 'nope', refresh_token: 'r' } },
      undefined,
    ],
  ])(
    '%s: tokens kept, AukiRefreshUnavailableError, the next call refreshes',
    async (_name, fault, status) => {
      const { fake, client, events, access, before } = await signedInThenExpired();
      fake.faults.enqueue({ ...fault, match: { path: REFRESH } });
      const error = await failure(client.getDomainAccess('domain-1'));
      expectUnavailable(error, status);
      expect(events).toEqual([
        expect.objectContaining({
          type: 'NetworkTokenRefreshFailed',
          requiresReauth: false,
          retryPossible: true,
        }),
      ]);
      await expectKept(client, before, access);
      await expectNextCallRefreshes(fake, client, access);
    },
  );

  it('a proactive refresh (token still valid) that meets a 503 keeps using the current token', async () => {
    fake = await startFakeAuki({ users: [USER], domains: ['domain-1'], lifetimes: { networkSeconds: 1200 } });
    const f = fake;
    const events: AukiEvent[] = [];
    const client = new AukiClient({
      ...f.config(),
      credentials: { type: 'email', ...USER },
      now: () => f.clock.now(),
      onEvent: (e) => events.push(e),
    });
    const token = await client.authenticate();
    events.length = 0;
    f.clock.advance(1_000_000); // 200 s left: inside the 5-minute refresh window
    f.faults.enqueue({ status: 503, body: 'maintenance', match: { path: REFRESH } });
    expect(await client.authenticate()).toEqual(token);
    expect(events.map((e) => e.type)).toEqual(['NetworkTokenRefreshFailed']);
    expect(client.authState()).toBe('NeedsRefresh');
    const renewed = await client.authenticate();
    expect(renewed.token).not.toBe(token.token);
    expect(f.count(REFRESH)).toBe(2);
  });
});

describe('a refresh that gets no answer keeps the session', () => {
  it('the server drops the connection: AukiRefreshUnavailableError (cause NetworkError), the next call refreshes', async () => {
    const { fake, client, access, before } = await signedInThenExpired();
    fake.faults.enqueue({ reset: true, match: { path: REFRESH } });
    const error = await failure(client.getDomainAccess('domain-1'));
    expectUnavailable(error);
    expect(NetworkError.isInstance(error.cause), String(error.cause)).toBe(true);
    await expectKept(client, before, access);
    await expectNextCallRefreshes(fake, client, access);
  });

  it('connection refused: AukiRefreshUnavailableError (cause NetworkError), the next call refreshes', async () => {
    // The refresh URL is a loopback port nobody listens on; later a tiny proxy to the fake opens on it.
    const port = await freePort();
    fake = await startFakeAuki({ users: [USER], domains: ['domain-1'], lifetimes: { networkSeconds: 600 } });
    const f = fake;
    const client = new AukiClient({
      ...f.config(),
      refreshUrl: `http://127.0.0.1:${port}${REFRESH}`,
      credentials: { type: 'email', ...USER },
      now: () => f.clock.now(),
    });
    const access = await client.getDomainAccess('domain-1');
    f.clock.advance(660_000);
    const before = await client.saveState();
    const error = await failure(client.getDomainAccess('domain-1'));
    expectUnavailable(error);
    expect(NetworkError.isInstance(error.cause), String(error.cause)).toBe(true);
    expect(f.count(REFRESH)).toBe(0);
    await expectKept(client, before, access);
    proxy = await proxyTo(f.refreshUrl, port);
    await expectNextCallRefreshes(f, client, access, 1);
  });

  it('the request timeout elapses: AukiRefreshUnavailableError (cause TimeoutError), the next call refreshes', async () => {
    const { fake, client, access, before } = await signedInThenExpired({ timeout: 300 });
    // Held past the client's timeout, then an error: the slow request never reaches the refresh handler.
    fake.faults.enqueue({ delayMs: 1500, status: 504, match: { path: REFRESH } });
    const error = await failure(client.getDomainAccess('domain-1'));
    expectUnavailable(error);
    expect(TimeoutError.isInstance(error.cause), String(error.cause)).toBe(true);
    await expectKept(client, before, access);
    await expectNextCallRefreshes(fake, client, access);
  });

  it('the call deadline (timeoutMs) or the caller aborts: their own error, tokens kept, the next call refreshes', async () => {
    const { fake, client, access, before } = await signedInThenExpired();
    fake.faults.enqueue(
      { delayMs: 1500, status: 504, match: { path: REFRESH } },
      { delayMs: 1500, status: 504, match: { path: REFRESH } },
    );
    const timedOut = await failure(client.getDomainAccess('domain-1', { timeoutMs: 200 }));
    expect(TimeoutError.isInstance(timedOut), String(timedOut)).toBe(true);
    const aborted = await failure(client.getDomainAccess('domain-1', { signal: AbortSignal.timeout(200) }));
    expect(AbortError.isInstance(aborted), String(aborted)).toBe(true);
    await expectKept(client, before, access);
    // An app that gives up and saves on its way out keeps the session across the restart too.
    const restored = await AukiClient.fromState(await client.saveState({ secretKey: KEY }), {
      ...fake.config(),
      secretKey: KEY,
      now: () => fake.clock.now(),
    });
    expect(restored.cachedDomains().get('domain-1')).toEqual(access);
    await expectNextCallRefreshes(fake, restored, access, 3);
  });
});

describe('saved state after an outage', () => {
  it('still holds every token; the restored client refreshes and goes on from the cache', async () => {
    const { fake, client, access } = await signedInThenExpired();
    fake.faults.enqueue(
      { status: 503, body: 'maintenance', match: { path: REFRESH } },
      { reset: true, match: { path: REFRESH } },
    );
    expectUnavailable(await failure(client.getDomainAccess('domain-1')), 503);
    expectUnavailable(await failure(client.getDomainAccess('domain-1')));
    const saved = await client.saveState({ secretKey: KEY });
    expect(JSON.parse(saved)).toMatchObject({
      network_auth: { token: expect.any(String), sealed_refresh_token: expect.any(String) },
      discovery_auth: { token: expect.any(String) },
      domain_accesses: { 'domain-1': expect.any(Object) },
    });
    const events: AukiEvent[] = [];
    const restored = await AukiClient.fromState(saved, {
      ...fake.config(),
      secretKey: KEY,
      now: () => fake.clock.now(),
      onEvent: (e) => events.push(e),
    });
    expect(events).toEqual([]);
    expect(restored.cachedDomains().get('domain-1')).toEqual(access);
    expect((await restored.getDomainAccess('domain-1')).accessToken).toBe(
      (access as { accessToken: string }).accessToken,
    );
    expect(restored.authState()).toBe('Authenticated');
    expect(fake.count(REFRESH)).toBe(3);
    expect(fake.count('/service/domains-access-token')).toBe(1);
  });
});

describe('a refresh answer that is a refusal ends the session', () => {
  it.each([400, 401, 403])(
    'HTTP %i: every token dropped, AukiReauthenticationRequiredError',
    async (status) => {
      const { fake, client, events } = await signedInThenExpired();
      fake.faults.enqueue({ status, body: { error: 'invalid_grant' }, match: { path: REFRESH } });
      const error = await failure(client.getDomainAccess('domain-1'));
      expect(AukiReauthenticationRequiredError.isInstance(error), String(error)).toBe(true);
      expect(error).toMatchObject({ code: 'auki_reauthentication_required', status, retryable: false });
      expect(events).toEqual([
        expect.objectContaining({
          type: 'NetworkTokenRefreshFailed',
          status,
          requiresReauth: true,
          retryPossible: false,
        }),
        { type: 'AuthenticationRequired' },
      ]);
      expect(client.cachedDomains().size).toBe(0);
      expect(client.authState()).toBe('NeedsCredentials');
      expect(JSON.parse(await client.saveState())).toMatchObject({
        network_auth: null,
        discovery_auth: null,
      });
      // Nothing left to refresh with: the next call asks for credentials without a request.
      const requests = fake.recorder.requests.length;
      await expect(client.getDomainAccess('domain-1')).rejects.toMatchObject({
        code: 'auki_credentials_required',
      });
      expect(fake.recorder.requests).toHaveLength(requests);
    },
  );
});

/** A loopback port with nothing listening on it (connections are refused). */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

/** A tiny proxy on `port` that forwards each request to `target` and copies the answer back. */
async function proxyTo(target: string, port: number): Promise<Server> {
  const server = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString();
    const headers: Record<string, string> = {};
    for (const name of ['authorization', 'content-type'])
      if (typeof request.headers[name] === 'string') headers[name] = request.headers[name];
    const answer = await fetch(target, { method: request.method, headers, body: body === '' ? null : body });
    response.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'text/plain' });
    response.end(await answer.text());
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return server;
}
