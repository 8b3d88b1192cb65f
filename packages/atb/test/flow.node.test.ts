// The whole flow over real sockets: AgentAuth over HTTP, the broker over mTLS, the upstream echo behind it.
import { beforeAll, describe, expect, it } from 'vitest';
import { AuthorizationDenied, RiskTier } from '../src/index.ts';
import type { AtbClient } from '../src/node/index.ts';
import { type FakeAtb, useFakeAtb } from './kit.ts';

const env = useFakeAtb();
let atb: FakeAtb;
let client: AtbClient;
beforeAll(() => {
  ({ atb, client } = env());
});

describe('authorize → execute', () => {
  it('reads the SPIFFE ID from the certificate', () => {
    expect(client.spiffeId).toBe(atb.agentSpiffeId);
  });

  it('a low-risk action is allowed with the low-risk approver and executes through the broker', async () => {
    const response = await client.authorize(
      { verb: 'read', resource: 'logs/application', parameters: { lines: 100 } },
      { reason: 'Retrieve application logs for debugging' },
    );
    expect(response).toMatchObject({ allowed: true, riskTier: RiskTier.LOW, requiresApproval: false });
    expect(response.decisionId).toMatch(/^poa_[A-Za-z0-9_-]{22}$/);
    expect(response.token!.claims).toMatchObject({
      sub: atb.agentSpiffeId,
      act: 'logs.application.read',
      con: { params: { lines: 100 } },
      leg: { jurisdiction: 'GLOBAL', purpose: 'Retrieve application logs for debugging' },
    });
    const result = await client.execute<{ method: string; path: string; headers: Record<string, string> }>(
      'GET',
      '/logs/application?lines=100',
      { poa: response.token! },
    );
    expect(result.status).toBe(200);
    expect(result.data.path).toBe('/logs/application');
    expect(result.data.headers['x-atb-action']).toBe('logs.application.read');
    expect(result.data.headers.authorization).toBe(`Bearer ${response.token!.token}`);
    expect(result.data.headers['x-request-id']).toBe(result.requestId);
    expect(atb.broker.audit.at(-1)).toMatchObject({
      decision: 'allow',
      reason: 'policy_allow',
      poa_jti: response.decisionId,
    });
  });

  it('a high-risk action waits for two approvers, then executes', async () => {
    const action = { verb: 'execute', resource: 'sap/payment', parameters: { amount: 2500 } };
    const first = await client.authorize(action, { reason: 'Pay invoice 42' });
    expect(first).toMatchObject({ allowed: false, requiresApproval: true, riskTier: 'high' });
    const request = first.approvalRequest!;
    expect(request).toMatchObject({ approversNeeded: 2, approversCount: 0, requiresDualControl: true });
    await client.approve(request.challengeId, 'alice@example.com');
    const waiting = client.waitForApproval(request.challengeId, { intervalMs: 1000 });
    await client.approve(request.challengeId, 'bob@example.com', {
      approverToken: await atb.signApproverToken('bob@example.com'),
    });
    const status = await waiting;
    expect(status.fullyApproved).toBe(true);
    expect(status.approvers.map((a) => a.id)).toEqual(['alice@example.com', 'bob@example.com']);
    const done = await client.authorize(action, {
      reason: 'Pay invoice 42',
      challengeId: request.challengeId,
    });
    expect(done.allowed).toBe(true);
    expect(done.token!.claims.leg).toMatchObject({
      dual_control: { required: true, approvers: [{ id: 'alice@example.com' }, { id: 'bob@example.com' }] },
    });
    const result = await client.execute('POST', '/sap/payments', {
      poa: done.token!,
      body: { amount: 2500 },
    });
    expect(result.status).toBe(200);
    expect(atb.upstream.last()?.body).toBe('{"amount":2500}');
  });

  it('a medium-risk action with an approval passed to authorize is allowed by the policy', async () => {
    const action = { verb: 'update', resource: 'crm/contact', parameters: { id: 'c-1' } };
    const pending = await client.authorize(action, { reason: 'Fix the e-mail address' });
    expect(pending).toMatchObject({ allowed: false, requiresApproval: true, riskTier: 'medium' });
    const response = await client.authorize(action, {
      reason: 'Fix the e-mail address',
      approvals: [{ approverId: 'carol@example.com' }],
    });
    expect(response.allowed).toBe(true);
    expect(response.token!.claims.leg).toMatchObject({ approval: { approver_id: 'carol@example.com' } });
    const result = await client.execute('PUT', '/crm/contacts/c-1', {
      poa: response.token!,
      body: { email: 'x@y.z' },
    });
    expect(result.status).toBe(200);
  });

  it('getToken throws AuthorizationDenied while approval is pending', async () => {
    const error = await client
      .getToken({ verb: 'terminate', resource: 'hr/employee' }, 'Offboarding')
      .catch((e: unknown) => e);
    expect(AuthorizationDenied.isInstance(error)).toBe(true);
    expect((error as AuthorizationDenied).riskTier).toBe('high');
    expect((error as Error).message).toMatch(/approval required: 0 of 2 approvers.*chal_/);
  });
});
