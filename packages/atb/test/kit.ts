// Shared setup of the node tests: one fake ATB (PKI, AgentAuth, broker, echo upstream) and a client for it.
import { afterAll, beforeAll, expect } from 'vitest';
import { BrokerRefused } from '../src/index.ts';
import { AtbClient, type AtbClientOptions } from '../src/node/index.ts';
import { type FakeAtb, type FakeAtbOptions, startFakeAtb } from '../src/testing/index.ts';

/** A client of `atb` with its default agent certificate and the fake's clock. */
export function clientFor(atb: FakeAtb, options: Partial<AtbClientOptions> = {}): AtbClient {
  return new AtbClient({ ...atb.clientOptions(), logLevel: 'silent', ...options });
}

export { type FakeAtb, type FakeAtbOptions, startFakeAtb };

/**
 * Starts a fake ATB and a client (with a low-risk approver) for the test file and stops both after it;
 * the returned function gives them once `beforeAll` has run. Pass a function for options that depend on
 * servers an earlier `beforeAll` starts.
 */
export function useFakeAtb(
  options: FakeAtbOptions | (() => FakeAtbOptions) = {},
): () => { atb: FakeAtb; client: AtbClient } {
  let context: { atb: FakeAtb; client: AtbClient } | undefined;
  beforeAll(async () => {
    const atb = await startFakeAtb(typeof options === 'function' ? options() : options);
    context = { atb, client: clientFor(atb, { lowRiskApprover: { approverId: 'policy-bot@example.com' } }) };
  });
  afterAll(async () => {
    await context?.client.close();
    await context?.atb.close();
  });
  return () => context!;
}

/** Awaits a call the broker must refuse and returns the {@link BrokerRefused} it raised. */
export async function refusal(promise: Promise<unknown>): Promise<BrokerRefused> {
  const error = await promise.catch((e: unknown) => e);
  expect(BrokerRefused.isInstance(error), String(error)).toBe(true);
  return error as BrokerRefused;
}

/** Starts a fake ATB with `options` and a client (with a low-risk approver), runs `run`, then stops both. */
export async function withFake(
  options: FakeAtbOptions,
  run: (atb: FakeAtb, client: AtbClient) => Promise<void>,
): Promise<void> {
  const atb = await startFakeAtb(options);
  const client = clientFor(atb, { lowRiskApprover: { approverId: 'policy-bot@example.com' } });
  try {
    await run(atb, client);
  } finally {
    await client.close();
    await atb.close();
  }
}
