// The main entry in real Bun, Deno and workerd (one vitest project each): app tokens issued and validated
// there, and the allowlisted internal proxy calling a platform API this Node test serves on loopback.
import { startTestServer, type TestServer } from '@x/http-core/testing';
import { openRuntime, type RuntimeModule } from '@x/tooling/runtimes';
import { Hono } from 'hono';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';

const runtime = inject('runtime');
let module: RuntimeModule;
let platform: TestServer;
const seen: { path: string; authorization: string | undefined }[] = [];

beforeAll(async () => {
  const app = new Hono();
  app.all('*', (c) => {
    seen.push({ path: new URL(c.req.url).pathname, authorization: c.req.header('authorization') });
    return c.json({ agents: ['a-1'] });
  });
  platform = await startTestServer(app);
  module = await openRuntime(runtime, new URL('./runtimes/tokens.ts', import.meta.url));
});

afterAll(async () => {
  await module?.close();
  await platform?.close();
});

it(`in ${runtime}: an app token round trip, a tampered one refused, an allowlisted internal call`, async () => {
  const result = await module.call<Record<string, unknown>>('roundTrip', platform.url);
  expect(result).toMatchObject({ userId: 'u-1', sessionId: 's-1', tampered: 'invalid_token' });
  expect(result.response).toMatchObject({ status: 200, body: { agents: ['a-1'] } });
  expect(result.refused).not.toBe('sent');
  expect(seen).toEqual([{ path: '/api/agent/list', authorization: 'Bearer platform-jwt' }]);
});
