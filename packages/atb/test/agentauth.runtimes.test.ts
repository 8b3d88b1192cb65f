// @x/atb's main entry in real Bun, Deno and workerd (one vitest project each): a PoA obtained from the fake
// AgentAuth on loopback and verified there. In Bun, @x/atb/node refuses at construction with a clear error.
import { openRuntime, type RuntimeModule } from '@x/tooling/runtimes';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { type FakeAtb, startFakeAtb } from '../src/testing/index.ts';
import type * as Module from './runtimes/agentauth.ts';

const runtime = inject('runtime');
let module: RuntimeModule;
let atb: FakeAtb;

beforeAll(async () => {
  atb = await startFakeAtb();
  module = await openRuntime(runtime, new URL('./runtimes/agentauth.ts', import.meta.url));
});

afterAll(async () => {
  await module?.close();
  await atb?.close();
});

it(`in ${runtime}: challenge, approval, mandate, and the PoA verified; a forged signature is token_invalid`, async () => {
  expect(
    await module.call<Awaited<ReturnType<typeof Module.authorize>>>(
      'authorize',
      atb.agentauthUrl,
      atb.agentSpiffeId,
      atb.clock.now(),
    ),
  ).toEqual({ pending: false, act: 'crm.contact.update', ttl: 300, tampered: 'token_invalid' });
});

// Bun only: Deno and workerd run no @x/atb/node test here.
if (runtime === 'bun') {
  it('in bun, @x/atb/node refuses at construction (unsupported_runtime)', async () => {
    const node = await openRuntime('bun', new URL('./runtimes/node-entry.ts', import.meta.url));
    try {
      const { now: _now, sleep: _sleep, ...options } = atb.clientOptions();
      expect(await node.call('construct', options)).toMatchObject({
        name: 'AtbError',
        code: 'unsupported_runtime',
        message: expect.stringContaining('does not run in Bun'),
      });
    } finally {
      await node.close();
    }
  });
}
