/**
 * The broker's OPA policy (`atb.poa` `decision`, spec §5–§6) in TypeScript: catalog tiers, approval rules,
 * dual and executive control, approval freshness and the action-specific rules.
 *
 * @module
 */
import { EXECUTIVE_ROLES, LOW_RISK_ALLOWLIST } from '../catalog.ts';
import { riskTierOf } from '../models.ts';

/** The policy input the broker builds (spec §6). */
export interface PolicyInput {
  /** The mTLS identity. */
  agent: {
    /** The agent's SPIFFE ID from its certificate. */
    spiffe_id: string;
  };
  /** The PoA claims, or `{}` without a PoA. */
  poa: Record<string, unknown>;
  /** The request: declared action (`X-ATB-Action` or ''), method, path, JSON body. */
  request: {
    /** `X-ATB-Action` (or `X-Action`), `''` when absent. */
    action: string;
    /** The HTTP method, upper case. */
    method: string;
    /** The URL path. */
    path: string;
    /** The JSON body when it is an object, else `{}`. */
    params: Record<string, unknown>;
  };
  /** The broker's limits. */
  policy: {
    /** `POA_MAX_TTL_SECONDS`. */
    max_ttl_seconds: number;
  };
  /** The current time, epoch s (for approval freshness). */
  now: number;
}

/** The policy's answer. */
export interface PolicyDecision {
  /** Whether the call may proceed. */
  allow: boolean;
  /** Why (`allow`, `poa_required_for_action`, `high_risk_dual_control_required`, …). */
  reason: string;
  /** Extra details, e.g. `{ tier, action }`. */
  details?: unknown;
}

const HEALTH_PATHS = new Set(['/health', '/ready', '/metrics', '/ping']);
const APPROVAL_WINDOW_SECONDS = 86_400;

type Obj = Record<string, unknown>;
const obj = (x: unknown): Obj | undefined =>
  typeof x === 'object' && x !== null && !Array.isArray(x) ? (x as Obj) : undefined;
const num = (x: unknown): number | undefined => (typeof x === 'number' && Number.isFinite(x) ? x : undefined);
const nonEmpty = (x: unknown): x is string => typeof x === 'string' && x !== '';

// A numeric Unix timestamp must be recent; string timestamps are ignored (spec §6).
const fresh = (ts: unknown, now: number) => {
  const t = num(ts);
  return t === undefined || now - t <= APPROVAL_WINDOW_SECONDS;
};

function actionRule(act: string, params: Obj, con: Obj): boolean {
  const amount = num(params.amount);
  switch (act) {
    case 'sap.vendor.change': {
      const cap = num(con.liability_cap) ?? 0;
      if (amount === undefined) return false;
      return amount <= 5000 ? cap >= amount : con.dual_control === true && cap >= amount;
    }
    case 'sap.vendor.bank_change':
      return (
        params.second_channel_verified === true &&
        typeof params.change_reason === 'string' &&
        params.change_reason.length > 10
      );
    case 'sap.payment.execute':
      return amount !== undefined && amount > 0 && amount <= (num(con.payment_limit) ?? 100_000);
    case 'sap.payment.batch_release': {
      const count = num(params.batch_count);
      const total = num(params.total_amount);
      return (
        count !== undefined &&
        count > 0 &&
        count <= (num(con.max_batch_count) ?? 100) &&
        total !== undefined &&
        total <= (num(con.max_batch_amount) ?? 1_000_000)
      );
    }
    case 'sap.journal_entry.post':
      return (
        nonEmpty(params.gl_account) && nonEmpty(params.cost_center) && amount !== undefined && amount !== 0
      );
    case 'salesforce.bulk.export': {
      const rows = num(params.row_count);
      const allow = Array.isArray(con.dataset_allowlist) ? con.dataset_allowlist : [];
      return (
        allow.includes(params.dataset) &&
        rows !== undefined &&
        rows > 0 &&
        rows <= (num(con.max_rows) ?? 10_000)
      );
    }
    case 'ot.system.manual_override':
      return params.human_in_loop_approved === true && num(con.override_window_seconds) !== undefined;
    case 'scada.setpoint.change': {
      const value = num(params.new_value);
      const min = num(con.setpoint_min);
      const max = num(con.setpoint_max);
      return (
        value !== undefined &&
        min !== undefined &&
        max !== undefined &&
        min <= value &&
        value <= max &&
        params.safety_acknowledged === true
      );
    }
    default:
      return true;
  }
}

