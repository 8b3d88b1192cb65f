import * as v from 'valibot';
import { afterAll, beforeAll, beforeEach, describe, expect, expectTypeOf, it, vi } from 'vitest';
import {
  AbortError,
  AuthenticationError,
  bearer,
  bearerFrom,
  createHttpClient,
  createLogger,
  type ErrorContext,
  type HttpClientOptions,
  InvalidRequestError,
  type Logger,
  NetworkError,
  NotFoundError,
  RateLimitError,
  REDACTED,
  ResponseValidationError,
  ServerError,
  ServiceUnavailableError,
  TimeoutError,
  UnprocessableEntityError,
  XError,
} from '../src/index.ts';
import { failure } from './failure.ts';
import { type Kit, startKit } from './kit.ts';
import { lineLogger } from './line-logger.ts';

const User = v.object({ id: v.string(), name: v.string() });
let kit: Kit;

beforeAll(async () => {
  kit = await startKit((app) => {
    app.get('/users/:id', (c) =>
      c.json({ id: c.req.param('id'), name: 'Ada' }, 200, { 'x-request-id': `req-${c.req.param('id')}` }),
    );
    app.get('/bad-shape', (c) => c.json({ id: 7 }));
    app.get('/not-json', (c) => c.body('{oops', 200, { 'content-type': 'application/json' }));
    app.get('/text', (c) => c.text('plain'));
    app.get('/empty', (c) => c.body(null, 204));
    app.get('/missing', (c) => c.json({ error: { code: 'user_missing', message: 'no such user' } }, 404));
    app.get('/big-error', (c) => c.text('x'.repeat(200_000), 500));
    app.get('/slow', async (c) => {
      await new Promise((r) => setTimeout(r, 300));
      return c.json({ ok: true });
    });
    app.get('/echo', (c) =>
      c.json({ query: c.req.queries(), headers: Object.fromEntries(c.req.raw.headers) }),
    );
    app.post('/items', async (c) => c.json({ created: await c.req.json() }, 201));
    app.patch('/items', async (c) => c.json({ patched: true }));
    app.put('/items', async (c) => c.json({ put: true }));
    app.delete('/items', (c) => c.body(null, 204));
  });
});
afterAll(() => kit.server.close());
beforeEach(() => {
  kit.faults.clear();
  kit.recorder.clear();
  kit.delays.length = 0;
});

const client = (options: HttpClientOptions = {}) =>
  createHttpClient({ baseUrl: kit.server.url, ...kit.fast, ...options });

describe('responses', () => {
  it('validates with the schema and infers the return type from it', async () => {
    const user = await client().get('/users/u1', { schema: User });
    expectTypeOf(user).toEqualTypeOf<{ id: string; name: string }>();
    expect(user).toEqual({ id: 'u1', name: 'Ada' });
    const untyped = await client().get('/users/u2');
    expectTypeOf(untyped).toBeUnknown();
  });

  it('gives the raw response and the request id', async () => {
    const { data, response, requestId } = await client().requestWithResponse('GET', '/users/u3', {
      schema: User,
    });
    expect(data.id).toBe('u3');
    expect(response.status).toBe(200);
    expect(requestId).toBe('req-u3');
    const custom = await client({ requestIdHeader: 'content-type' }).requestWithResponse('GET', '/users/u4');
    expect(custom.requestId).toMatch(/application\/json/);
  });

  it('turns a schema mismatch into ResponseValidationError with the issues, not an HTTP error', async () => {
    const error = await failure(client().get('/bad-shape', { schema: User }));
    expect(ResponseValidationError.isInstance(error)).toBe(true);
    expect(error.issues.length).toBeGreaterThan(0);
    expect(error.message).toContain('id');
    expect(error.status).toBe(200);
    expect(error.retryable).toBe(false);
    expect(kit.recorder.requests).toHaveLength(1);
  });

  it('turns an invalid JSON body into ResponseValidationError', async () => {
    const error = await failure(client().get('/not-json'));
    expect(ResponseValidationError.isInstance(error)).toBe(true);
    expect(error.cause).toBeInstanceOf(SyntaxError);
  });

  it('handles 204 (undefined, validated against the schema) and text bodies', async () => {
    expect(await client().get('/empty')).toBeUndefined();
    expect(await client().get('/empty', { schema: v.optional(User) })).toBeUndefined();
    await expect(client().get('/empty', { schema: User })).rejects.toSatisfy((e) =>
      ResponseValidationError.isInstance(e),
    );
    expect(await client().get('/text')).toBe('plain');
    expect(await client().get('/text', { parseAs: 'bytes' })).toEqual(new TextEncoder().encode('plain'));
  });
});

