/**
 * The ATB data model: actions and their risk tiers, the AgentAuth wire bodies as valibot
 * schemas with camelCase outputs, and the PoA claims.
 *
 * @module
 */
import { pathSegmentProblem } from '@x/http-core';
import * as v from 'valibot';
import { CRITICAL_RISK_ACTIONS, HIGH_RISK_ACTIONS, MEDIUM_RISK_ACTIONS } from './catalog.ts';

/** The risk tiers of the policy; the wire spells them lower-case. */
export const RiskTier = {
  /** Allowed with a valid PoA (AgentAuth still needs one approval to mint it). */
  LOW: 'low',
  /** One human approval. */
  MEDIUM: 'medium',
  /** Dual control: two distinct approvers. */
  HIGH: 'high',
  /** Executive control: two approvers with executive roles. */
  CRITICAL: 'critical',
} as const;
/** One of `low`, `medium`, `high`, `critical`. */
export type RiskTier = (typeof RiskTier)[keyof typeof RiskTier];

/**
 * Reads a tier in any case (`HIGH`, `high`, `High`): sources disagree on casing. `undefined` for
 * anything else.
 */
export function parseRiskTier(value: string): RiskTier | undefined {
  const lower = value.toLowerCase();
  return (Object.values(RiskTier) as string[]).includes(lower) ? (lower as RiskTier) : undefined;
}

/** An action an agent wants to take. */
export interface Action {
  /** What is done, e.g. `read`, `execute`, `update` (letters, digits, `_`). */
  verb: string;
  /** What it is done to, e.g. `deployment/production` or `crm.contact` (`/` and `.` separate parts). */
  resource: string;
  /** Parameters of the call; sent as `con.params` and as the default body of `execute`. */
  parameters?: Record<string, unknown>;
  /** Context (the Python SDK says ATB injects it); sent as `con.context` when given. */
  context?: Record<string, unknown>;
}

const ACTION_NAME = /^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$/;

/** True when `name` is a dotted action id as the PoA schema wants it (`crm.contact.update`). */
export function isActionName(name: string): boolean {
  return name.length <= 256 && ACTION_NAME.test(name);
}

/**
 * The dotted action id of an action: `resource` with `/` turned into `.` (and `-` into `_`), then `.verb`,
 * lower-cased
 * (`{verb:'execute', resource:'deployment/production'}` → `deployment.production.execute`). Returns
 * `undefined` when the result is not a valid action id.
 */
export function actionName(action: Action | string): string | undefined {
  const name =
    typeof action === 'string'
      ? action.toLowerCase()
      : `${action.resource.replaceAll('/', '.')}.${action.verb}`.replaceAll('-', '_').toLowerCase();
  return isActionName(name) ? name : undefined;
}

/** The tier of a dotted action id from the policy's catalog; unlisted actions are `low`. */
export function riskTierOf(act: string): RiskTier {
  if (CRITICAL_RISK_ACTIONS.has(act)) return RiskTier.CRITICAL;
  if (HIGH_RISK_ACTIONS.has(act)) return RiskTier.HIGH;
  if (MEDIUM_RISK_ACTIONS.has(act)) return RiskTier.MEDIUM;
  return RiskTier.LOW;
}

