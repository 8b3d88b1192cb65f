// @x/http-core's main entry in real Bun, Deno and workerd (one vitest project each): a round trip over
// loopback to a server in this Node process, the User-Agent naming that runtime, and typed errors.
import { openRuntime, RUNTIME_NAMES, type RuntimeModule } from '@x/tooling/runtimes';
import { Hono } from 'hono';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { startTestServer, type TestServer } from '../src/testing/index.ts';
import type * as Module from './runtimes/client.ts';

const runtime = inject('runtime');
let module: RuntimeModule;
let server: TestServer;
let requests = 0;

beforeAll(async () => {
  const app = new Hono();
  app.use(async (_c, next) => {
    requests++;
    await next();
  });
  app.get('/echo', (c) => c.json({ userAgent: c.req.header('user-agent') ?? null }));
  app.post('/upload', async (c) => c.json({ received: await c.req.text() }));
  server = await startTestServer(app);
  module = await openRuntime(runtime, new URL('./runtimes/client.ts', import.meta.url));
});

afterAll(async () => {
  await module?.close();
  await server?.close();
});

it(`round trip in ${runtime}: JSON, a streamed upload, the User-Agent names ${runtime}, a refused port is a NetworkError`, async () => {
  const result = await module.call<Awaited<ReturnType<typeof Module.roundTrip>>>(
    'roundTrip',
    server.url,
    'http://127.0.0.1:9',
  );
  const ua = result.userAgent.split(' ');
  expect(ua[0]).toMatch(/^x-http-core\//);
  expect(ua[1]).toMatch(RUNTIME_NAMES[runtime]);
  expect(result.upload).toEqual({ received: 'streamed upload' });
  expect(result.refused).toMatchObject({ typed: true, network: true, code: 'network_error' });
});

it(`in ${runtime}, a request fetch refuses before sending is an InvalidRequestError, not retried`, async () => {
  const before = requests;
  expect(await module.call('refusedByFetch', server.url)).toEqual({
    name: 'InvalidRequestError',
    code: 'invalid_request',
    retryable: false,
    typed: true,
    invalidRequest: true,
  });
  expect(requests).toBe(before);
});

it(`the runtime is named ${runtime} even where process.versions.node is set (workerd's nodejs_compat polyfill)`, async () => {
  const result = await module.call<{ node: string; runtime: string }>('detectBehindNodePolyfill');
  expect(result.node).toMatch(/^\d+\./);
  expect(result.runtime).toMatch(RUNTIME_NAMES[runtime]);
});