describe('requests', () => {
  it('sends default and per-call headers, JSON bodies, serialised queries and a User-Agent', async () => {
    const c = client({ headers: { 'x-tenant': 't1', 'x-mode': 'a' }, userAgent: 'x-test/9.9.9' });
    const created = await c.post('/items', { json: { a: 1 }, headers: { 'x-mode': 'b' } });
    expect(created).toEqual({ created: { a: 1 } });
    const echo = (await c.get('/echo', { query: { tag: ['x', 'y'], on: true, skip: undefined } })) as {
      query: Record<string, string[]>;
    };
    expect(echo.query).toEqual({ on: ['true'], tag: ['x', 'y'] });
    const [post] = kit.recorder.requests;
    expect(post!.headers['x-tenant']).toBe('t1');
    expect(post!.headers['x-mode']).toBe('b');
    expect(post!.headers['content-type']).toBe('application/json');
    expect(post!.body).toBe('{"a":1}');
    expect(post!.headers['user-agent']).toMatch(/^x-test\/9\.9\.9 x-http-core\/\d+\.\d+\.\d+ node\/\d+/);
    expect(c.url('/echo', { a: 1 })).toBe(`${kit.server.url}/echo?a=1`);
  });

  it('uses the injected fetch for every attempt', async () => {
    const urls: string[] = [];
    const c = client({
      fetch: (input, init) => {
        urls.push(input);
        return fetch(input, init);
      },
    });
    kit.faults.statusSequence([503]);
    await c.get('/users/u1');
    expect(urls).toEqual([`${kit.server.url}/users/u1`, `${kit.server.url}/users/u1`]);
  });
});

describe('errors', () => {
  it('maps statuses to typed errors with the parsed body, request id and status', async () => {
    const error = await failure(client().get('/missing'));
    expect(NotFoundError.isInstance(error)).toBe(true);
    expect(error.code).toBe('not_found');
    expect(error.status).toBe(404);
    expect(error.body).toEqual({ error: { code: 'user_missing', message: 'no such user' } });
    expect(error.message).toContain('no such user');
    expect(error.retryable).toBe(false);
  });

  it('lets a service map its wire codes onto its own subclasses', async () => {
    class UserMissingError extends NotFoundError {
      static override readonly brand: symbol = Symbol.for('@x/test.UserMissingError');
      static override readonly defaultCode: string = 'user_missing';
    }
    const c = client({
      mapError: (ctx) =>
        (ctx.body as { error?: { code?: string } })?.error?.code === 'user_missing'
          ? new UserMissingError('user missing', { status: ctx.status, body: ctx.body })
          : undefined,
    });
    const error = await failure(c.get('/missing'));
    expect(UserMissingError.isInstance(error)).toBe(true);
    expect(NotFoundError.isInstance(error)).toBe(true);
    expect(error.code).toBe('user_missing');
    kit.faults.enqueue({ status: 422, body: { detail: 'bad' } });
    expect(UnprocessableEntityError.isInstance(await failure(c.get('/users/x')))).toBe(true);
  });

  it('gives mapError the error body as sent (text) besides the parsed one, under the same cap', async () => {
    const seen: ErrorContext[] = [];
    const c = client({
      retry: 0,
      maxErrorBodyBytes: 1000,
      mapError: (ctx) => {
        seen.push(ctx);
        return undefined;
      },
    });
    await failure(c.get('/missing'));
    expect(JSON.parse(seen[0]!.text!)).toEqual(seen[0]!.body);
    expect(seen[0]!.text).toBe(JSON.stringify(seen[0]!.body));
    await failure(c.get('/big-error'));
    expect(seen[1]!.text).toHaveLength(1000);
    expect(seen[1]!.text).toBe(seen[1]!.body);
  });

  it('reads error bodies only up to the cap', async () => {
    const error = await failure(client({ retry: 0, maxErrorBodyBytes: 1000 }).get('/big-error'));
    expect(ServerError.isInstance(error)).toBe(true);
    expect(error.body).toHaveLength(1000);
  });

  it('runs beforeError hooks, which may replace the error', async () => {
    class Wrapped extends XError {
      static override readonly brand: symbol = Symbol.for('@x/test.Wrapped');
    }
    const c = client({
      hooks: { beforeError: [(e) => new Wrapped(`wrapped ${e.code}`, { cause: e, status: e.status })] },
    });
    const error = await failure(c.get('/missing'));
    expect(Wrapped.isInstance(error)).toBe(true);
    expect(error.message).toBe('wrapped not_found');
  });

  it('a request fetch refuses before sending (a GET with a body) is an InvalidRequestError, never retried', async () => {
    const c = client({ retry: 3 });
    const error = await failure(c.request('GET', '/users/1', { body: 'no body on a GET' }));
    expect(InvalidRequestError.isInstance(error)).toBe(true);
    expect(NetworkError.isInstance(error)).toBe(false);
    expect(error).toMatchObject({ code: 'invalid_request', retryable: false });
    expect(error.message).toMatch(/^GET .*\/users\/1 was not sent: .*GET/);
    expect(kit.recorder.requests).toHaveLength(0);
  });

  it('a refused connection stays a retryable NetworkError (fetch throws TypeError for both)', async () => {
    const error = await failure(createHttpClient({ baseUrl: 'http://127.0.0.1:9', retry: false }).get('/x'));
    expect(error).toMatchObject({ code: 'network_error', retryable: true });
  });
});

