/**
 * The broker's OPA policy (`atb.poa` `decision`) in TypeScript: catalog tiers, approval rules,
 * dual and executive control, approval freshness, the action-specific rules, and the optional time policy
 * and rate limits (`data.time_policy`, `data.rate_limits`).
 *
 * @module
 */
import { EXECUTIVE_ROLES, LOW_RISK_ALLOWLIST } from '../catalog.ts';
import { riskTierOf } from '../models.ts';

/** The policy input the broker builds. */
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

/**
 * `data.time_policy`: when set, approvals must be fresher (default 300 s instead of a day) and, with
 * `businessHours`, actions run only then unless the PoA's `con.allow_outside_business_hours` is true. The spec
 * names the checks but not the data's layout; this is the fake's.
 */
export interface TimePolicy {
  /** How old (seconds) an approval timestamp may be (default 300). */
  approvalWindowSeconds?: number;
  /** The hours actions may run. */
  businessHours?: {
    /** First hour of the day inside (0–23). */
    startHour: number;
    /** First hour of the day outside again (1–24). */
    endHour: number;
    /** Days of the week inside, 0 = Sunday (default Monday to Friday). */
    days?: readonly number[];
    /** The local time's offset from UTC in minutes (default 0). */
    utcOffsetMinutes?: number;
  };
}

/** One `data.rate_limits` entry: at most `max` allowed calls per agent and action within `windowSeconds`. */
export interface RateLimit {
  /** Calls allowed in the window. */
  max: number;
  /** The window, seconds. */
  windowSeconds: number;
}

/** The policy's data documents (both optional; without them the checks of `time_policy_violation` are off). */
export interface PolicyData {
  /** `data.time_policy`. */
  timePolicy?: TimePolicy;
  /**
   * `data.rate_limits` by action id, `'*'` for every action without its own entry. A PoA with
   * `con.bypass_rate_limit: true` is not counted against them.
   */
  rateLimits?: Readonly<Record<string, RateLimit>>;
}

const HEALTH_PATHS = new Set(['/health', '/ready', '/metrics', '/ping']);
const DEFAULT_APPROVAL_WINDOW_SECONDS = 86_400;
const TIME_POLICY_APPROVAL_WINDOW_SECONDS = 300;
const WEEKDAYS = [1, 2, 3, 4, 5];

type Obj = Record<string, unknown>;
const obj = (x: unknown): Obj | undefined =>
  typeof x === 'object' && x !== null && !Array.isArray(x) ? (x as Obj) : undefined;
const num = (x: unknown): number | undefined => (typeof x === 'number' && Number.isFinite(x) ? x : undefined);
const nonEmpty = (x: unknown): x is string => typeof x === 'string' && x !== '';

// A numeric Unix timestamp must be recent; string timestamps are ignored.
const fresh = (ts: unknown, now: number, window: number) => {
  const t = num(ts);
  return t === undefined || now - t <= window;
};

/** Every numeric approval timestamp in `leg` (single approval, dual and executive control). */
function approvalTimestamps(leg: Obj): number[] {
  const approvers = [obj(leg.dual_control)?.approvers, obj(leg.executive_control)?.approvers].flatMap(
    (list) => (Array.isArray(list) ? list : []),
  );
  return [obj(leg.approval)?.timestamp, ...approvers.map((a) => obj(a)?.timestamp)]
    .map(num)
    .filter((t): t is number => t !== undefined);
}

function outsideBusinessHours(hours: NonNullable<TimePolicy['businessHours']>, now: number): boolean {
  const local = now + (hours.utcOffsetMinutes ?? 0) * 60;
  const day = (Math.floor(local / 86_400) + 4) % 7; // 1970-01-01 was a Thursday
  const hour = Math.floor((((local % 86_400) + 86_400) % 86_400) / 3600);
  return !((hours.days ?? WEEKDAYS).includes(day) && hour >= hours.startHour && hour < hours.endHour);
}

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

function distinctApprovers(list: unknown, sub: string, now: number, window: number, role?: boolean): boolean {
  if (!Array.isArray(list) || list.length < 2) return false;
  const ids = new Set<string>();
  for (const entry of list) {
    const a = obj(entry);
    if (!a || !nonEmpty(a.id) || a.id === sub || !fresh(a.timestamp, now, window)) continue;
    if (role && !(typeof a.role === 'string' && EXECUTIVE_ROLES.has(a.role.toLowerCase()))) continue;
    ids.add(a.id);
  }
  return ids.size >= 2;
}

/**
 * Evaluates the policy without data documents (no time policy, no rate limits); the first failing check
 * wins. See {@link createPolicy} for a policy with them.
 */
export function evaluatePolicy(input: PolicyInput): PolicyDecision {
  return decide(input, {}, undefined);
}

/**
 * A policy with data documents: the time policy's business hours and approval window, and rate limits
 * counted per agent and action over the calls it allowed (so it keeps state, like a running OPA with a
 * counter).
 *
 * @example
 * ```ts
 * const atb = await startFakeAtb({
 *   broker: { policy: createPolicy({ rateLimits: { 'crm.contact.read': { max: 100, windowSeconds: 60 } } }) },
 * });
 * ```
 */
export function createPolicy(data: PolicyData = {}): (input: PolicyInput) => PolicyDecision {
  const allowed = new Map<string, number[]>();
  return (input) => decide(input, data, allowed);
}

function decide(
  input: PolicyInput,
  data: PolicyData,
  allowed: Map<string, number[]> | undefined,
): PolicyDecision {
  const { poa, request, agent, now } = input;
  const window = data.timePolicy
    ? (data.timePolicy.approvalWindowSeconds ?? TIME_POLICY_APPROVAL_WINDOW_SECONDS)
    : DEFAULT_APPROVAL_WINDOW_SECONDS;
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
      !fresh(approval.timestamp, now, window)
    ) {
      return { allow: false, reason: 'medium_risk_approval_required', details: { tier, action: act } };
    }
  }
  if (tier === 'high') {
    const dual = obj(leg.dual_control);
    if (dual?.required !== true || !distinctApprovers(dual.approvers, sub, now, window)) {
      return { allow: false, reason: 'high_risk_dual_control_required', details: { tier, action: act } };
    }
  }
  if (tier === 'critical') {
    const exec = obj(leg.executive_control);
    if (exec?.required !== true || !distinctApprovers(exec.approvers, sub, now, window, true)) {
      return {
        allow: false,
        reason: 'critical_risk_executive_approval_required',
        details: { tier, action: act },
      };
    }
  }
  const violations: string[] = [];
  const hours = data.timePolicy?.businessHours;
  if (hours && con.allow_outside_business_hours !== true && outsideBusinessHours(hours, now)) {
    violations.push('outside_business_hours');
  }
  const limit = data.rateLimits?.[act] ?? data.rateLimits?.['*'];
  const counted = limit && allowed && con.bypass_rate_limit !== true ? `${sub} ${act}` : undefined;
  let recent: number[] = [];
  if (counted) {
    recent = (allowed!.get(counted) ?? []).filter((t) => t > now - limit!.windowSeconds);
    if (recent.length >= limit!.max) violations.push(`rate_limit_exceeded:${recent.length}/${limit!.max}`);
  }
  if (data.timePolicy) {
    for (const t of approvalTimestamps(leg)) {
      if (now - t > window) violations.push(`approval_expired:${now - t}s_ago`);
    }
  }
  if (violations.length) return { allow: false, reason: 'time_policy_violation', details: { violations } };
  if (counted) allowed!.set(counted, [...recent, now]);
  return { allow: true, reason: 'allow' };
}
