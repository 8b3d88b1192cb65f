// Shared setup of the node tests: one fake ATB (PKI, AgentAuth, broker, echo upstream) and a client for it.
import { AtbClient, type AtbClientOptions } from '../src/node/index.ts';
import { type FakeAtb, type FakeAtbOptions, startFakeAtb } from '../src/testing/index.ts';

/** A client of `atb` with its default agent certificate and the fake's clock. */
export function clientFor(atb: FakeAtb, options: Partial<AtbClientOptions> = {}): AtbClient {
  return new AtbClient({
    brokerUrl: atb.brokerUrl,
    agentauthUrl: atb.agentauthUrl,
    cert: atb.agent.cert,
    key: atb.agent.key,
    ca: atb.caCert,
    now: () => atb.clock.now(),
    sleep: async (ms) => atb.clock.advance(ms),
    logLevel: 'silent',
    ...options,
  });
}

export { type FakeAtb, type FakeAtbOptions, startFakeAtb };