describe('retries', () => {
  it('retries 503 and 429 for GET with full-jitter backoff, then succeeds', async () => {
    kit.faults.statusSequence([503, 429]);
    expect(await client().get('/users/u1', { schema: User })).toEqual({ id: 'u1', name: 'Ada' });
    expect(kit.recorder.requests).toHaveLength(3);
    expect(kit.delays).toEqual([250, 500]); // random 0.5 × (500, 1000)
  });

  it.each([408, 425, 500, 502, 504])('retries %i', async (status) => {
    kit.faults.statusSequence([status]);
    await client().get('/users/u1');
    expect(kit.recorder.requests).toHaveLength(2);
  });

  it('does not retry other statuses', async () => {
    kit.faults.statusSequence([501, 400]);
    await expect(client().get('/users/u1')).rejects.toSatisfy((e) => ServerError.isInstance(e));
    await expect(client().get('/users/u1')).rejects.toSatisfy(
      (e) => XError.isInstance(e) && e.status === 400,
    );
    expect(kit.recorder.requests).toHaveLength(2);
  });

  it('gives up after the limit (default 2 retries) with the last error', async () => {
    kit.faults.statusSequence([503, 503, 503, 503]);
    const error = await failure(client().get('/users/u1'));
    expect(ServiceUnavailableError.isInstance(error)).toBe(true);
    expect(kit.recorder.requests).toHaveLength(3);
    kit.recorder.clear();
    await expect(client({ retry: 0 }).get('/users/u1')).rejects.toSatisfy((e) => ServerError.isInstance(e));
    expect(kit.recorder.requests).toHaveLength(1);
  });

  it('honours Retry-After seconds, HTTP dates and retry-after-ms', async () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    kit.faults.enqueue(
      { status: 429, headers: { 'Retry-After': '3' } },
      { status: 503, headers: { 'Retry-After': 'Thu, 01 Jan 2026 00:00:07 GMT' } },
    );
    await client({ now: () => now }).get('/users/u1');
    kit.faults.enqueue({ status: 503, headers: { 'retry-after-ms': '120', 'Retry-After': '9' } });
    await client().get('/users/u1');
    expect(kit.delays).toEqual([3000, 7000, 120]);
  });

  it('does not retry when Retry-After exceeds maxRetryAfter, but reports retryAfterMs', async () => {
    kit.faults.enqueue({ status: 429, headers: { 'Retry-After': '120' } });
    const error = await failure(client().get('/users/u1'));
    expect(RateLimitError.isInstance(error)).toBe(true);
    expect(error.retryAfterMs).toBe(120_000);
    expect(error.retryable).toBe(true);
    expect(kit.recorder.requests).toHaveLength(1);
    kit.faults.enqueue({ status: 429, headers: { 'Retry-After': '120' } });
    await client({ retry: { maxRetryAfter: 180_000 } }).get('/users/u1');
    expect(kit.delays).toEqual([120_000]);
  });

  it('sets retryAfterMs even when the request is not retried (POST without a key)', async () => {
    kit.faults.enqueue({ status: 503, headers: { 'Retry-After': '2' } });
    const error = await failure(client().post('/items', { json: {} }));
    expect(error.retryAfterMs).toBe(2000);
    expect(kit.recorder.requests).toHaveLength(1);
  });

  it('never retries POST or PATCH without an idempotency key; PUT and DELETE always', async () => {
    kit.faults.statusSequence([503, 503, 503, 0, 503]);
    await expect(client().post('/items', { json: {} })).rejects.toSatisfy((e) => ServerError.isInstance(e));
    await expect(client().patch('/items', { json: {} })).rejects.toSatisfy((e) => ServerError.isInstance(e));
    await client().put('/items', { json: {} });
    await client().delete('/items');
    expect(kit.recorder.requests.map((r) => r.method)).toEqual([
      'POST',
      'PATCH',
      'PUT',
      'PUT',
      'DELETE',
      'DELETE',
    ]);
  });

  it('adds an automatic idempotency key to unsafe methods, the same on every retry, and retries POST', async () => {
    const c = client({ idempotencyHeader: 'Idempotency-Key' });
    kit.faults.statusSequence([503, 502]);
    await c.post('/items', { json: { a: 1 } });
    const keys = kit.recorder.requests.map((r) => r.headers['idempotency-key']);
    expect(keys).toHaveLength(3);
    expect(keys[0]).toMatch(/^[0-9a-f-]{32,36}$/);
    expect(new Set(keys).size).toBe(1);
    await c.post('/items', { json: { a: 2 } });
    expect(kit.recorder.last()!.headers['idempotency-key']).not.toBe(keys[0]);
    await c.get('/users/u1');
    expect(kit.recorder.last()!.headers['idempotency-key']).toBeUndefined();
  });

  it('uses a caller-given key (which also makes POST retryable) and can send none', async () => {
    kit.faults.statusSequence([503]);
    await client().post('/items', { json: {}, idempotencyKey: 'req-42' });
    expect(kit.recorder.requests.map((r) => r.headers['idempotency-key'])).toEqual(['req-42', 'req-42']);
    kit.recorder.clear();
    await client({ idempotencyHeader: 'X-Idem' }).post('/items', { json: {}, idempotencyKey: false });
    expect(kit.recorder.last()!.headers['x-idem']).toBeUndefined();
    await client({ idempotencyHeader: 'X-Idem', generateIdempotencyKey: () => 'fixed' }).patch('/items', {
      json: {},
    });
    expect(kit.recorder.last()!.headers['x-idem']).toBe('fixed');
  });

  it('retries connection resets and truncated bodies as network errors', async () => {
    kit.faults.enqueue({ reset: true }, { truncate: { body: '{"id":"u', declaredLength: 100 } });
    expect(await client().get('/users/u1', { schema: User })).toEqual({ id: 'u1', name: 'Ada' });
    expect(kit.recorder.requests).toHaveLength(3);
    kit.faults.enqueue({ reset: true });
    const error = await failure(client().post('/items', { json: {} }));
    expect(NetworkError.isInstance(error)).toBe(true);
    expect(error.retryable).toBe(true);
    kit.faults.enqueue({ truncate: { body: '{"id":"u', declaredLength: 100 } });
    await expect(client({ retry: 0 }).get('/users/u1')).rejects.toSatisfy((e) => NetworkError.isInstance(e));
  });

  it('fails with NetworkError when nothing listens', async () => {
    const dead = createHttpClient({ baseUrl: 'http://127.0.0.1:9', retry: 1, ...kit.fast });
    const error = await failure(dead.get('/x'));
    expect(NetworkError.isInstance(error)).toBe(true);
    expect(error.cause).toBeDefined();
  });

  it('calls beforeRetry hooks with the failed attempt, the error and the delay', async () => {
    const seen: string[] = [];
    kit.faults.statusSequence([503]);
    await client({
      auth: bearer('t'),
      hooks: {
        beforeRetry: [
          ({ request, error, retry, delayMs }) =>
            void seen.push(
              `${request.attempt} ${request.headers.get('authorization')} ${error.status} ${retry} ${delayMs}`,
            ),
        ],
      },
    }).get('/users/u1');
    expect(seen).toEqual(['1 Bearer t 503 1 250']);
  });

  it('lets a bug in a hook surface unchanged, without retries', async () => {
    const bug = new TypeError('hook bug');
    const error = await failure(
      client({
        hooks: {
          beforeRequest: [
            () => {
              throw bug;
            },
          ],
        },
      }).get('/users/u1'),
    );
    expect(error).toBe(bug);
    expect(kit.recorder.requests).toHaveLength(0);
  });

  it('wraps a failing credential getter in AuthenticationError', async () => {
    const cause = new Error('vault sealed');
    const error = await failure(
      client({
        auth: bearerFrom(async () => {
          throw cause;
        }),
      }).get('/users/u1'),
    );
    expect(AuthenticationError.isInstance(error)).toBe(true);
    expect(error.cause).toBe(cause);
    expect(kit.recorder.requests).toHaveLength(0);
  });
});

