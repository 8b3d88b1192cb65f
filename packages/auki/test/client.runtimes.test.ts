// AukiClient from the main entry in real Bun, Deno and workerd (one vitest project each): sign-in and domain
// access against the fake auth API and discovery service on loopback, single-flight, typed errors, sealed state.
import { openRuntime, RUNTIME_NAMES, type RuntimeModule, userAgentRuntime } from '@x/tooling/runtimes';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { AukiFakeClock, type FakeAuki, startFakeAuki } from '../src/testing/index.ts';
import type * as Page from './chromium/auki.page.ts';
import { CHAIN } from './kit.ts';

const runtime = inject('runtime');
let module: RuntimeModule;
let fake: FakeAuki;

beforeAll(async () => {
  fake = await startFakeAuki({
    clock: new AukiFakeClock(Date.now()),
    users: [{ email: 'edge@example.test', password: 'pw-edge' }],
    domains: ['domain-1', 'domain-2', { id: 'paid', paymentRequired: true }],
  });
  module = await openRuntime(runtime, new URL('./chromium/auki.page.ts', import.meta.url));
  await module.call('setup', {
    ...fake.config(`${runtime}-app`),
    nowMs: fake.clock.now(),
    email: 'edge@example.test',
    password: 'pw-edge',
  } satisfies Page.PageConfig);
});

afterAll(async () => {
  await module?.close();
  await fake?.close();
});

it(`in ${runtime}: one request per tier for 20 concurrent calls, the User-Agent naming ${runtime}`, async () => {
  expect(await module.call('chain')).toEqual(CHAIN.result);
  expect(fake.recorder.requests.map((r) => r.path)).toEqual(CHAIN.paths);
  for (const request of fake.recorder.requests) {
    expect(request.headers['user-agent']).toMatch(/^x-auki\/\S+ x-http-core\/\S+ \S+$/);
    expect(userAgentRuntime(request.headers['user-agent'])).toMatch(RUNTIME_NAMES[runtime]);
  }
});

it(`a 402 is an AukiDomainAccessDeniedError in ${runtime} too`, async () => {
  expect(await module.call('paid')).toEqual({
    typed: true,
    code: 'auki_domain_access_denied',
    status: 402,
    isPaymentRequired: true,
  });
});

it(`saveState seals the refresh token in ${runtime}; fromState restores the cache`, async () => {
  expect(await module.call('saveAndRestore')).toEqual({ sealed: true, domain: 'domain-1' });
});
