// The fake broker's policy (spec §6) on its own: first failing check wins, tiers, action rules, freshness.
import { describe, expect, it } from 'vitest';
import { evaluatePolicy, type PolicyInput } from '../src/testing/policy.ts';

const agent = 'spiffe://example.org/ns/default/sa/agent';
const now = 1_800_000_000;
const leg = { jurisdiction: 'DE', accountable_party: { type: 'user', id: 'dave@example.com' } };
const poa = (extra: Record<string, unknown> = {}) => ({
  sub: agent,
  act: 'crm.contact.read',
  con: {},
  leg,
  iat: now,
  exp: now + 300,
  jti: 'poa_1',
  ...extra,
});
const input = (
  p: Record<string, unknown>,
  params: Record<string, unknown> = {},
  action = '',
): PolicyInput => ({
  agent: { spiffe_id: agent },
  poa: p,
  request: { action, method: 'POST', path: '/x', params },
  policy: { max_ttl_seconds: 300 },
  now,
});
const dual = (approvers: unknown[]) => ({ ...leg, dual_control: { required: true, approvers } });

describe('evaluatePolicy', () => {
  it('checks fields, leg, TTL, subject and declared action in order', () => {
    expect(evaluatePolicy(input(poa({ jti: undefined }))).reason).toBe('missing_required_fields');
    expect(evaluatePolicy(input(poa({ leg: { jurisdiction: 'DE' } })))).toMatchObject({
      reason: 'leg_invalid',
      details: ['accountable_party.type', 'accountable_party.id'],
    });
    expect(evaluatePolicy(input(poa({ exp: now + 600 }))).reason).toBe('ttl_invalid');
    expect(evaluatePolicy(input(poa({ sub: 'spiffe://example.org/other' }))).reason).toBe('sub_mismatch');
    expect(evaluatePolicy(input(poa(), {}, 'crm.contact.delete')).reason).toBe('action_mismatch');
    expect(evaluatePolicy(input(poa()))).toEqual({ allow: true, reason: 'allow' });
  });

  it('medium risk needs leg.approval.approver_id other than the agent, and fresh', () => {
    const act = 'crm.contact.update';
    expect(evaluatePolicy(input(poa({ act }))).reason).toBe('medium_risk_approval_required');
    expect(evaluatePolicy(input(poa({ act, leg: { ...leg, approval: { approver_id: agent } } }))).allow).toBe(
      false,
    );
    expect(
      evaluatePolicy(
        input(poa({ act, leg: { ...leg, approval: { approver_id: 'a', timestamp: now - 90_000 } } })),
      ).allow,
    ).toBe(false);
    expect(
      evaluatePolicy(input(poa({ act, leg: { ...leg, approval: { approver_id: 'a', timestamp: now } } })))
        .allow,
    ).toBe(true);
  });

  it('high risk needs two distinct approvers, none the agent', () => {
    const act = 'hr.payroll.run';
    expect(evaluatePolicy(input(poa({ act, leg: dual([{ id: 'a' }, { id: 'a' }]) }))).reason).toBe(
      'high_risk_dual_control_required',
    );
    expect(evaluatePolicy(input(poa({ act, leg: dual([{ id: 'a' }, { id: agent }]) }))).allow).toBe(false);
    expect(evaluatePolicy(input(poa({ act, leg: dual([{ id: 'a' }, { id: 'b' }]) }))).allow).toBe(true);
  });

  it('critical risk needs two executives', () => {
    const decide = (roles: [string, string]) =>
      evaluatePolicy(
        input(
          poa({
            act: 'security.root.access',
            leg: {
              ...leg,
              executive_control: {
                required: true,
                approvers: roles.map((role, i) => ({ id: `exec-${i}`, role })),
              },
            },
          }),
        ),
      );
    expect(decide(['cto', 'intern']).reason).toBe('critical_risk_executive_approval_required');
    expect(decide(['CTO', 'ciso']).allow).toBe(true);
  });

  it('action rules: payment limits, vendor change caps', () => {
    const pay = (amount: number, con = {}) =>
      evaluatePolicy(
        input(poa({ act: 'sap.payment.execute', con, leg: dual([{ id: 'a' }, { id: 'b' }]) }), { amount }),
      );
    expect(pay(100).allow).toBe(true);
    expect(pay(100_001).reason).toBe('action_denied');
    expect(pay(500, { payment_limit: 100 }).reason).toBe('action_denied');
    const vendor = (amount: number, con: Record<string, unknown>) =>
      evaluatePolicy(
        input(poa({ act: 'sap.vendor.change', con, leg: dual([{ id: 'a' }, { id: 'b' }]) }), { amount }),
      );
    expect(vendor(4000, { liability_cap: 5000 }).allow).toBe(true);
    expect(vendor(6000, { liability_cap: 10_000 }).reason).toBe('action_denied');
    expect(vendor(6000, { liability_cap: 10_000, dual_control: true }).allow).toBe(true);
  });

  it('without a PoA only the low-risk allowlist (with its methods) and GET health paths pass', () => {
    const bare = (action: string, method: string, path = '/x') =>
      evaluatePolicy({ ...input({}), request: { action, method, path, params: {} } });
    expect(bare('kb.faq.query', 'POST').reason).toBe('allow_low_risk_without_poa');
    expect(bare('crm.contact.read', 'POST').reason).toBe('poa_required_for_action');
    expect(bare('', 'GET', '/health').allow).toBe(true);
  });
});