describe('timeouts and aborts', () => {
  it('times out each attempt with TimeoutError and retries it', async () => {
    kit.faults.enqueue({ delayMs: 400 });
    expect(await client({ timeout: 100 }).get('/users/u1', { schema: User })).toMatchObject({ id: 'u1' });
    kit.faults.enqueue({ delayMs: 400, times: 3 });
    const error = await failure(client({ timeout: 100 }).get('/users/u1'));
    expect(TimeoutError.isInstance(error)).toBe(true);
    expect(AbortError.isInstance(error)).toBe(false);
    expect(error.message).toContain('100 ms');
  });

  it('stops everything at totalTimeout with a TimeoutError that is not retried', async () => {
    const error = await failure(
      createHttpClient({ baseUrl: kit.server.url, totalTimeout: 100 }).get('/slow'),
    );
    expect(TimeoutError.isInstance(error)).toBe(true);
    expect(error.retryable).toBe(false);
    expect(kit.recorder.requests).toHaveLength(1);
  });

  it('does not start a retry wait that would pass the total deadline', async () => {
    kit.faults.enqueue({ status: 503, headers: { 'Retry-After': '5' } });
    const error = await failure(client({ totalTimeout: 1000 }).get('/users/u1'));
    expect(ServiceUnavailableError.isInstance(error)).toBe(true);
    expect(kit.delays).toEqual([]);
  });

  it('treats timeouts beyond the timer range (Infinity) as none instead of firing at once', async () => {
    const data = await client({ timeout: Number.POSITIVE_INFINITY, totalTimeout: 2 ** 40 }).get('/slow');
    expect(data).toEqual({ ok: true });
  });

  it('applies a per-call timeout over the client default', async () => {
    const error = await failure(client({ timeout: 10_000, retry: 0 }).get('/slow', { timeout: 50 }));
    expect(TimeoutError.isInstance(error)).toBe(true);
  });

  it('rejects with AbortError (never TimeoutError) when the caller aborts during the request', async () => {
    const ctl = new AbortController();
    setTimeout(() => ctl.abort(new Error('user left')), 50);
    const error = await failure(client({ timeout: 10_000 }).get('/slow', { signal: ctl.signal }));
    expect(AbortError.isInstance(error)).toBe(true);
    expect(TimeoutError.isInstance(error)).toBe(false);
    expect(error.cause).toEqual(new Error('user left'));
    expect(kit.recorder.requests).toHaveLength(1);
  });

  it('rejects at once for an already aborted signal, sending nothing', async () => {
    await expect(client().get('/users/u1', { signal: AbortSignal.abort() })).rejects.toSatisfy((e) =>
      AbortError.isInstance(e),
    );
    expect(kit.recorder.requests).toHaveLength(0);
  });

  it("treats the caller's own AbortSignal.timeout as an abort", async () => {
    const error = await failure(client().get('/slow', { signal: AbortSignal.timeout(50) }));
    expect(AbortError.isInstance(error)).toBe(true);
  });

  it('honours the signal during the retry wait (real sleep)', async () => {
    kit.faults.enqueue({ status: 503, headers: { 'Retry-After': '30' } });
    const ctl = new AbortController();
    const pending = failure(
      createHttpClient({ baseUrl: kit.server.url }).get('/users/u1', { signal: ctl.signal }),
    );
    // Abort once the first attempt was answered (a loaded machine may take a while to get there).
    await vi.waitFor(() => expect(kit.recorder.requests).toHaveLength(1), { timeout: 30_000 });
    await new Promise((r) => setTimeout(r, 50));
    ctl.abort();
    expect(AbortError.isInstance(await pending)).toBe(true);
    expect(kit.recorder.requests).toHaveLength(1);
  });

  it('honours the signal during the body read', async () => {
    kit.faults.enqueue({ slowBody: { chunks: ['{"id":', '"u1",', '"name":"Ada"}'], intervalMs: 300 } });
    const ctl = new AbortController();
    setTimeout(() => ctl.abort(), 100);
    const error = await failure(client().get('/users/u1', { signal: ctl.signal }));
    expect(AbortError.isInstance(error)).toBe(true);
  });

  it('reads slow bodies completely when there is time', async () => {
    kit.faults.enqueue({
      slowBody: { chunks: ['{"id":', '"u1",', '"name":"Ada"}'], intervalMs: 20 },
      headers: { 'content-type': 'application/json' },
    });
    expect(await client().get('/users/u1', { schema: User })).toEqual({ id: 'u1', name: 'Ada' });
  });

  it('times out a body that arrives too slowly', async () => {
    kit.faults.enqueue({ slowBody: { chunks: ['{', '}'], intervalMs: 500 } });
    const error = await failure(client({ timeout: 100, retry: 0 }).get('/users/u1'));
    expect(TimeoutError.isInstance(error)).toBe(true);
  });
});

