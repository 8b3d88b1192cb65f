/**
 * `@x/atb`: the Agent Trust Broker data model, errors, PoA verification and the AgentAuth client. Runs in
 * Node, browsers and edge runtimes; the mTLS client `AtbClient` is in `@x/atb/node`.
 *
 * @module
 */
export {
  AgentAuthClient,
  type AgentAuthClientOptions,
  type CallOptions,
  type ChallengeInput,
  type MandateIssued,
  type MandateOutcome,
  type MandatePending,
  type WaitForApprovalOptions,
} from './agentauth.ts';
export {
  AUDIT_GENESIS_HASH,
  AUDIT_RETENTION_DAYS,
  type AuditBatch,
  type AuditChainVerdict,
  type AuditEvent,
  auditBatchHash,
  type SealAuditBatchInput,
  sealAuditBatch,
  verifyAuditChain,
} from './audit.ts';
export {
  CRITICAL_RISK_ACTIONS,
  DEFAULT_DUAL_CONTROL_ACTIONS,
  EXECUTIVE_ROLES,
  HIGH_RISK_ACTIONS,
  LOW_RISK_ALLOWLIST,
  MEDIUM_RISK_ACTIONS,
} from './catalog.ts';
export {
  AtbError,
  type AtbErrorCode,
  type AtbErrorOptions,
  AuthorizationDenied,
  type AuthorizationDeniedOptions,
  type BrokerCheck,
  BrokerRefused,
  type BrokerRefusedOptions,
  POA_CLOCK_TOLERANCE_SECONDS,
  TokenExpired,
  TokenInvalid,
  type TokenInvalidCheck,
  type TokenInvalidOptions,
} from './errors.ts';
export { jsonLimitProblem, MAX_JSON_DEPTH, MAX_JSON_STRING } from './limits.ts';
export {
  type AccountableParty,
  type Action,
  type Approval,
  type ApprovalRequest,
  type ApproveResult,
  type Approver,
  type AuthorizationResponse,
  actionName,
  type ChallengeCreated,
  type ChallengeStatus,
  isActionName,
  JwkSchema,
  type Jwks,
  JwksSchema,
  type LegalBasis,
  type Mandate,
  type PoAClaims,
  PoAClaimsSchema,
  type PoAToken,
  parseRiskTier,
  pathIdProblem,
  RiskTier,
  riskTierOf,
  spiffeIdProblem,
} from './models.ts';
export {
  COPILOT_ACTIONS,
  type Platform,
  platformAction,
  SALESFORCE_ACTIONS,
  SAP_ACTIONS,
} from './platforms.ts';
export { assertNotExpired, POA_MAX_TTL_CAP_SECONDS, type VerifyPoAOptions, verifyPoAToken } from './poa.ts';
export { VERSION } from './version.ts';
