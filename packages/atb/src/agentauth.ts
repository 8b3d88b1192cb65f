/**
 * The AgentAuth client: challenge → approve → mandate, challenge status, JWKS and PoA verification.
 * Plain fetch underneath, so it also runs in browsers and edge runtimes (e.g. an approval tool).
 *
 * @module
 */

import { base64UrlDecode, utf8Decode } from '@x/crypto';
import {
  createHttpClient,
  sleep as defaultSleep,
  type ErrorContext,
  type FetchLike,
  type HttpClient,
  type Logger,
  type RetryOptions,
  TimeoutError,
} from '@x/http-core';
import * as v from 'valibot';
import { AtbError, type AtbErrorCode, AuthorizationDenied } from './errors.ts';
import { jsonLimitProblem } from './limits.ts';
import {
  type ApproveResult,
  ApproveResultSchema,
  type ChallengeCreated,
  ChallengeCreatedSchema,
  type ChallengeStatus,
  ChallengeStatusSchema,
  isActionName,
  type Jwks,
  JwksSchema,
  type Mandate,
  MandatePendingSchema,
  MandateSchema,
  type PoAToken,
  pathIdProblem,
  riskTierOf,
  spiffeIdProblem,
} from './models.ts';
import { verifyPoAToken } from './poa.ts';
import { VERSION } from './version.ts';

/** Options of {@link AgentAuthClient}. */
export interface AgentAuthClientOptions {
  /** AgentAuth's base URL, e.g. `http://localhost:9090` (upstream serves plain HTTP) or an https URL. */
  baseUrl: string;
  /** The fetch to use (e.g. one with an mTLS dispatcher when AgentAuth is behind mTLS). */
  fetch?: FetchLike;
  /** Per-request timeout, ms (default 30 000). */
  timeout?: number;
  /** Retries of idempotent requests: a count (default 3), `false`, or @x/http-core's `RetryOptions`. */
  retry?: number | false | RetryOptions;
  /** Where to log (secrets are redacted). */
  logger?: Logger;
  /** The clock, epoch ms (default `Date.now`): token expiry is judged with it. */
  now?: () => number;
  /** Waits between status polls (default: an abortable timer). */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

/** Options of {@link AgentAuthClient.waitForApproval}. */
export interface WaitForApprovalOptions extends CallOptions {
  /** The pause between status polls, ms (default 1000). */
  intervalMs?: number;
  /** The overall deadline, ms, over every poll and pause; the request in flight is aborted at it. */
  timeoutMs?: number;
}

/** Options with a signal, for every call. */
export interface CallOptions {
  /** Aborts the call. */
  signal?: AbortSignal;
}

/** A challenge to create (`POST /v1/challenge`); wire names as AgentAuth wants them. */
export interface ChallengeInput {
  /** The agent's SPIFFE ID. */
  agentSpiffeId: string;
  /** The dotted action id. */
  act: string;
  /** Constraints, copied into the PoA verbatim. */
  con: Record<string, unknown>;
  /** Legal grounding, copied into the PoA. */
  leg: Record<string, unknown>;
}

/** What `POST /v1/mandate` gave: a mandate, or how far approval has come. */
export type MandateOutcome = MandateIssued | MandatePending;

/** The mandate was issued. */
export interface MandateIssued {
  /** Always true. */
  issued: true;
  /** The mandate. */
  mandate: Mandate;
}

/** The challenge still needs approvers (AgentAuth's JSON 403). */
export interface MandatePending {
  /** Always false. */
  issued: false;
  /** Approvals so far. */
  approversCount: number;
  /** Approvals needed. */
  approversNeeded: number;
  /** Whether two distinct approvers are needed. */
  requiresDualControl: boolean;
}

const CODE_BY_STATUS: Record<number, AtbErrorCode> = {
  400: 'invalid_request',
  401: 'approver_authentication_failed',
  404: 'challenge_not_found',
  409: 'duplicate_approval',
  410: 'challenge_expired',
  429: 'rate_limited',
};

const ADVICE: Partial<Record<AtbErrorCode, string>> = {
  approver_authentication_failed: 'Send a valid approver JWT (approverToken).',
  self_approval: 'Another person must approve.',
  challenge_not_found: 'Create a new challenge with authorize().',
  duplicate_approval: 'Ask a different approver.',
  challenge_expired: 'Create a new challenge with authorize().',
  rate_limited: 'Wait for retryAfterMs, then try again.',
};

/** Turns an AgentAuth failure (plain-text body) into an {@link AtbError} with the right code. */
function agentAuthError(ctx: ErrorContext): AtbError | undefined {
  if (ctx.status === 403 && typeof ctx.body === 'object') return undefined; // the mandate's JSON 403, read by mandate()
  const text = typeof ctx.body === 'string' ? ctx.body.trim() : '';
  let code = CODE_BY_STATUS[ctx.status] ?? 'agentauth_error';
  if (ctx.status === 403 && text.startsWith('self-approval')) code = 'self_approval';
  const advice = ADVICE[code];
  return new AtbError(
    `AgentAuth refused ${ctx.method} ${new URL(ctx.url).pathname} with HTTP ${ctx.status}: ${text || '(no body)'}.${advice ? ` ${advice}` : ''}`,
    {
      code,
      status: ctx.status,
      body: ctx.body,
      headers: ctx.headers,
      retryable: code === 'rate_limited',
      ...(ctx.retryAfterMs === undefined ? {} : { retryAfterMs: ctx.retryAfterMs }),
    },
  );
}

/**
 * A client of AgentAuth, the PoA issuer.
 *
 * @example
 * ```ts
 * const agentAuth = new AgentAuthClient({ baseUrl: 'http://localhost:9090' });
 * const status = await agentAuth.getChallenge('chal_…');
 * await agentAuth.approve(status.challengeId, 'alice@example.com');
 * ```
 */
export class AgentAuthClient {
  readonly #http: HttpClient;
  readonly #now: () => number;
  readonly #sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  #jwks: Jwks | undefined;