describe('hooks and logging', () => {
  it('runs beforeRequest and afterResponse for every attempt', async () => {
    const order: string[] = [];
    kit.faults.statusSequence([503]);
    await client({
      hooks: {
        beforeRequest: [
          (r) => {
            order.push(`before ${r.attempt}`);
            r.headers.set('x-signed', `sig-${r.attempt}`);
          },
        ],
        afterResponse: [
          (_r, res) => {
            order.push(`after ${res.status}`);
          },
        ],
      },
    }).get('/users/u1');
    expect(order).toEqual(['before 1', 'after 503', 'before 2', 'after 200']);
    expect(kit.recorder.requests.map((r) => r.headers['x-signed'])).toEqual(['sig-1', 'sig-2']);
  });

  it('lets afterResponse replace the response', async () => {
    const data = await client({
      hooks: { afterResponse: [() => Response.json({ id: 'hooked', name: 'H' })] },
    }).get('/users/u1', { schema: User });
    expect(data.id).toBe('hooked');
  });

  it('logs requests, retries and errors with secrets redacted', async () => {
    const entries: Array<[string, string, unknown]> = [];
    const logger: Logger = {
      debug: (m, d) => entries.push(['debug', m, d]),
      info: (m, d) => entries.push(['info', m, d]),
      warn: (m, d) => entries.push(['warn', m, d]),
      error: (m, d) => entries.push(['error', m, d]),
    };
    kit.faults.statusSequence([503]);
    await client({
      logger,
      headers: { authorization: 'Bearer SECRET1', 'x-pat': 'airpat_SECRET2', 'x-custom-sig': 'SECRET3' },
      redact: { headers: ['x-custom-sig'] },
    }).get('/users/u1', { query: { access_token: 'SECRET4', page: 2 } });
    const text = JSON.stringify(entries);
    expect(text).not.toMatch(/SECRET/);
    expect(text).toContain(REDACTED);
    expect(text).toContain('page=2');
    expect(entries.map(([level, message]) => `${level} ${message}`)).toEqual([
      'debug http request',
      'debug http response',
      'info http retry',
      'debug http request',
      'debug http response',
    ]);
    // The server still got the real values.
    expect(kit.recorder.last()!.headers.authorization).toBe('Bearer SECRET1');
  });

  it("builds no record for a level the logger's isLevelEnabled turns off", async () => {
    const entries: string[] = [];
    const asked: string[] = [];
    let debugOn = false;
    const logger: Logger = {
      ...lineLogger(entries),
      isLevelEnabled: (level) => {
        asked.push(level);
        return level !== 'debug' || debugOn;
      },
    };
    kit.faults.statusSequence([503]);
    const http = client({ logger });
    await http.get('/users/u1');
    expect(entries).toEqual(['info http retry']);
    expect(asked).toContain('debug');
    // Asked on every call: a level switched on later is honoured.
    debugOn = true;
    await http.get('/users/u1');
    expect(entries.slice(1)).toEqual(['debug http request', 'debug http response']);
  });

  it('createLogger tells its level to the client: debug records are built only when debug is on', async () => {
    const lines: string[] = [];
    const sink = lineLogger(lines);
    const info = createLogger('info', sink);
    expect([info.isLevelEnabled!('debug'), info.isLevelEnabled!('info')]).toEqual([false, true]);
    await client({ logger: info }).get('/users/u1');
    await client({ logger: createLogger('debug', sink) }).get('/users/u1');
    expect(lines).toEqual(['debug http request', 'debug http response']);
  });

  it('keeps secrets out of error messages', async () => {
    const error = await failure(client().get('/missing', { query: { token: 'SECRET5' } }));
    expect(error.message).not.toContain('SECRET5');
  });
});
