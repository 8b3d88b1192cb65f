// Broker checks that depend on its configuration: platform identity, missing verification key, unmandated
// low-risk calls, a failing policy engine. Each fake is started with the setting under test.
import { generateKeyPair, SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { createPolicy, type FakeAtbOptions } from '../src/testing/index.ts';
import { clientFor, refusal, startFakeAtb, withFake } from './kit.ts';

const read = { verb: 'read', resource: 'crm/contact' };

describe('platform identity (X-Platform-Token)', async () => {
  const platform = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
  const options: FakeAtbOptions = {
    broker: {
      platformIdentity: {
        publicKey: platform.publicKey,
        issuer: 'https://login.example.com',
        required: true,
        binding: (claims, spiffeId) =>
          spiffeId.endsWith(`/${String(claims.sub)}`)
            ? undefined
            : `sub ${String(claims.sub)} is not ${spiffeId}`,
      },
    },
  };
  const platformToken = (sub: string, key = platform.privateKey) =>
    new SignJWT({ sub })
      .setProtectedHeader({ alg: 'EdDSA' })
      .setIssuer('https://login.example.com')
      .sign(key);

  it('a valid token bound to the SPIFFE ID passes; a missing or forged one is 401; another sub is 403', () =>
    withFake(options, async (atb, client) => {
      const ok = await client.execute('GET', '/crm/contacts/1', {
        poa: await client.getToken(read, 'x'),
        platformToken: await platformToken('connector'),
      });
      expect(ok.status).toBe(200);
      expect(atb.broker.audit.at(-1)?.platform_identity).toBe('connector');
      const missing = await refusal(
        client.execute('GET', '/crm/contacts/1', { poa: await client.getToken(read, 'x') }),
      );
      expect(missing).toMatchObject({
        check: 'platform_identity',
        status: 401,
        reason: 'invalid platform identity',
      });
      const rogue = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
      const forged = await refusal(
        client.execute('GET', '/crm/contacts/1', {
          poa: await client.getToken(read, 'x'),
          platformToken: await platformToken('connector', rogue.privateKey),
        }),
      );
      expect(forged.check).toBe('platform_identity');
      const other = await refusal(
        client.execute('GET', '/crm/contacts/1', {
          poa: await client.getToken(read, 'x'),
          platformToken: await platformToken('someone-else'),
        }),
      );
      expect(other).toMatchObject({ check: 'platform_binding', status: 403 });
      expect(atb.broker.audit.at(-1)?.reason).toMatch(/^spiffe_binding_mismatch:/);
    }));
});

describe('broker configuration', () => {
  it('unmandated low risk: an allowlisted action without a PoA passes, another is 401 PoA required', () =>
    withFake({ broker: { allowUnmandatedLowRisk: true } }, async (atb, client) => {
      const ok = await client.execute('GET', '/kb/faq', { action: 'kb.faq.query' });
      expect(ok.status).toBe(200);
      expect(atb.broker.audit.at(-1)).toMatchObject({ decision: 'allow' });
      const post = await client.execute('POST', '/kb/faq', { action: 'kb.faq.query', body: { q: 'hours' } });
      expect(post.status).toBe(200);
      const error = await refusal(client.execute('DELETE', '/kb/faq', { action: 'kb.faq.query' }));
      expect(error).toMatchObject({ check: 'poa_required', status: 401, reason: 'PoA required' });
      expect(atb.broker.audit.at(-1)?.reason).toBe('poa_required_for_action');
    }));

  it('a failing policy engine is 500 policy evaluation error', () =>
    withFake(
      {
        broker: {
          policy: () => {
            throw new Error('connection refused');
          },
        },
      },
      async (atb, client) => {
        const error = await refusal(
          client.execute('GET', '/crm/contacts/1', { poa: await client.getToken(read, 'x') }),
        );
        expect(error).toMatchObject({ check: 'policy_error', status: 500 });
        expect(atb.broker.audit.at(-1)?.reason).toBe('opa_error:connection refused');
      },
    ));

  it('without a PoA verification key the broker answers 503 authorization not configured', async () => {
    const atb = await startFakeAtb();
    const client = clientFor(atb, { lowRiskApprover: { approverId: 'policy-bot@example.com' } });
    try {
      const poa = await client.getToken(read, 'x');
      await atb.broker.close();
      const { startFakeBroker } = await import('../src/testing/index.ts');
      const bare = await startFakeBroker({
        cert: atb.pki.server.cert,
        key: atb.pki.server.key,
        clientCa: atb.caCert,
        upstreamUrl: 'http://127.0.0.1:9',
        jwks: () => [],
        clock: atb.clock,
      });
      const other = clientFor(atb, { brokerUrl: bare.url });
      try {
        const error = await refusal(other.execute('GET', '/x', { poa }));
        expect(error).toMatchObject({ check: 'not_configured', status: 503 });
      } finally {
        await other.close();
        await bare.close();
      }
    } finally {
      await client.close();
      await atb.close();
    }
  });
});

describe('AgentAuth over https', () => {
  it('the client reaches an https AgentAuth through the same TLS setup (CA verified, certificate presented)', () =>
    withFake({ agentAuthTls: true }, async (atb, client) => {
      expect(atb.agentauthUrl).toMatch(/^https:/);
      const response = await client.authorize(read, { reason: 'over https' });
      expect(response.allowed).toBe(true);
      expect((await client.execute('GET', '/crm/contacts/1', { poa: response.token! })).status).toBe(200);
    }));
});

describe('header fallbacks', () => {
  it('the broker reads X-PoA-Token when Authorization is empty, and X-Action when X-ATB-Action is absent', () =>
    withFake({}, async (atb, client) => {
      const { createMtlsTransport } = await import('../src/node/index.ts');
      const transport = createMtlsTransport({ ...atb.agent, ca: atb.caCert });
      try {
        const poa = await client.getToken(read, 'fallback');
        const ok = await transport.fetch(`${atb.brokerUrl}/crm/contacts/1`, {
          headers: { 'X-Poa-Token': poa.token, 'X-Action': 'crm.contact.read' },
        });
        expect(ok.status).toBe(200);
        const second = await client.getToken(read, 'fallback');
        const mismatch = await transport.fetch(`${atb.brokerUrl}/crm/contacts/1`, {
          headers: { 'X-Poa-Token': second.token, 'X-Action': 'crm.contact.delete' },
        });
        expect([mismatch.status, await mismatch.text()]).toEqual([403, 'PoA action mismatch\n']);
      } finally {
        await transport.dispatcher.close();
      }
    }));
});

describe('a policy with rate limits and a time policy (createPolicy)', () => {
  it('the broker refuses the call past the limit as policy_denied and audits time_policy_violation', () =>
    withFake(
      {
        broker: {
          policy: createPolicy({ rateLimits: { 'crm.contact.read': { max: 2, windowSeconds: 60 } } }),
        },
      },
      async (atb, client) => {
        for (let i = 0; i < 2; i++) {
          const ok = await client.execute('GET', '/crm/contacts/1', {
            poa: await client.getToken(read, 'x'),
          });
          expect(ok.status).toBe(200);
        }
        const refused = await refusal(
          client.execute('GET', '/crm/contacts/1', { poa: await client.getToken(read, 'x') }),
        );
        expect(refused.check).toBe('policy_denied');
        expect(atb.broker.audit.at(-1)?.reason).toBe('time_policy_violation');
        atb.clock.advance(61_000);
        const later = await client.execute('GET', '/crm/contacts/1', {
          poa: await client.getToken(read, 'x'),
        });
        expect(later.status).toBe(200);
      },
    ));

  it('outside business hours only a PoA with con.allow_outside_business_hours passes', () =>
    withFake(
      { broker: { policy: createPolicy({ timePolicy: { businessHours: { startHour: 0, endHour: 0 } } }) } },
      async (_atb, client) => {
        const refused = await refusal(
          client.execute('GET', '/crm/contacts/1', { poa: await client.getToken(read, 'x') }),
        );
        expect(refused.check).toBe('policy_denied');
        const poa = await client.getToken(read, 'x', { constraints: { allow_outside_business_hours: true } });
        expect((await client.execute('GET', '/crm/contacts/1', { poa })).status).toBe(200);
      },
    ));
});