const SPIFFE_ID = /^spiffe:\/\/[a-zA-Z0-9]([a-zA-Z0-9.-]*[a-zA-Z0-9])?(\/[a-zA-Z0-9._-]+)+$/;
const SPIFFE_FORBIDDEN = /[<>"'`${}()[\];|&\\\0]/;

/**
 * Why `id` cannot be used as one URL path segment (e.g. the challenge id of `GET /v1/challenge/{id}`), or
 * `undefined` when it can. Percent-encoding alone does not make every id safe: `.` and `..` are resolved
 * as dot segments by URL parsing and by proxies, an empty id names the collection, and some servers and
 * proxies decode `%2F` (any case) and `\` into `/`. So those are refused, with `/`, `?`, `#` and control
 * characters, rather than sent to a route they were not meant for.
 */
export function pathIdProblem(id: string): string | undefined {
  // One rule for every package: @x/http-core's.
  return pathSegmentProblem(id);
}

/**
 * Why `id` is not a SPIFFE ID AgentAuth accepts, or `undefined` when it is one: a trust domain,
 * at least one path segment, at most 512 characters, no `..` and none of ``<>"'`${}()[];|&\`` or NUL.
 */
export function spiffeIdProblem(id: string): string | undefined {
  if (id.length === 0) return 'empty';
  if (id.length > 512) return 'longer than 512 characters';
  if (id.includes('..')) return 'contains ".."';
  if (SPIFFE_FORBIDDEN.test(id)) return 'contains a forbidden character';
  if (!SPIFFE_ID.test(id)) return 'not of the form spiffe://<trust-domain>/<path>';
  return undefined;
}

/** An approval an approver gave (the Python SDK's `Approval`): who, and the approver's JWT when AgentAuth wants one. */
export interface Approval {
  /** The approver's id (e.g. an e-mail address); must not be the accountable party. */
  approverId: string;
  /** The approver's JWT, sent as `Authorization: Bearer` to `/v1/approve` when AgentAuth requires it. */
  approverToken?: string;
  /** The approver's role (used for executive control of critical actions, e.g. `cfo`). */
  role?: string;
}

/** Who answers for an action (`leg.accountable_party`). */
export interface AccountableParty {
  /** `user`, `service_account`, `org_unit`, `role` (any string is accepted). */
  type: string;
  /** The party's id; approvers must differ from it. */
  id: string;
  /** A display name. */
  displayName?: string;
}

/** Legal grounding of the PoA (`leg`). */
export interface LegalBasis {
  /** ISO 3166-1 alpha-2 code or `GLOBAL` (default `GLOBAL`). */
  jurisdiction?: string;
  /** Who answers for the action (default: a `service_account` with the agent's SPIFFE ID). */
  accountableParty?: AccountableParty;
  /** `contract`, `consent`, `legitimate_interest` or `legal_obligation`. */
  basis?: string;
  /** A change ticket or similar, e.g. `SNOW-CHG0012345`. */
  approvalRef?: string;
  /** Regulations the action falls under. */
  regulationRefs?: string[];
  /** How long records are kept, in days. */
  retentionDays?: number;
}

/** What an approval system needs to ask humans for approval (the Python SDK's `approval_request`). */
export interface ApprovalRequest {
  /** The AgentAuth challenge to approve (`POST /v1/approve`). */
  challengeId: string;
  /** The dotted action id. */
  action: string;
  /** 1, or 2 with dual control. */
  approversNeeded: number;
  /** How many have approved so far. */
  approversCount: number;
  /** Whether two distinct approvers are needed. */
  requiresDualControl: boolean;
  /** When the challenge expires. */
  expiresAt: Date;
}

/** The outcome of `authorize` (the Python SDK's `AuthorizationResponse`). */
export interface AuthorizationResponse {
  /** True when a PoA was issued (the broker still enforces its policy on each call). */
  allowed: boolean;
  /** The PoA's `jti` when allowed, else the challenge id. */
  decisionId: string;
  /** The action's tier from the policy catalog. */
  riskTier: RiskTier;
  /** Why: `mandate issued`, or why approval is still needed. */
  reason: string;
  /** When the PoA (or, while pending, the challenge) expires. */
  expiresAt: Date;
  /** Where the decision is audited; upstream has no audit API, so this is empty unless configured. */
  auditUrl: string;
  /** True when humans must approve first; see `approvalRequest`. */
  requiresApproval: boolean;
  /** What to hand to the approval system, when approval is needed. */
  approvalRequest?: ApprovalRequest;
  /** The verified PoA, when allowed; pass it to `execute`. */
  token?: PoAToken;
}

// ---- PoA claims ------------------------------------------------------------------------

/** The claims of a PoA token as the wire spells them. */
export const PoAClaimsSchema = v.looseObject({
  /** The agent's SPIFFE ID; the broker requires it to equal the mTLS identity. */
  sub: v.pipe(v.string(), v.minLength(1)),
  /** The dotted action id. */
  act: v.pipe(v.string(), v.minLength(1)),
  /** Constraints (top-level keys are enforced by the broker). */
  con: v.record(v.string(), v.unknown()),
  /** Legal grounding and approvals. */
  leg: v.record(v.string(), v.unknown()),
  /** Issued at, epoch s. */
  iat: v.pipe(v.number(), v.integer()),
  /** Expires at, epoch s. */
  exp: v.pipe(v.number(), v.integer()),
  /** Unique id (`poa_…`). */
  jti: v.pipe(v.string(), v.minLength(1)),
  /** Issuer (AgentAuth's `POA_ISSUER`, default `atb-agentauth`). */
  iss: v.optional(v.string()),
  /** Audience (not set by AgentAuth). */
  aud: v.optional(v.union([v.string(), v.array(v.string())])),
});
/** The decoded claims of a PoA (`sub` the agent's SPIFFE ID, `act`, `con`, `leg`, `iat`, `exp`, `jti`). */
export type PoAClaims = v.InferOutput<typeof PoAClaimsSchema>;

/** A verified Proof-of-Authorization token (the Python SDK's `PoAToken`). */
export interface PoAToken {
  /** The compact JWT to send as `Authorization: Bearer`. */
  token: string;
  /** Its unique id (`poa_…`). */
  jti: string;
  /** The action it authorizes. */
  action: string;
  /** When it expires (the broker refuses it from the second after). */
  expiresAt: Date;
  /** The decoded, verified claims. */
  claims: PoAClaims;
}

// ---- AgentAuth wire ----------------------------------------------------------------------

const isoDate = v.pipe(
  v.string(),
  v.check((s) => !Number.isNaN(Date.parse(s)), 'not an RFC 3339 time'),
  v.transform((s) => new Date(s)),
);

/** A created challenge (`POST /v1/challenge` 200). */
export interface ChallengeCreated {
  /** `chal_…`. */
  challengeId: string;
  /** When it expires (default 300 s after creation). */
  expiresAt: Date;
  /** Whether two distinct approvers are needed. */
  requiresDualControl: boolean;
  /** 1, or 2 with dual control. */
  approversNeeded: number;
}

/** One approval of a challenge. */
export interface Approver {
  /** The approver's id. */
  id: string;
  /** When the approval was recorded. */
  approvedAt: Date;
}

/** The state of a challenge (`GET /v1/challenge/{id}` 200). */
export interface ChallengeStatus {
  /** `chal_…`. */
  challengeId: string;
  /** The dotted action. */
  action: string;
  /** The agent the challenge is for. */
  agentSpiffeId: string;
  /** When it was created. */
  createdAt: Date;
  /** When it expires. */
  expiresAt: Date;
  /** Whether it has expired. */
  expired: boolean;
  /** Whether two distinct approvers are needed. */
  requiresDualControl: boolean;
  /** 1, or 2 with dual control. */
  approversNeeded: number;
  /** Approvals so far. */
  approversCount: number;
  /** Who approved, in order. */
  approvers: Approver[];
  /** Whether enough approvers have approved for a mandate. */
  fullyApproved: boolean;
}

/** The result of one approval (`POST /v1/approve` 200). */
export interface ApproveResult {
  /** `approved`. */
  status: string;
  /** Approvals so far. */
  approversCount: number;
  /** 1, or 2 with dual control. */
  approversNeeded: number;
  /** Whether a mandate can now be issued. */
  fullyApproved: boolean;
  /** Who approved, in order. */
  approvers: Approver[];
}

/** An issued mandate (`POST /v1/mandate` 200); the PoA is not yet verified. */
export interface Mandate {
  /** The PoA JWT. */
  token: string;
  /** When it expires. */
  expiresAt: Date;
  /** Its `jti` (`poa_…`). */
  jti: string;
  /** Whether dual control was used. */
  dualControlUsed: boolean;
  /** How many approved. */
  approversCount: number;
}

/** `POST /v1/challenge` 200. */
export const ChallengeCreatedSchema = v.pipe(
  v.object({
    challenge_id: v.string(),
    expires_at: isoDate,
    requires_dual_control: v.boolean(),
    approvers_needed: v.number(),
    approval_hint: v.optional(v.string()),
  }),
  v.transform(
    (b): ChallengeCreated => ({
      challengeId: b.challenge_id,
      expiresAt: b.expires_at,
      requiresDualControl: b.requires_dual_control,
      approversNeeded: b.approvers_needed,
    }),
  ),
);

const Approver = v.pipe(
  v.object({ id: v.string(), approved_at: isoDate }),
  v.transform((a): Approver => ({ id: a.id, approvedAt: a.approved_at })),
);

/** `GET /v1/challenge/{id}` 200. */
export const ChallengeStatusSchema = v.pipe(
  v.object({
    challenge_id: v.string(),
    action: v.string(),
    agent_spiffe_id: v.string(),
    created_at: isoDate,
    expires_at: isoDate,
    expired: v.boolean(),
    requires_dual_control: v.boolean(),
    approvers_needed: v.number(),
    approvers_count: v.number(),
    approvers: v.pipe(
      v.nullish(v.array(Approver)),
      v.transform((a) => a ?? []),
    ),
    fully_approved: v.boolean(),
  }),
  v.transform(
    (b): ChallengeStatus => ({
      challengeId: b.challenge_id,
      action: b.action,
      agentSpiffeId: b.agent_spiffe_id,
      createdAt: b.created_at,
      expiresAt: b.expires_at,
      expired: b.expired,
      requiresDualControl: b.requires_dual_control,
      approversNeeded: b.approvers_needed,
      approversCount: b.approvers_count,
      approvers: b.approvers ?? [],
      fullyApproved: b.fully_approved,
    }),
  ),
);

/** `POST /v1/approve` 200. */
export const ApproveResultSchema = v.pipe(
  v.object({
    status: v.string(),
    approvers_count: v.number(),
    approvers_needed: v.number(),
    fully_approved: v.boolean(),
    approvers: v.pipe(
      v.nullish(v.array(Approver)),
      v.transform((a) => a ?? []),
    ),
  }),
  v.transform(
    (b): ApproveResult => ({
      status: b.status,
      approversCount: b.approvers_count,
      approversNeeded: b.approvers_needed,
      fullyApproved: b.fully_approved,
      approvers: b.approvers ?? [],
    }),
  ),
);

/** `POST /v1/mandate` 200; the token is `token`, `poa_token` is accepted as an alias. */
export const MandateSchema = v.pipe(
  v.object({
    token: v.optional(v.string()),
    poa_token: v.optional(v.string()),
    expires_at: isoDate,
    jti: v.string(),
    dual_control_used: v.optional(v.boolean(), false),
    approvers_count: v.optional(v.number(), 0),
  }),
  v.check((b) => (b.token ?? b.poa_token) !== undefined, 'the mandate has no token'),
  v.transform(
    (b): Mandate => ({
      token: (b.token ?? b.poa_token)!,
      expiresAt: b.expires_at,
      jti: b.jti,
      dualControlUsed: b.dual_control_used,
      approversCount: b.approvers_count,
    }),
  ),
);

/** The JSON 403 of `POST /v1/mandate`. */
export const MandatePendingSchema = v.object({
  error: v.literal('challenge not fully approved'),
  approvers_count: v.number(),
  approvers_needed: v.number(),
  requires_dual_control: v.boolean(),
});

/** One Ed25519 key of `GET /.well-known/jwks.json`. */
export const JwkSchema = v.looseObject({
  /** Key type (`OKP` for Ed25519). */
  kty: v.string(),
  /** Curve (`Ed25519`). */
  crv: v.optional(v.string()),
  /** Key id: base64url SHA-256 of the raw public key. */
  kid: v.optional(v.string()),
  /** The raw public key, base64url. */
  x: v.optional(v.string()),
  /** `EdDSA`. */
  alg: v.optional(v.string()),
  /** `sig`. */
  use: v.optional(v.string()),
});
/** `GET /.well-known/jwks.json`. */
export const JwksSchema = v.object({
  /** The keys (primary, and rotation keys when configured). */
  keys: v.array(JwkSchema),
});
/** A JSON Web Key Set. */
export type Jwks = v.InferOutput<typeof JwksSchema>;
