/**
 * The ATB error family on top of the @x/http-core errors: `AtbError` with a stable `code`, and the
 * subclasses callers branch on (`AuthorizationDenied`, `BrokerRefused`, `TokenExpired`, `TokenInvalid`).
 *
 * @module
 */
import { XError, type XErrorOptions } from '@x/http-core';
import type { RiskTier } from './models.ts';

/**
 * The codes of {@link AtbError}:
 *
 * | code | when |
 * |---|---|
 * | `invalid_config` | a constructor option or `ATB_*` variable is missing or wrong |
 * | `unsupported_runtime` | `@x/atb/node` constructed in a runtime without Node's undici (Bun) |
 * | `invalid_input` | an argument is malformed (action name, SPIFFE ID, constraints too deep or too large) |
 * | `invalid_request` | AgentAuth answered 400 |
 * | `approver_authentication_failed` | AgentAuth refused the approver's JWT (401) |
 * | `self_approval` | the approver is the accountable party (403) |
 * | `challenge_not_found` | unknown challenge (404) |
 * | `duplicate_approval` | the approver already approved (409) |
 * | `challenge_expired` | the challenge expired (410) |
 * | `rate_limited` | AgentAuth's rate limit (429, `retryAfterMs`) |
 * | `agentauth_error` | any other AgentAuth failure |
 * | `authorization_denied` | {@link AuthorizationDenied} |
 * | `broker_refused` | {@link BrokerRefused} |
 * | `token_expired` | {@link TokenExpired} |
 * | `token_invalid` | {@link TokenInvalid} |
 */
export type AtbErrorCode =
  | 'invalid_config'
  | 'unsupported_runtime'
  | 'invalid_input'
  | 'invalid_request'
  | 'approver_authentication_failed'
  | 'self_approval'
  | 'challenge_not_found'
  | 'duplicate_approval'
  | 'challenge_expired'
  | 'rate_limited'
  | 'agentauth_error'
  | 'authorization_denied'
  | 'broker_refused'
  | 'token_expired'
  | 'token_invalid';

/** Options of {@link AtbError}. */
export interface AtbErrorOptions extends XErrorOptions {
  /** The ATB code. */
  code?: AtbErrorCode;
}

/** The base of every error the ATB client raises itself (http-core's network and timeout errors pass through). */
export class AtbError extends XError {
  static override readonly brand: symbol = Symbol.for('@x/atb.AtbError');
  static override readonly defaultCode: AtbErrorCode = 'agentauth_error';
  /** The ATB code; see {@link AtbErrorCode}. */
  declare readonly code: AtbErrorCode;

  /** Creates the error; see {@link AtbErrorOptions}. */
  constructor(message: string, options: AtbErrorOptions = {}) {
    super(message, options);
  }
}

/** Options of {@link AuthorizationDenied}. */
export interface AuthorizationDeniedOptions extends AtbErrorOptions {
  /** Why (the service's text). */
  reason: string;
  /** The action's tier. */
  riskTier?: RiskTier;
}

/**
 * The action was refused: AgentAuth rejected the challenge (validation) or the broker's policy said no.
 * `reason` says why, `riskTier` is the action's tier.
 */
export class AuthorizationDenied extends AtbError {
  static override readonly brand: symbol = Symbol.for('@x/atb.AuthorizationDenied');
  static override readonly defaultCode: AtbErrorCode = 'authorization_denied';
  /** Why the action was refused. */
  readonly reason: string;
  /** The action's tier, when known. */
  readonly riskTier: RiskTier | undefined;

  /** Creates the error. */
  constructor(message: string, options: AuthorizationDeniedOptions) {
    super(message, options);
    this.reason = options.reason;
    this.riskTier = options.riskTier;
  }
}

/** Which broker check refused a call (in the order the broker runs its checks). */
export type BrokerCheck =
  | 'mtls_identity'
  | 'platform_identity'
  | 'platform_binding'
  | 'not_configured'
  | 'guardrails'
  | 'missing_poa'
  | 'poa_required'
  | 'invalid_poa'
  | 'subject_mismatch'
  | 'action_mismatch'
  | 'constraint_violation'
  | 'policy_error'
  | 'policy_denied'
  | 'replay'
  | 'connector_resolve'
  | 'connector_egress';

/** Options of {@link BrokerRefused}. */
export interface BrokerRefusedOptions extends AuthorizationDeniedOptions {
  /** The check that failed. */
  check: BrokerCheck;
}

/**
 * The broker refused a call before it reached the upstream service; `check` says which check failed and
 * `reason` carries the broker's text (e.g. the constraint that was violated).
 */
export class BrokerRefused extends AuthorizationDenied {
  static override readonly brand: symbol = Symbol.for('@x/atb.BrokerRefused');
  static override readonly defaultCode: AtbErrorCode = 'broker_refused';
  /** The failed check. */
  readonly check: BrokerCheck;

  /** Creates the error. */
  constructor(message: string, options: BrokerRefusedOptions) {
    super(message, options);
    this.check = options.check;
  }
}

/** A PoA was used (or handed out) after its `exp`; raised before any request is sent. */
export class TokenExpired extends AtbError {
  static override readonly brand: symbol = Symbol.for('@x/atb.TokenExpired');
  static override readonly defaultCode: AtbErrorCode = 'token_expired';
  /** When the token expired. */
  readonly expiredAt: Date;

  /** Creates the error. */
  constructor(message: string, options: AtbErrorOptions & { expiredAt: Date }) {
    super(message, options);
    this.expiredAt = options.expiredAt;
  }
}

/**
 * Which header rule refused a PoA, for the rules a caller may want to tell apart:
 *
 * | check | when |
 * |---|---|
 * | `crit` | the header has a `crit` member: it names extensions this client does not implement, so the token must not be accepted (RFC 7515 §4.1.11) |
 * | `typ` | the header's `typ` is present and not `JWT` (a token of another kind, e.g. an approver or access token) |
 * | `nbf` | the token is not valid yet: `nbf` is later than now plus {@link POA_CLOCK_TOLERANCE_SECONDS}, or `nbf` is not an integer |
 * | `other` | every other check (format, alg, kid, signature, claims, lifetime, subject, action) |
 */
export type TokenInvalidCheck = 'crit' | 'typ' | 'nbf' | 'other';

/** The clock skew, seconds, allowed on `nbf`: the broker's JWT parser leeway. */
export const POA_CLOCK_TOLERANCE_SECONDS = 10;

/** Options of {@link TokenInvalid}. */
export interface TokenInvalidOptions extends AtbErrorOptions {
  /** The rule that refused the token (default `other`). */
  check?: TokenInvalidCheck;
}

/**
 * A PoA failed verification: malformed, `alg` other than EdDSA (e.g. `none`), an unknown `crit` extension,
 * a `typ` other than `JWT`, unknown `kid`, bad signature, missing claims, not valid yet (`nbf`), TTL over
 * the cap, or `sub`/`act` not the expected ones. `check` tells the header rules apart.
 */
export class TokenInvalid extends AtbError {
  static override readonly brand: symbol = Symbol.for('@x/atb.TokenInvalid');
  static override readonly defaultCode: AtbErrorCode = 'token_invalid';
  /** The rule that refused the token; see {@link TokenInvalidCheck}. */
  readonly check: TokenInvalidCheck;

  /** Creates the error. */
  constructor(message: string, options: TokenInvalidOptions = {}) {
    super(message, options);
    this.check = options.check ?? 'other';
  }
}
