// The main entry in real Bun, Deno and workerd (one vitest project each): login and Den uploads of every body
// kind against the fake inkPass on loopback. In workerd, FormData and stream uploads used to fail before
// sending (workerd refuses `redirect: 'error'`) and were reported as ServiceUnavailableError.
import { openRuntime, RUNTIME_NAMES, type RuntimeModule, userAgentRuntime } from '@x/tooling/runtimes';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { type FakeInkPass, startFakeInkPass } from '../src/testing/index.ts';
import type * as Module from './runtimes/client.ts';

const runtime = inject('runtime');
let module: RuntimeModule;
let fake: FakeInkPass;

beforeAll(async () => {
  fake = await startFakeInkPass();
  module = await openRuntime(runtime, new URL('./runtimes/client.ts', import.meta.url));
});

afterAll(async () => {
  await module?.close();
  await fake?.close();
});

it(`in ${runtime}: login, then Den uploads from a Blob, bytes and a stream, read back`, async () => {
  const password = 'SecurePassword123!';
  const user = fake.seed.user({ email: `${runtime}@example.com`, password });
  const result = await module.call<Awaited<ReturnType<typeof Module.flow>>>('flow', {
    baseUrl: fake.url,
    serviceApiKey: fake.serviceApiKey,
    email: user.email,
    password,
    orgId: user.organizationId,
  } satisfies Module.FlowConfig);
  expect(result).toEqual({
    email: `${runtime}@example.com`,
    blob: 'from a Blob',
    bytes: 'from bytes',
    stream: 'from a stream',
  });
  const agents = new Set(fake.recorder.requests.map((r) => r.headers['user-agent']));
  for (const agent of agents) expect(userAgentRuntime(agent)).toMatch(RUNTIME_NAMES[runtime]);
});
