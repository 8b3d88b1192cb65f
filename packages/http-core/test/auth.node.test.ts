import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  AuthenticationError,
  apiKey,
  bearer,
  clientCredentials,
  combineAuth,
  createHttpClient,
  refreshingBearer,
  ServiceUnavailableError,
} from '../src/index.ts';
import { failure } from './failure.ts';
import { type Kit, startKit } from './kit.ts';

let kit: Kit;
let validToken = 'fresh-1';
let tokenEndpointDown = false;

beforeAll(async () => {
  kit = await startKit((app) => {
    app.get('/me', async (c) => {
      // Hold each request briefly so the 10 concurrent calls really overlap on the server.
      await new Promise((r) => setTimeout(r, 20));
      if (c.req.header('authorization') !== `Bearer ${validToken}`)
        return c.json({ error: 'invalid_token' }, 401);
      return c.json({ ok: true });
    });
    app.post('/upload', async (c) => {
      if (c.req.header('authorization') !== `Bearer ${validToken}`)
        return c.json({ error: 'invalid_token' }, 401);
      return c.json({ body: await c.req.text() });
    });
    app.post('/token', (c) =>
      tokenEndpointDown ? c.json({ error: 'temporarily_unavailable' }, 503) : c.json({ token: 'fresh-1' }),
    );
    app.get('/headers', (c) => c.json(Object.fromEntries(c.req.raw.headers)));
  });
});
afterAll(() => kit.server.close());
beforeEach(() => {
  kit.recorder.clear();
  kit.faults.clear();
  validToken = 'fresh-1';
});

describe('single-flight refresh over HTTP', () => {
  it('10 concurrent 401s cause exactly one refresh and one replay of each request', async () => {
    let refreshes = 0;
    const auth = refreshingBearer({
      token: 'stale',
      refresh: async () => {
        refreshes++;
        await new Promise((r) => setTimeout(r, 30));
        return 'fresh-1';
      },
    });
    const client = createHttpClient({ baseUrl: kit.server.url, auth });
    const results = await Promise.all(Array.from({ length: 10 }, () => client.get('/me')));
    expect(results).toEqual(Array(10).fill({ ok: true }));
    expect(refreshes).toBe(1);
    const sent = kit.recorder.requests.map((r) => r.headers.authorization);
    expect(sent).toHaveLength(20);
    expect(sent.filter((h) => h === 'Bearer stale')).toHaveLength(10);
    expect(sent.filter((h) => h === 'Bearer fresh-1')).toHaveLength(10);
  });

  it('replays a POST after refresh even without an idempotency key (the 401 means it was not processed)', async () => {
    const client = createHttpClient({
      baseUrl: kit.server.url,
      auth: refreshingBearer({ token: 'stale', refresh: async () => 'fresh-1' }),
    });
    expect(await client.post('/upload', { body: 'payload' })).toEqual({ body: 'payload' });
    expect(kit.recorder.requests.map((r) => r.body)).toEqual(['payload', 'payload']);
  });

  it('replays only once: a second 401 is an AuthenticationError', async () => {
    let refreshes = 0;
    const client = createHttpClient({
      baseUrl: kit.server.url,
      auth: refreshingBearer({ token: 'stale', refresh: async () => `wrong-${++refreshes}` }),
    });
    const error = await failure(client.get('/me'));
    expect(AuthenticationError.isInstance(error)).toBe(true);
    expect(error.status).toBe(401);
    expect(error.body).toEqual({ error: 'invalid_token' });
    expect(refreshes).toBe(1);
    expect(kit.recorder.requests).toHaveLength(2);
  });

  it('turns a failing refresh into an AuthenticationError with the cause', async () => {
    const cause = new Error('refresh endpoint down');
    const client = createHttpClient({
      baseUrl: kit.server.url,
      auth: refreshingBearer({
        token: 'stale',
        refresh: async () => {
          throw cause;
        },
      }),
    });
    const error = await failure(client.get('/me'));
    expect(AuthenticationError.isInstance(error)).toBe(true);
    expect(error.cause).toBe(cause);
  });

  it('an outage of the token endpoint keeps the token and rejects with the retryable error; the next call refreshes', async () => {
    const tokenEndpoint = createHttpClient({ baseUrl: kit.server.url, retry: false });
    const auth = refreshingBearer({
      token: 'stale',
      refresh: async () => ((await tokenEndpoint.post('/token')) as { token: string }).token,
    });
    const client = createHttpClient({ baseUrl: kit.server.url, auth, retry: false });
    tokenEndpointDown = true;
    try {
      const error = await failure(client.get('/me'));
      expect(ServiceUnavailableError.isInstance(error)).toBe(true);
      expect(error.retryable).toBe(true);
      expect(auth.token).toBe('stale');
    } finally {
      tokenEndpointDown = false;
    }
    expect(await client.get('/me')).toEqual({ ok: true });
    expect(auth.token).toBe('fresh-1');
  });

  it('does not replay a 401 for static credentials', async () => {
    const error = await failure(
      createHttpClient({ baseUrl: kit.server.url, auth: bearer('nope') }).get('/me'),
    );
    expect(AuthenticationError.isInstance(error)).toBe(true);
    expect(kit.recorder.requests).toHaveLength(1);
  });
});

describe('strategies on the wire', () => {
  it('can be replaced at runtime with setAuth and overridden per call', async () => {
    const client = createHttpClient({ baseUrl: kit.server.url, auth: apiKey('k1') });
    await client.get('/headers');
    client.setAuth(
      combineAuth(apiKey('airpat_x', { header: 'X-PAT' }), bearer('b'), clientCredentials('app', 's')),
    );
    await client.get('/headers');
    await client.get('/headers', { auth: apiKey('svc', { header: 'X-Service-API-Key' }) });
    client.setAuth(undefined);
    await client.get('/headers');
    const [first, second, third, fourth] = kit.recorder.requests.map((r) => r.headers);
    expect(first!['x-api-key']).toBe('k1');
    expect(second).toMatchObject({
      'x-pat': 'airpat_x',
      authorization: 'Bearer b',
      'x-client-id': 'app',
      'x-client-secret': 's',
    });
    expect(second!['x-api-key']).toBeUndefined();
    expect(third!['x-service-api-key']).toBe('svc');
    expect(third!['x-pat']).toBeUndefined();
    expect(fourth!['x-pat']).toBeUndefined();
    expect(fourth!.authorization).toBeUndefined();
  });
});
