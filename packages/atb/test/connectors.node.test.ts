// Broker checks 14 and 14b: connector routing (X-ATB-Connector, the PoA's con.connector wins), resolve errors
// (400), egress allowlists and rate limits (403), over real mTLS against the fake broker.
import { beforeAll, describe, expect, it } from 'vitest';
import { type AtbClient, createMtlsTransport } from '../src/node/index.ts';
import { type FakeAtb, refusal, useFakeAtb } from './kit.ts';

const env = useFakeAtb({
  connectors: {
    crm: {},
    erp: {},
    locked: { egressAllowlist: ['api.example.com', '*.example.org'] },
    open: { egressAllowlist: ['127.0.0.1'] },
    limited: { rateLimit: { requests: 2, windowSeconds: 60 } },
    broken: { upstreamUrl: 'not a url' },
  },
});
let atb: FakeAtb;
let client: AtbClient;
beforeAll(() => {
  ({ atb, client } = env());
});

const read = { verb: 'read', resource: 'crm/contact' };
type Echo = { service: string; path: string; headers: Record<string, string> };
const call = async (connector?: string, constraints?: Record<string, unknown>) =>
  client.execute<Echo>('GET', '/crm/contacts/42', {
    poa: await client.getToken(read, 'routing', constraints ? { constraints } : {}),
    ...(connector === undefined ? {} : { connector }),
  });

describe('connector routing', () => {
  it('without a connector the call goes to the default upstream', async () => {
    const { data } = await call();
    expect(data.service).toBe('upstream');
    expect(data.headers['x-atb-connector']).toBeUndefined();
  });

  it('X-ATB-Connector selects the connector; the echo and the audit show which one served the call', async () => {
    const { data } = await call('crm');
    expect(data).toMatchObject({ service: 'crm', path: '/crm/contacts/42' });
    expect(data.headers['x-atb-connector']).toBe('crm');
    const event = atb.broker.audit.at(-1)!;
    expect(event).toMatchObject({ decision: 'allow', reason: 'policy_allow' });
    expect(event.target_service).not.toBe(atb.broker.audit.at(-2)?.target_service);
  });

  it("the PoA's con.connector wins over the header", async () => {
    const { data } = await call('crm', { connector: 'erp' });
    expect(data.service).toBe('erp');
    expect(data.headers['x-atb-connector']).toBe('erp');
    const viaPoA = await call(undefined, { connector: 'erp' });
    expect(viaPoA.data.service).toBe('erp');
  });
});

describe('check 14: connector resolve errors are 400 with the connector message', () => {
  it('an unknown connector id', async () => {
    const error = await refusal(call('nope'));
    expect(error).toMatchObject({
      check: 'connector_resolve',
      status: 400,
      reason: 'unknown connector: nope',
    });
    expect(atb.broker.audit.at(-1)).toMatchObject({
      decision: 'deny',
      reason: 'connector_refused:unknown connector: nope',
    });
  });

  it('ids that are object keys but not connectors (__proto__, constructor, toString) are unknown', async () => {
    for (const id of ['__proto__', 'constructor', 'toString']) {
      const error = await refusal(call(id));
      expect(error).toMatchObject({ check: 'connector_resolve', reason: `unknown connector: ${id}` });
    }
  });

  it('an unknown connector named by the PoA, even when the header names a good one', async () => {
    const error = await refusal(call('crm', { connector: 'ghost' }));
    expect(error).toMatchObject({ check: 'connector_resolve', reason: 'unknown connector: ghost' });
  });

  it('a PoA con.connector that is not a string, and a connector with a broken upstream URL', async () => {
    const wrongType = await refusal(call(undefined, { connector: 7 }));
    expect(wrongType).toMatchObject({
      check: 'connector_resolve',
      reason: 'connector id must be a non-empty string',
    });
    const broken = await refusal(call('broken'));
    expect(broken).toMatchObject({
      check: 'connector_resolve',
      reason: 'connector broken has an invalid upstream URL',
    });
  });

  it('on the wire: 400, text/plain, the message and a newline', async () => {
    const transport = createMtlsTransport({ ...atb.agent, ca: atb.caCert });
    try {
      const poa = await client.getToken(read, 'wire');
      const response = await transport.fetch(`${atb.brokerUrl}/crm/contacts/42`, {
        headers: { authorization: `Bearer ${poa.token}`, 'x-atb-connector': 'nope' },
      });
      expect(response.status).toBe(400);
      expect(response.headers.get('content-type')).toBe('text/plain; charset=utf-8');
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(await response.text()).toBe('unknown connector: nope\n');
    } finally {
      await transport.dispatcher.close();
    }
  });
});

describe('check 14b: egress allowlist and rate limit are 403 with the connector message', () => {
  it('a connector whose upstream host is not on its egress allowlist', async () => {
    const error = await refusal(call('locked'));
    expect(error).toMatchObject({
      check: 'connector_egress',
      status: 403,
      reason: 'connector locked: egress to 127.0.0.1 is not allowed',
    });
    expect((await call('open')).data.service).toBe('open');
  });

  it('the connector rate limit counts calls per window on the fake clock', async () => {
    expect((await call('limited')).status).toBe(200);
    expect((await call('limited')).status).toBe(200);
    const error = await refusal(call('limited'));
    expect(error).toMatchObject({
      check: 'connector_egress',
      status: 403,
      reason: 'connector limited: rate limit exceeded (2 requests per 60 s)',
    });
    // Other connectors are not affected; a new window lets calls through again.
    expect((await call('crm')).status).toBe(200);
    atb.clock.advance(60_000);
    expect((await call('limited')).data.service).toBe('limited');
  });

  it('a connector refusal comes after the PoA checks: a bad PoA is still invalid PoA, not a connector error', async () => {
    const poa = await client.getToken(read, 'order');
    atb.clock.advance(301_000);
    const expired = { ...poa, claims: { ...poa.claims, exp: poa.claims.exp + 1_000 } };
    const error = await refusal(
      client.execute('GET', '/crm/contacts/42', { poa: expired, connector: 'nope' }),
    );
    expect(error.check).toBe('invalid_poa');
  });
});