  /** Creates the client; nothing is sent until a method is called. */
  constructor(options: AgentAuthClientOptions) {
    let url: URL;
    try {
      url = new URL(options.baseUrl);
    } catch {
      throw new AtbError(`agentauthUrl ${JSON.stringify(options.baseUrl)} is not a URL.`, {
        code: 'invalid_config',
      });
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new AtbError(`agentauthUrl must be http or https, got ${url.protocol}`, {
        code: 'invalid_config',
      });
    }
    this.#now = options.now ?? Date.now;
    this.#sleep = options.sleep ?? defaultSleep;
    this.#http = createHttpClient({
      baseUrl: url.href.replace(/\/$/, ''),
      userAgent: `x-atb/${VERSION}`,
      timeout: options.timeout ?? 30_000,
      retry: options.retry ?? 3,
      mapError: agentAuthError,
      now: this.#now,
      ...(options.fetch ? { fetch: options.fetch } : {}),
      ...(options.logger ? { logger: options.logger } : {}),
    });
  }

  /**
   * Creates a challenge for an action. Inputs are checked first (SPIFFE ID, action id, `con`/`leg` depth ≤ 10,
   * strings ≤ 4096, no NUL); AgentAuth's 400 for invalid input becomes {@link AuthorizationDenied}.
   */
  async createChallenge(input: ChallengeInput, options: CallOptions = {}): Promise<ChallengeCreated> {
    const spiffeProblem = spiffeIdProblem(input.agentSpiffeId);
    if (spiffeProblem) {
      throw new AtbError(
        `agent SPIFFE ID ${JSON.stringify(input.agentSpiffeId)} is invalid: ${spiffeProblem}.`,
        {
          code: 'invalid_input',
        },
      );
    }
    if (!isActionName(input.act)) {
      throw new AtbError(
        `action ${JSON.stringify(input.act)} is not a dotted action id like crm.contact.update (lower case, at least one dot).`,
        { code: 'invalid_input' },
      );
    }
    for (const [name, value] of [
      ['constraints (con)', input.con],
      ['legal basis (leg)', input.leg],
    ] as const) {
      const problem = jsonLimitProblem(value);
      if (problem) throw new AtbError(`${name}: ${problem}.`, { code: 'invalid_input' });
    }
    try {
      return await this.#http.post('/v1/challenge', {
        json: { agent_spiffe_id: input.agentSpiffeId, act: input.act, con: input.con, leg: input.leg },
        schema: ChallengeCreatedSchema,
        ...options,
      });
    } catch (error) {
      if (AtbError.isInstance(error) && error.code === 'invalid_request') {
        const reason = typeof error.body === 'string' ? error.body.trim() : error.message;
        throw new AuthorizationDenied(`AgentAuth rejected the challenge for ${input.act}: ${reason}`, {
          reason,
          riskTier: riskTierOf(input.act),
          status: 400,
          cause: error,
        });
      }
      throw error;
    }
  }

  /**
   * The state of a challenge (`GET /v1/challenge/{id}`). Rejects with code `invalid_input`, before any
   * request, for an id that {@link pathIdProblem} refuses.
   */
  getChallenge(challengeId: string, options: CallOptions = {}): Promise<ChallengeStatus> {
    // The id goes into the URL path: refuse one that could reach another route before anything is sent.
    const problem = pathIdProblem(challengeId);
    if (problem)
      return Promise.reject(
        new AtbError(`challengeId ${JSON.stringify(challengeId)} cannot be used in a URL path: ${problem}.`, {
          code: 'invalid_input',
        }),
      );
    return this.#http.get(`/v1/challenge/${encodeURIComponent(challengeId)}`, {
      schema: ChallengeStatusSchema,
      ...options,
    });
  }

  /**
   * Records one approval. With `approverToken` the approver is authenticated by JWT (AgentAuth takes the
   * approver id from the token); otherwise `approver` is taken as given.
   */
  approve(
    challengeId: string,
    approver: string,
    options: CallOptions & { approverToken?: string } = {},
  ): Promise<ApproveResult> {
    if (!challengeId || !approver) {
      return Promise.reject(
        new AtbError('approve() needs a challengeId and an approver id.', { code: 'invalid_input' }),
      );
    }
    const { approverToken, ...call } = options;
    return this.#http.post('/v1/approve', {
      json: { challenge_id: challengeId, approver },
      schema: ApproveResultSchema,
      ...(approverToken ? { headers: { authorization: `Bearer ${approverToken}` } } : {}),
      ...call,
    });
  }

  /** Asks for the PoA of an approved challenge; a challenge still waiting for approvers is not an error. */
  async mandate(challengeId: string, options: CallOptions = {}): Promise<MandateOutcome> {
    try {
      const mandate = await this.#http.post('/v1/mandate', {
        json: { challenge_id: challengeId },
        schema: MandateSchema,
        ...options,
      });
      return { issued: true, mandate };
    } catch (error) {
      const pending = v.safeParse(MandatePendingSchema, (error as { body?: unknown }).body);
      if ((error as { status?: number }).status === 403 && pending.success) {
        return {
          issued: false,
          approversCount: pending.output.approvers_count,
          approversNeeded: pending.output.approvers_needed,
          requiresDualControl: pending.output.requires_dual_control,
        };
      }
      throw error;
    }
  }

  /** AgentAuth's key set, fetched once and cached (`refresh: true` fetches again). */
  async jwks(options: CallOptions & { refresh?: boolean } = {}): Promise<Jwks> {
    if (!this.#jwks || options.refresh) {
      this.#jwks = await this.#http.get('/.well-known/jwks.json', {
        schema: JwksSchema,
        ...(options.signal ? { signal: options.signal } : {}),
      });
    }
    return this.#jwks;
  }

  /**
   * Verifies a PoA against AgentAuth's JWKS (fetching it again once if the `kid` is unknown, for key
   * rotation). See {@link verifyPoAToken} for the checks.
   */
  async verify(
    token: string,
    expected: { subject?: string; action?: string; maxTtlSeconds?: number } = {},
    options: CallOptions = {},
  ): Promise<PoAToken> {
    const opts = {
      now: this.#now(),
      ...(expected.subject === undefined ? {} : { expectedSubject: expected.subject }),
      ...(expected.action === undefined ? {} : { expectedAction: expected.action }),
      ...(expected.maxTtlSeconds === undefined ? {} : { maxTtlSeconds: expected.maxTtlSeconds }),
    };
    let jwks = await this.jwks(options);
    if (!jwks.keys.some((k) => k.kid === kidOf(token))) jwks = await this.jwks({ ...options, refresh: true });
    return verifyPoAToken(token, { jwks, ...opts });
  }

  /**
   * Polls the challenge until it is fully approved and resolves with its state. Rejects with code
   * `challenge_expired` when it expires first, with an `AbortError` when the signal fires, and with
   * http-core's `TimeoutError` when `timeoutMs` (the overall deadline, over every poll and pause) elapses:
   * the deadline aborts the status request in flight too, so a server that accepts and never answers
   * cannot hold the wait past it. Without `timeoutMs` the wait ends at the challenge's expiry.
   */
  async waitForApproval(challengeId: string, options: WaitForApprovalOptions = {}): Promise<ChallengeStatus> {
    const { timeoutMs } = options;
    if (timeoutMs !== undefined && !(Number.isFinite(timeoutMs) && timeoutMs > 0)) {
      throw new AtbError(`timeoutMs must be a positive number of ms, not ${String(timeoutMs)}.`, {
        code: 'invalid_input',
      });
    }
    // One controller for the deadline, on a real timer (the injected clock judges token expiry, not waits),
    // linked with the caller's signal so both the poll in flight and the pause between polls stop at once.
    const deadline = new AbortController();
    const timer =
      timeoutMs === undefined
        ? undefined
        : setTimeout(
            () =>
              deadline.abort(
                new TimeoutError(
                  `waitForApproval(${challengeId}) gave up after ${timeoutMs} ms without full approval.`,
                ),
              ),
            timeoutMs,
          );
    const signal = options.signal ? AbortSignal.any([options.signal, deadline.signal]) : deadline.signal;
    try {
      for (;;) {
        const status = await this.getChallenge(challengeId, { signal });
        if (status.fullyApproved) return status;
        if (status.expired || status.expiresAt.getTime() <= this.#now()) {
          throw new AtbError(
            `Challenge ${challengeId} expired at ${status.expiresAt.toISOString()} with ${status.approversCount} of ${status.approversNeeded} approvals. Create a new challenge with authorize().`,
            { code: 'challenge_expired', status: 410 },
          );
        }
        await this.#sleep(options.intervalMs ?? 1000, signal);
      }
    } catch (error) {
      // http-core reports an aborted signal as the caller's abort; when it was our deadline, say so.
      if (deadline.signal.aborted && !options.signal?.aborted) throw deadline.signal.reason;
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }
}

function kidOf(token: string): string | undefined {
  try {
    const header = JSON.parse(utf8Decode(base64UrlDecode(token.split('.')[0]!))) as { kid?: unknown } | null;
    return typeof header?.kid === 'string' ? header.kid : undefined;
  } catch {
    return undefined;
  }
}
