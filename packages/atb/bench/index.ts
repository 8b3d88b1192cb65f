// `pnpm bench` for @x/atb:
// 1. authorize → execute per second over mTLS against the fakes vs the same four requests (challenge,
//    approve, mandate, broker call) sent with bare undici and the same TLS setup (target ≥0.8×);
// 2. execute alone vs one bare undici request to the broker with the same PoA and TLS (target ≥0.8×);
// 3. PoA verification per second vs bare jose with the same JWKS (target ≥0.9×).
import { createLocalJWKSet, jwtVerify } from 'jose';
import { Agent, request } from 'undici';
import { verifyPoAToken } from '../src/index.ts';
import { AtbClient } from '../src/node/index.ts';
import { startFakeAtb } from '../src/testing/index.ts';

// Loopback round trips through two TLS servers in this process drift with the machine (GC, JIT, neighbours):
// by default each comparison runs 10 interleaved rounds of 600 ms per case and takes each case's median.
// BENCH_ROUNDS and BENCH_TIME_MS (total ms per case) override; the tooling reads BENCH_ROUNDS when it loads,
// hence the dynamic import.
process.env.BENCH_ROUNDS ??= '10';
const { compare, summarize } = await import('@x/tooling/bench');
const timeMs = Number(process.env.BENCH_TIME_MS ?? 6000);
const atb = await startFakeAtb({
  broker: { singleUse: false },
  agentAuth: { rateLimitPerAgent: 1e9, rateLimitPerIp: 1e9 },
});
const client = new AtbClient({
  ...atb.clientOptions(),
  lowRiskApprover: { approverId: 'policy-bot@example.com' },
  logLevel: 'silent',
});
const dispatcher = new Agent({
  connect: { cert: atb.agent.cert, key: atb.agent.key, ca: atb.caCert, minVersion: 'TLSv1.2' },
});
const action = { verb: 'read', resource: 'crm/contact' };
const leg = {
  jurisdiction: 'GLOBAL',
  accountable_party: { type: 'service_account', id: atb.agentSpiffeId },
  purpose: 'bench',
};

async function post(path: string, body: unknown): Promise<any> {
  const res = await request(`${atb.agentauthUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (res.statusCode !== 200) throw new Error(`${path}: ${res.statusCode}`);
  return res.body.json();
}

async function brokerGet(token: string): Promise<void> {
  const res = await request(`${atb.brokerUrl}/crm/contacts/42`, {
    dispatcher,
    headers: {
      authorization: `Bearer ${token}`,
      'x-atb-action': 'crm.contact.read',
      'x-request-id': 'bench',
    },
  });
  if (res.statusCode !== 200) throw new Error(`broker: ${res.statusCode}`);
  await res.body.arrayBuffer();
}

try {
  const rows = [
    ...(await compare({
      title:
        'authorize → execute over mTLS (fake AgentAuth + broker) vs the same 4 requests with bare undici',
      timeMs,
      baseline: {
        name: 'bare undici: challenge, approve, mandate, broker GET',
        fn: async () => {
          const { challenge_id } = await post('/v1/challenge', {
            agent_spiffe_id: atb.agentSpiffeId,
            act: 'crm.contact.read',
            con: { params: {} },
            leg,
          });
          await post('/v1/approve', { challenge_id, approver: 'policy-bot@example.com' });
          const { token } = await post('/v1/mandate', { challenge_id });
          await brokerGet(token);
        },
      },
      candidates: [
        {
          name: 'client.authorize() + client.execute()',
          target: 0.8,
          fn: async () => {
            const { token } = await client.authorize(action, { reason: 'bench' });
            await client.execute('GET', '/crm/contacts/42', { poa: token! });
          },
        },
      ],
    })),
  ];
  const poa = await client.getToken(action, 'bench');
  rows.push(
    ...(await compare({
      title: 'one call through the broker over mTLS with a PoA',
      timeMs,
      baseline: { name: 'bare undici request (same TLS dispatcher setup)', fn: () => brokerGet(poa.token) },
      candidates: [
        {
          name: 'client.execute()',
          target: 0.8,
          fn: () => client.execute('GET', '/crm/contacts/42', { poa }),
        },
      ],
    })),
  );
  const jwks = await client.agentAuth.jwks();
  const joseKeys = createLocalJWKSet(jwks as never);
  rows.push(
    ...(await compare({
      title: 'PoA verification (EdDSA, kid from the JWKS, claims)',
      timeMs,
      baseline: {
        name: 'jose jwtVerify + createLocalJWKSet',
        fn: () => jwtVerify(poa.token, joseKeys, { algorithms: ['EdDSA'], subject: atb.agentSpiffeId }),
      },
      candidates: [
        {
          name: 'verifyPoAToken()',
          target: 0.9,
          fn: () => verifyPoAToken(poa.token, { jwks, expectedSubject: atb.agentSpiffeId }),
        },
      ],
    })),
  );
  summarize(rows);
} finally {
  await client.close();
  await dispatcher.close();
  await atb.close();
}
