// The fake broker's policy (spec §6) on its own: first failing check wins, tiers, action rules, freshness.
import { describe, expect, it } from 'vitest';
import { createPolicy, evaluatePolicy, type PolicyInput } from '../src/testing/policy.ts';

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

describe('createPolicy: time policy and rate limits (time_policy_violation)', () => {
  // 1_800_000_000 is Friday 2027-01-15 08:00 UTC.
  const at = (seconds: number, p = poa()) => ({ ...input(p), now: seconds });
  const hours = { startHour: 9, endHour: 17 };

  it('refuses outside business hours unless con.allow_outside_business_hours', () => {
    const policy = createPolicy({ timePolicy: { businessHours: hours } });
    expect(policy(at(now))).toEqual({
      allow: false,
      reason: 'time_policy_violation',
      details: { violations: ['outside_business_hours'] },
    });
    expect(policy(at(now + 3600, poa({ iat: now + 3600, exp: now + 3900 }))).allow).toBe(true);
    // Saturday 10:00 is outside the default Monday–Friday; a UTC offset moves the hours.
    const saturday = now + 26 * 3600;
    expect(policy(at(saturday, poa({ iat: saturday, exp: saturday + 300 }))).reason).toBe(
      'time_policy_violation',
    );
    expect(policy(at(now, poa({ con: { allow_outside_business_hours: true } }))).allow).toBe(true);
    // New York (UTC−5): 08:00 UTC is 03:00 there, 14:00 UTC is 09:00.
    const newYork = createPolicy({ timePolicy: { businessHours: { ...hours, utcOffsetMinutes: -300 } } });
    expect(newYork(at(now + 6 * 3600, poa({ iat: now + 6 * 3600, exp: now + 6 * 3600 + 300 }))).allow).toBe(
      true,
    );
    expect(newYork(at(now + 3600, poa({ iat: now + 3600, exp: now + 3900 }))).allow).toBe(false);
  });

  it('counts allowed calls per agent and action, names n/m, and lets the window pass', () => {
    const policy = createPolicy({ rateLimits: { 'crm.contact.read': { max: 2, windowSeconds: 60 } } });
    expect(policy(at(now)).allow).toBe(true);
    expect(policy(at(now + 1)).allow).toBe(true);
    expect(policy(at(now + 2))).toMatchObject({
      reason: 'time_policy_violation',
      details: { violations: ['rate_limit_exceeded:2/2'] },
    });
    expect(policy(at(now + 2, poa({ con: { bypass_rate_limit: true } }))).allow).toBe(true);
    // Another action has no limit; after the window the agent may call again.
    expect(policy(at(now + 2, poa({ act: 'kb.faq.query' }))).allow).toBe(true);
    expect(policy(at(now + 61, poa({ iat: now + 61, exp: now + 361 }))).allow).toBe(true);
    const any = createPolicy({ rateLimits: { '*': { max: 1, windowSeconds: 60 } } });
    expect(any(at(now, poa({ act: 'kb.faq.query' }))).allow).toBe(true);
    expect(any(at(now, poa({ act: 'kb.faq.query' }))).reason).toBe('time_policy_violation');
  });

  it('a time policy shortens the approval window to 300 s and reports expired approvals', () => {
    const policy = createPolicy({ timePolicy: {} });
    const act = 'crm.contact.update';
    const approved = (age: number) =>
      poa({ act, leg: { ...leg, approval: { approver_id: 'a', timestamp: now - age } } });
    expect(policy(at(now, approved(200))).allow).toBe(true);
    expect(evaluatePolicy(input(approved(400))).allow).toBe(true);
    expect(policy(at(now, approved(400))).reason).toBe('medium_risk_approval_required');
    // A low-risk PoA carrying a stale approval passes the tier checks and fails the time policy.
    const low = poa({ leg: { ...leg, approval: { approver_id: 'a', timestamp: now - 400 } } });
    expect(policy(at(now, low))).toMatchObject({
      reason: 'time_policy_violation',
      details: { violations: ['approval_expired:400s_ago'] },
    });
    expect(createPolicy({ timePolicy: { approvalWindowSeconds: 600 } })(at(now, approved(400))).allow).toBe(
      true,
    );
  });
});
