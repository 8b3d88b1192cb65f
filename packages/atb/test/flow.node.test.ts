// The whole flow over real sockets: AgentAuth over HTTP, the broker over mTLS, the upstream echo behind it.

import { AbortError } from '@x/http-core';
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
    const waiting = client.waitForApproval(request.challengeId, { intervalMs: 50 });
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

  it("authorizes several actions concurrently (the seed's async example)", async () => {
    const resources = ['metrics/cpu', 'metrics/memory', 'metrics/disk'];
    const responses = await Promise.all(
      resources.map((resource) =>
        client.authorize({ verb: 'read', resource }, { reason: 'Collect system metrics' }),
      ),
    );
    expect(responses.map((r) => r.allowed)).toEqual([true, true, true]);
    expect(new Set(responses.map((r) => r.decisionId)).size).toBe(3);
  });

  it('a critical action with two executive approvals is allowed by the policy', async () => {
    const action = 'org.company.merge';
    const response = await client.authorize(action, {
      reason: 'Board-approved merger',
      approvals: [
        { approverId: 'ceo@example.com', role: 'CEO' },
        { approverId: 'cfo@example.com', role: 'cfo' },
      ],
    });
    expect(response).toMatchObject({ allowed: true, riskTier: RiskTier.CRITICAL });
    expect(response.token!.claims.leg).toMatchObject({
      executive_control: {
        required: true,
        approvers: [{ id: 'ceo@example.com' }, { id: 'cfo@example.com' }],
      },
    });
    expect((await client.execute('POST', '/org/merge', { poa: response.token!, body: {} })).status).toBe(200);
  });

  it('a medium-risk challenge approved only out of band gets a PoA the policy refuses (documented upstream gap)', async () => {
    const action = { verb: 'update', resource: 'crm/contact' };
    const pending = await client.authorize(action, { reason: 'Fix a typo' });
    await client.approve(pending.decisionId, 'carol@example.com');
    const response = await client.authorize(action, {
      reason: 'Fix a typo',
      challengeId: pending.decisionId,
    });
    expect(response.allowed).toBe(true);
    const error = await client
      .execute('PUT', '/crm/contacts/1', { poa: response.token! })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ check: 'policy_denied', riskTier: 'medium' });
    expect(atb.broker.audit.at(-1)?.reason).toBe('medium_risk_approval_required');
  });

  it('waitForApproval stops with an AbortError when the signal fires', async () => {
    const pending = await client.authorize({ verb: 'terminate', resource: 'hr/employee' }, { reason: 'x' });
    const controller = new AbortController();
    const waiting = client.waitForApproval(pending.decisionId, { signal: controller.signal, intervalMs: 50 });
    controller.abort(new Error('user cancelled'));
    const error = await waiting.catch((e: unknown) => e);
    expect(AbortError.isInstance(error)).toBe(true);
  });

  it("the seed's Action with a hyphenated resource maps to a valid action id", async () => {
    const response = await client.authorize(
      { verb: 'modify', resource: 'config/feature-flags' },
      { reason: 'Enable new feature flag for A/B test' },
    );
    expect(response.token!.action).toBe('config.feature_flags.modify');
  });
});
