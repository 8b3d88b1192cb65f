// The gateway client from the main entry in real Bun, Deno and workerd (one vitest project each), against the
// fake gateway on loopback while this Node test plays the approver: echo, pairing (X25519 in that runtime),
// encrypt and submit, and a signed decision verified there.
import { openRuntime, RUNTIME_NAMES, type RuntimeModule, userAgentRuntime } from '@x/tooling/runtimes';
import { afterAll, beforeAll, expect, inject, it, vi } from 'vitest';
import { type FakeGateway, startFakeGateway } from '../src/testing/index.ts';
import type * as Page from './chromium/airlock.page.ts';

type Result<K extends keyof typeof Page> = Awaited<ReturnType<(typeof Page)[K]>>;

const runtime = inject('runtime');
const PAT = 'airpat_runtimes';
let module: RuntimeModule;
let gateway: FakeGateway;

beforeAll(async () => {
  gateway = await startFakeGateway({
    pats: [PAT],
    apps: [{ clientId: 'runtime-enforcer', appName: runtime }],
  });
  module = await openRuntime(runtime, new URL('./chromium/airlock.page.ts', import.meta.url));
  await module.call('setup', {
    gatewayUrl: gateway.url,
    signerPublicKey: gateway.signerPublicKey,
    pat: PAT,
    clientId: 'runtime-enforcer',
    realmUrl: 'http://127.0.0.1:9/unused',
  } satisfies Page.PageConfig);
});

afterAll(async () => {
  await module?.close();
  await gateway?.close();
});

it(`in ${runtime}: echo, pairing, encrypted submit and a verified signed decision`, async () => {
  const echo = await module.call<Result<'echo'>>('echo');
  expect(echo.ok && echo.echo.timezone).toBe('UTC');
  expect(userAgentRuntime(gateway.recorder.last()!.headers['user-agent'])).toMatch(RUNTIME_NAMES[runtime]);

  const begun = await module.call<Result<'beginPairing'>>('beginPairing');
  const fake = await gateway.completePairing(begun.pairingCode!);
  const done = await module.call<Result<'finishPairing'>>('finishPairing');
  expect(done.encryptionKey).toBe(fake.encryptionKey);

  const payload = JSON.stringify({ command: 'deploy', b: 2, a: 1 });
  const submitted = await module.call<Result<'submit'>>('submit', payload, `from ${runtime}`);
  const exchange = gateway.exchanges.get(submitted.requestId)!;
  expect(exchange.plaintext).toBe('{"a":1,"b":2,"command":"deploy"}');
  expect(exchange.hashMatches).toBe(true);

  const decided = module.call<Result<'waitUntilDecided'>>('waitUntilDecided', submitted.requestId);
  await vi.waitFor(() => expect(gateway.pendingWaits()).toBe(1), { timeout: 10_000, interval: 10 });
  await gateway.decide(submitted.requestId, { decision: 'approve', reason: 'ok' });
  expect(await decided).toMatchObject({ decision: 'approve', approved: true, signed: true });
});
