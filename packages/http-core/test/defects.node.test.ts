// Defects of the hand-written request path that must not come back (issue 17): each failed before the move
// to ky.
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import * as core from '../src/index.ts';
import {
  AuthenticationError,
  bearer,
  combineAuth,
  createHttpClient,
  ServiceUnavailableError,
} from '../src/index.ts';
import { failure } from './failure.ts';
import { type Kit, startKit } from './kit.ts';

let kit: Kit;
beforeAll(async () => {
  kit = await startKit((app) => {
    app.get('/me', (c) => c.json({ error: 'invalid_token', detail: 'token expired' }, 401));
    app.all('/any', (c) => c.json({ method: c.req.method }));
  });
});
afterAll(() => kit.server.close());
beforeEach(() => {
  kit.faults.clear();
  kit.recorder.clear();
});

describe('fixed defects', () => {
  it("keeps a 401's body when combineAuth's strategies decline to refresh", async () => {
    const declines = { apply() {}, onUnauthorized: async () => false };
    const client = createHttpClient({ baseUrl: kit.server.url, auth: combineAuth(bearer('t'), declines) });
    const error = await failure(client.get('/me'));
    expect(AuthenticationError.isInstance(error)).toBe(true);
    expect(error.body).toEqual({ error: 'invalid_token', detail: 'token expired' });
    expect(error.message).toContain('token expired');
  });

  it('fails at once, without a retry, when Retry-After is beyond the timer range even with maxRetryAfter Infinity', async () => {
    // 26 days: setTimeout would overflow and fire after ~1 ms.
    kit.faults.enqueue({ status: 503, headers: { 'Retry-After': String(26 * 86_400) } });
    const client = createHttpClient({ baseUrl: kit.server.url, retry: { maxRetryAfter: Infinity } });
    const error = await failure(client.get('/any'));
    expect(ServiceUnavailableError.isInstance(error)).toBe(true);
    expect(error.retryAfterMs).toBe(26 * 86_400_000);
    expect(kit.recorder.requests).toHaveLength(1);
  });

  it('lets beforeRequest change the method (and the URL)', async () => {
    const client = createHttpClient({
      baseUrl: kit.server.url,
      hooks: {
        beforeRequest: [
          (r) => {
            r.method = 'PUT';
            r.url = `${r.url}?moved=1`;
          },
        ],
      },
    });
    expect(await client.get('/any')).toEqual({ method: 'PUT' });
    expect(kit.recorder.last()).toMatchObject({ method: 'PUT', query: { moved: '1' } });
  });

  it('does not export internals such as the retry-method set', () => {
    for (const name of [
      'idempotentMethods',
      'resolveRetry',
      'backoffDelay',
      'parseRetryAfter',
      'readTextCapped',
      'prepareBody',
      'defaultRetryStatuses',
    ])
      expect(name in core, name).toBe(false);
  });
});

describe('a response replaced by afterResponse', () => {
  let server: Server;
  let url: string;
  let connections = 0;
  beforeAll(async () => {
    const big = 'x'.repeat(1 << 20);
    server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end(big);
    });
    server.on('connection', () => connections++);
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((done) => server.close(done));
  });

  it('has its original body cancelled, so connections are reused (30 calls, at most a few sockets)', async () => {
    const client = createHttpClient({
      baseUrl: url,
      hooks: { afterResponse: [() => Response.json({ replaced: true })] },
    });
    for (let i = 0; i < 30; i++) expect(await client.get('/big')).toEqual({ replaced: true });
    expect(connections).toBeLessThanOrEqual(4);
  });
});