function distinctApprovers(list: unknown, sub: string, now: number, role?: boolean): boolean {
  if (!Array.isArray(list) || list.length < 2) return false;
  const ids = new Set<string>();
  for (const entry of list) {
    const a = obj(entry);
    if (!a || !nonEmpty(a.id) || a.id === sub || !fresh(a.timestamp, now)) continue;
    if (role && !(typeof a.role === 'string' && EXECUTIVE_ROLES.has(a.role.toLowerCase()))) continue;
    ids.add(a.id);
  }
  return ids.size >= 2;
}

/** Evaluates the policy; the first failing check wins (spec §6). */
export function evaluatePolicy(input: PolicyInput): PolicyDecision {
  const { poa, request, agent, now } = input;
  if (Object.keys(poa).length === 0) {
    const methods = LOW_RISK_ALLOWLIST.get(request.action);
    if (methods?.includes(request.method) || (request.method === 'GET' && HEALTH_PATHS.has(request.path))) {
      return { allow: true, reason: 'allow_low_risk_without_poa' };
    }
    return { allow: false, reason: 'poa_required_for_action' };
  }
  for (const field of ['sub', 'act', 'con', 'leg', 'iat', 'exp', 'jti']) {
    if (poa[field] === undefined || poa[field] === null || poa[field] === false) {
      return { allow: false, reason: 'missing_required_fields' };
    }
  }
  const leg = obj(poa.leg) ?? {};
  const party = obj(leg.accountable_party);
  const missing = [
    ...(nonEmpty(leg.jurisdiction) ? [] : ['jurisdiction']),
    ...(typeof party?.type === 'string' ? [] : ['accountable_party.type']),
    ...(nonEmpty(party?.id) ? [] : ['accountable_party.id']),
  ];
  if (missing.length) return { allow: false, reason: 'leg_invalid', details: missing };
  const ttl = (num(poa.exp) ?? 0) - (num(poa.iat) ?? 0);
  if (ttl <= 0 || ttl > 900 || ttl > input.policy.max_ttl_seconds)
    return { allow: false, reason: 'ttl_invalid' };
  const sub = String(poa.sub);
  if (sub !== agent.spiffe_id) return { allow: false, reason: 'sub_mismatch' };
  const act = String(poa.act);
  if (request.action !== '' && request.action !== act) return { allow: false, reason: 'action_mismatch' };
  const con = obj(poa.con) ?? {};
  if (!actionRule(act, request.params, con)) return { allow: false, reason: 'action_denied' };
  const tier = riskTierOf(act);
  if (tier === 'medium') {
    const approval = obj(leg.approval);
    if (
      !approval ||
      !nonEmpty(approval.approver_id) ||
      approval.approver_id === sub ||
      !fresh(approval.timestamp, now)
    ) {
      return { allow: false, reason: 'medium_risk_approval_required', details: { tier, action: act } };
    }
  }
  if (tier === 'high') {
    const dual = obj(leg.dual_control);
    if (dual?.required !== true || !distinctApprovers(dual.approvers, sub, now)) {
      return { allow: false, reason: 'high_risk_dual_control_required', details: { tier, action: act } };
    }
  }
  if (tier === 'critical') {
    const exec = obj(leg.executive_control);
    if (exec?.required !== true || !distinctApprovers(exec.approvers, sub, now, true)) {
      return {
        allow: false,
        reason: 'critical_risk_executive_approval_required',
        details: { tier, action: act },
      };
    }
  }
  return { allow: true, reason: 'allow' };
}
