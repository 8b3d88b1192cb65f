// Shared setup of the node tests: one fake ATB (PKI, AgentAuth, broker, echo upstream) and a client for it.
import { afterAll, beforeAll } from 'vitest';
import { AtbClient, type AtbClientOptions } from '../src/node/index.ts';
import { type FakeAtb, type FakeAtbOptions, startFakeAtb } from '../src/testing/index.ts';

/** A client of `atb` with its default agent certificate and the fake's clock. */
export function clientFor(atb: FakeAtb, options: Partial<AtbClientOptions> = {}): AtbClient {
  return new AtbClient({ ...atb.clientOptions(), logLevel: 'silent', ...options });
}

export { type FakeAtb, type FakeAtbOptions, startFakeAtb };

/**
 * Starts a fake ATB and a client (with a low-risk approver) for the test file and stops both after it;
 * the returned function gives them once `beforeAll` has run.
 */
export function useFakeAtb(options: FakeAtbOptions = {}): () => { atb: FakeAtb; client: AtbClient } {
  let context: { atb: FakeAtb; client: AtbClient } | undefined;
  beforeAll(async () => {
    const atb = await startFakeAtb(options);
    context = { atb, client: clientFor(atb, { lowRiskApprover: { approverId: 'policy-bot@example.com' } }) };
  });
  afterAll(async () => {
    await context?.client.close();
    await context?.atb.close();
  });
  return () => context!;
}
