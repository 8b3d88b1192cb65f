// The main entry in real Bun, Deno and workerd (one vitest project each): every case of the shared Airlock
// vector file with the automatic backend and with noble forced, and tampered ciphertexts rejecting.
import { openRuntime, type RuntimeModule } from '@x/tooling/runtimes';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import type { environment, VectorRun } from './chromium/vectors.page.ts';
import vectors from './vectors/airlock.json';

const runtime = inject('runtime');
let module: RuntimeModule;
beforeAll(async () => {
  module = await openRuntime(runtime, new URL('./chromium/vectors.page.ts', import.meta.url));
});
afterAll(async () => {
  await module?.close();
});

const expectedCases = Object.fromEntries(Object.entries(vectors.groups).map(([k, v]) => [k, v.length]));
const expectedTotal = Object.values(expectedCases).reduce((a, b) => a + b, 0);

it(`in ${runtime}: node:crypto where the runtime has it (Bun, Deno), WebCrypto or noble elsewhere`, async () => {
  const env = await module.call<Awaited<ReturnType<typeof environment>>>('environment');
  expect(env.userAgent).toBe(module.userAgent);
  if (runtime === 'workerd') {
    // The worker bundle takes the `browser` condition: no node:crypto backend code in it.
    expect(env.nodeCrypto).toMatchObject({ supportsSha256: false, forced: 'unsupported' });
  } else {
    expect(env.nodeCrypto).toEqual({ name: 'node-crypto', supportsSha256: true, forced: 'resolved' });
  }
  for (const backend of Object.values(env.resolved))
    expect(['webcrypto', 'node-crypto', 'noble']).toContain(backend);
});

it.each(['auto', 'noble'])(`every vector case, byte for byte, in ${runtime} (%s)`, async (backend) => {
  const run = await module.call<VectorRun>('runVectors', backend);
  expect(run.failures).toEqual([]);
  expect(run.cases).toEqual(expectedCases);
  expect(run.total).toBe(expectedTotal);
});

it.each(['auto', 'noble'])(
  `a tampered ciphertext, tag, nonce or key rejects in ${runtime} (%s)`,
  async (backend) => {
    const run = await module.call<VectorRun>('tamper', backend);
    expect(run.failures).toEqual([]);
    expect(run.total).toBe(4);
  },
);
