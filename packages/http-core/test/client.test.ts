// Runs in both projects: in `edge` it proves the client works inside the edge-runtime VM, over real
// sockets to the shared server of test/global-setup.ts.
import { Buffer } from 'node:buffer';
import { clearImmediate, setImmediate } from 'node:timers';
import * as v from 'valibot';
import { describe, expect, inject, it } from 'vitest';
import {
  AbortError,
  createHttpClient,
  detectRuntime,
  ServiceUnavailableError,
  TimeoutError,
} from '../src/index.ts';
import { failure } from './failure.ts';

const baseUrl = inject('sharedServerUrl');
// The edge VM's own fetch (undici inside @edge-runtime/vm) needs `global`, `Buffer` and `clearImmediate`,
// which tooling/edge-setup.ts hides to catch our code using them. Only this file gives them back, for the
// VM's fetch; src/ still cannot reach them (biome forbids those globals there, and the other edge test files
// run without them).
const g = globalThis as Record<string, unknown>;
g.global ??= globalThis;
g.Buffer ??= Buffer;
g.setImmediate ??= setImmediate;
g.clearImmediate ??= clearImmediate;
const fast = { random: () => 0, sleep: async () => {} };
const unique = () => Math.random().toString(36).slice(2);

describe('createHttpClient in this runtime', () => {
  it('retries a 503 and validates the body', async () => {
    const key = unique();
    const data = await createHttpClient({ baseUrl, ...fast }).get(`/flaky/${key}/2`, {
      schema: v.object({ key: v.string(), attempts: v.number() }),
    });
    expect(data).toEqual({ key, attempts: 3 });
  });

  it('gives up with a typed error after the retry limit', async () => {
    const error = await failure(createHttpClient({ baseUrl, ...fast, retry: 1 }).get(`/flaky/${unique()}/5`));
    expect(ServiceUnavailableError.isInstance(error)).toBe(true);
    expect(error.retryAfterMs).toBe(0);
    expect(error.body).toEqual({ error: 'busy' });
  });

  it('sends a User-Agent naming this runtime and serialises the query', async () => {
    const echo = (await createHttpClient({ baseUrl }).get('/echo', { query: { a: [1, 2], b: true } })) as {
      headers: Record<string, string>;
      query: Record<string, string[]>;
    };
    expect(echo.headers['user-agent']).toContain(detectRuntime());
    expect(echo.headers['user-agent']).toMatch(/^x-http-core\/\d+\.\d+\.\d+ /);
    expect(echo.query).toEqual({ a: ['1', '2'], b: ['true'] });
  });

  it('identifies itself with X-Client-Info where browsers forbid setting User-Agent', async () => {
    const g = globalThis as Record<string, unknown>;
    const saved = { process: g.process, window: g.window, document: g.document };
    let client: ReturnType<typeof createHttpClient>;
    try {
      // Look like a browser just while the client is created: that is when it picks the header.
      g.process = undefined;
      g.window = {};
      g.document = {};
      client = createHttpClient({ baseUrl });
    } finally {
      for (const [name, value] of Object.entries(saved)) {
        if (value === undefined) delete g[name];
        else g[name] = value;
      }
    }
    const echo = (await client.get('/echo')) as { headers: Record<string, string> };
    expect(echo.headers['x-client-info']).toMatch(/^x-http-core\/\d+\.\d+\.\d+ /);
    expect(echo.headers['user-agent'] ?? '').not.toContain('x-http-core');
  });

  it('separates caller aborts from timeouts', async () => {
    const client = createHttpClient({ baseUrl, retry: 0 });
    const ctl = new AbortController();
    setTimeout(() => ctl.abort(), 50);
    expect(AbortError.isInstance(await failure(client.get('/slow', { signal: ctl.signal })))).toBe(true);
    expect(TimeoutError.isInstance(await failure(client.get('/slow', { timeout: 50 })))).toBe(true);
  });
});
