/**
 * `AtbClient` (Node): the Python SDK's API on the real services — AgentAuth's challenge → approve → mandate for
 * `authorize` / `getToken`, and calls through the broker over mTLS for `execute`.
 *
 * @module
 */
import { randomUUID } from 'node:crypto';
import {
  createHttpClient,
  createLogger,
  type ErrorContext,
  type HttpClient,
  type Logger,
  type LogLevel,
  NetworkError,
  type RetryOptions,
} from '@x/http-core';
import { AgentAuthClient, type CallOptions, type WaitForApprovalOptions } from '../agentauth.ts';
import {
  AtbError,
  AuthorizationDenied,
  type BrokerCheck,
  BrokerRefused,
  type TokenExpired,
} from '../errors.ts';
import {
  type Action,
  type Approval,
  type ApproveResult,
  type AuthorizationResponse,
  actionName,
  type ChallengeStatus,
  type LegalBasis,
  type PoAToken,
  pathIdProblem,
  RiskTier,
  riskTierOf,
} from '../models.ts';
import { assertNotExpired } from '../poa.ts';
import { VERSION } from '../version.ts';
import {
  assertUndiciRuntime,
  checkTlsMaterial,
  createMtlsTransport,
  type MtlsTransport,
  readPemFile,
} from './tls.ts';

/** Options of {@link AtbClient}. Give each of cert, key and CA either as a file or as PEM text. */
export interface AtbClientOptions {
  /** The broker's base URL (https, mTLS), e.g. `https://broker.atb.example.com:8443`. */
  brokerUrl: string;
  /** AgentAuth's base URL (upstream serves plain HTTP; https is used with the same client certificate). */
  agentauthUrl: string;
  /** Path of the agent's certificate (PEM) with its SPIFFE ID as URI SAN. */
  certFile?: string;
  /** Path of the certificate's private key (PEM). */
  keyFile?: string;
  /** Path of the CA bundle (PEM) that verifies the broker; default Node's roots. */
  caFile?: string;
  /** The certificate as PEM text (instead of `certFile`). */
  cert?: string;
  /** The key as PEM text (instead of `keyFile`). */
  key?: string;
  /** The CA bundle as PEM text (instead of `caFile`). */
  ca?: string;
  /** Per-request timeout in ms (default 30 000; `ATB_TIMEOUT` is in seconds). */
  timeout?: number;
  /**
   * Retries of idempotent AgentAuth requests: a count (default 3), `false`, or @x/http-core's `RetryOptions`,
   * the one retry shape of the SDKs. Broker calls are never retried: a PoA may be single-use.
   */
  retry?: number | false | RetryOptions;
  /** Log level of the built-in console logger (default `info`); ignored when `logger` is given. */
  logLevel?: LogLevel;
  /** Where to log (secrets are redacted). */
  logger?: Logger;
  /** Legal grounding defaults for every challenge (default jurisdiction `GLOBAL`, the agent as accountable party). */
  legalBasis?: LegalBasis;
  /**
   * An approver used automatically for low-risk actions. AgentAuth needs one approval for every mandate, so
   * the Python SDK's "auto-approve with audit" for LOW needs a policy approver the operator trusts; without one,
   * low-risk actions wait for a human like any other.
   */
  lowRiskApprover?: Approval;
  /** Builds `auditUrl` from a decision id (upstream has no audit API; default: empty). */
  auditUrl?: (decisionId: string) => string;
  /** The clock, epoch ms (default `Date.now`); token expiry is judged with it. */
  now?: () => number;
  /** Waits between approval polls (default: an abortable timer). */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

/** Options of {@link AtbClient.authorize}. */
export interface AuthorizeOptions extends CallOptions {
  /** Why the agent acts; sent as `leg.purpose`. */
  reason: string;
  /** Approvals already given; each is recorded on the challenge before the mandate is asked for. */
  approvals?: readonly Approval[];
  /** Legal grounding for this action (merged over the client's defaults). */
  legalBasis?: LegalBasis;
  /** Constraints the broker enforces (top-level `con` keys: `max_amount`, `read_only`, `path_prefix`, …). */
  constraints?: Record<string, unknown>;
  /** Resume a challenge approved out of band (see `waitForApproval`) instead of creating one. */
  challengeId?: string;
}

/** Options of {@link AtbClient.execute}. */
export interface ExecuteOptions extends CallOptions {
  /** The PoA from `getToken` / `authorize`; omit only for unmandated low-risk calls (set `action` then). */
  poa?: PoAToken;
  /** The declared action (`X-ATB-Action`); default the PoA's `act`. */
  action?: string;
  /** The body: an object is sent as JSON, a string or bytes as they are. */
  body?: unknown;
  /** Extra headers. */
  headers?: Record<string, string>;
  /** Query parameters. */
  query?: Record<string, string | number | boolean | undefined>;
  /** The correlation id (`X-Request-ID`; default a random UUID). */
  requestId?: string;
  /** The agent's platform identity token (OIDC JWT), sent as `X-Platform-Token` where the broker wants one. */
  platformToken?: string;
  /**
   * The broker connector (backend) to route the call to, sent as `X-ATB-Connector`. A PoA whose `con` names a
   * `connector` wins over it at the broker.
   */
  connector?: string;
}

/** What the upstream service answered through the broker. */
export interface ExecuteResult<T = unknown> {
  /** The upstream status (2xx). */
  status: number;
  /** The body: JSON when the content type says so, else text. */
  data: T;
  /** The response headers. */
  headers: Headers;
  /** The `X-Request-ID` sent. */
  requestId: string;
  /**
   * The `X-Audit-ID` of the answer, which the upstream SDKs read as the audit id. The upstream broker itself
   * sets none, so this is present only when the service behind it (or a broker in front) sends one.
   */
  auditId?: string;
}

const BROKER_TEXTS: ReadonlyArray<[number, string, BrokerCheck]> = [
  [401, 'mTLS client cert with SPIFFE ID required', 'mtls_identity'],
  [401, 'invalid platform identity', 'platform_identity'],
  [403, 'platform identity does not match SPIFFE identity', 'platform_binding'],
  [503, 'authorization not configured', 'not_configured'],
  [403, 'blocked by semantic firewall', 'guardrails'],
  [401, 'missing PoA token', 'missing_poa'],
  [401, 'PoA required', 'poa_required'],
  [403, 'invalid PoA', 'invalid_poa'],
  [403, 'PoA subject mismatch', 'subject_mismatch'],
  [403, 'PoA action mismatch', 'action_mismatch'],
  [403, 'PoA constraint violation:', 'constraint_violation'],
  [500, 'policy evaluation error', 'policy_error'],
  [403, 'policy denied', 'policy_denied'],
  [403, 'PoA replay detected', 'replay'],
];

const CHECK_ADVICE: Record<BrokerCheck, string> = {
  mtls_identity: 'the client certificate has no SPIFFE ID the broker accepts',
  platform_identity: 'the platform identity token is invalid',
  platform_binding: 'the platform identity does not match the SPIFFE ID',
  not_configured: 'the broker has no PoA verification key configured',
  guardrails: 'a string in the JSON body matched a prompt-injection guardrail',
  missing_poa: 'no PoA was sent; get one with getToken()',
  poa_required: 'this action needs a PoA; get one with getToken()',
  invalid_poa: 'the PoA is malformed, tampered, signed with an unknown key, or expired',
  subject_mismatch: "the PoA's sub is not this agent's SPIFFE ID",
  action_mismatch: "X-ATB-Action differs from the PoA's act",
  constraint_violation: "the request breaks the PoA's constraints",
  policy_error: 'the broker could not evaluate its policy',
  policy_denied: 'the policy refused the action (missing approvals, or a rule of the action)',
  replay: 'the PoA was already used (single-use tokens); get a new one',
  connector_resolve:
    'the broker has no usable connector by that id (X-ATB-Connector or the PoA con.connector)',
  connector_egress: "the connector's egress allowlist or rate limit refused the call",
};

/**
 * The connector step (checks 14 and 14b) has no fixed text: the broker answers with the connector's message.
 * A plain-text 400 or 403 that mentions the connector, on a call routed to one, is taken as that step.
 */
function connectorCheck(ctx: ErrorContext, text: string, routed: boolean): BrokerCheck | undefined {
  if (!routed || !/connector/i.test(text)) return undefined;
  if (!ctx.headers.get('content-type')?.startsWith('text/plain')) return undefined;
  return ctx.status === 400 ? 'connector_resolve' : ctx.status === 403 ? 'connector_egress' : undefined;
}

/** Maps a broker refusal (plain text) to {@link BrokerRefused}; anything else keeps the default. */
function brokerError(
  ctx: ErrorContext,
  riskTier: RiskTier | undefined,
  routed: boolean,
): AtbError | undefined {
  if (typeof ctx.body !== 'string') return undefined;
  const text = ctx.body.replace(/\n$/, '');
  const match = BROKER_TEXTS.find(
    ([status, prefix]) =>
      status === ctx.status && (prefix.endsWith(':') ? text.startsWith(prefix) : text === prefix),
  );
  const check = match?.[2] ?? connectorCheck(ctx, text, routed);
  if (!check) return undefined;
  return new BrokerRefused(`The broker refused the call (${check}): ${text}. Why: ${CHECK_ADVICE[check]}.`, {
    check,
    reason: text,
    status: ctx.status,
    body: ctx.body,
    headers: ctx.headers,
    ...(riskTier === undefined ? {} : { riskTier }),
  });
}

const TLS_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED',
  'ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE',
  'ERR_SSL_TLSV1_ALERT_UNKNOWN_CA',
]);

function tlsCode(error: unknown): string | undefined {
  for (
    let e = error as { code?: unknown; cause?: unknown } | undefined, i = 0;
    e && i < 8;
    e = e.cause as never, i++
  ) {
    if (typeof e.code === 'string' && TLS_CODES.has(e.code)) return e.code;
  }
  return undefined;
}

// fromEnv passes the variable names along so construction errors name ATB_* rather than the option.
const OPTION_NAMES = Symbol('optionNames');
type NamedOptions = AtbClientOptions & {
  [OPTION_NAMES]?: Partial<Record<keyof AtbClientOptions, string>>;
};

const LEVELS: Record<string, LogLevel> = {
  debug: 'debug',
  info: 'info',
  warn: 'warn',
  warning: 'warn',
  error: 'error',
  critical: 'error',
  silent: 'silent',
};

/**
 * The Agent Trust Broker client. `authorize` asks AgentAuth for a Proof-of-Authorization (challenge,
 * approvals, mandate), verifies it against AgentAuth's JWKS, and `execute` sends calls through the broker over
 * mTLS with it.
 *
 * @example
 * ```ts
 * const client = new AtbClient({ brokerUrl, agentauthUrl, certFile, keyFile, caFile });
 * const token = await client.getToken({ verb: 'read', resource: 'crm/contact' }, 'Look up a customer');
 * const { data } = await client.execute('GET', '/crm/contacts/42', { poa: token });
 * ```
 */
export class AtbClient {
  /** The agent's SPIFFE ID, read from its certificate's URI SAN. */
  readonly spiffeId: string;
  /** The AgentAuth client underneath (challenges, approvals, JWKS). */
  readonly agentAuth: AgentAuthClient;
  readonly #broker: HttpClient;
  readonly #transport: MtlsTransport;
  readonly #now: () => number;
  readonly #options: AtbClientOptions;

  /**
   * Reads and checks the TLS material at once: a missing or unreadable file, a certificate without a single
   * valid SPIFFE URI SAN, a key that does not belong to the certificate or a bad URL throws an `AtbError`
   * with code `invalid_config` naming the option. In Bun (no real undici) it throws `unsupported_runtime`
   * before anything else.
   */
  constructor(options: AtbClientOptions) {
    assertUndiciRuntime();
    const names = (options as NamedOptions)[OPTION_NAMES] ?? {};
    const name = (k: keyof AtbClientOptions) => names[k] ?? k;
    this.#options = options;
    const brokerUrl = parseUrl(options.brokerUrl, name('brokerUrl'), ['https:']);
    parseUrl(options.agentauthUrl, name('agentauthUrl'), ['http:', 'https:']);
    const pem = (text: string | undefined, file: string | undefined, fileKey: keyof AtbClientOptions) =>
      text ?? (file === undefined ? undefined : readPemFile(file, name(fileKey)));
    const cert = pem(options.cert, options.certFile, 'certFile');
    const key = pem(options.key, options.keyFile, 'keyFile');
    const ca = pem(options.ca, options.caFile, 'caFile');
    if (cert === undefined)
      throw configError(`${name('certFile')} is required: the broker only accepts mTLS.`);
    if (key === undefined) throw configError(`${name('keyFile')} is required: the broker only accepts mTLS.`);
    const material = { cert, key, ...(ca === undefined ? {} : { ca }) };
    this.spiffeId = checkTlsMaterial(material, {
      cert: name('certFile'),
      key: name('keyFile'),
      ca: name('caFile'),
    });
    if (options.timeout !== undefined && !(options.timeout > 0)) {
      throw configError(`${name('timeout')} must be a positive number, got ${options.timeout}.`);
    }
    if ((options as { retryCount?: unknown }).retryCount !== undefined)
      throw configError('retryCount is called retry here (the one retry option of the SDKs).');
    if (typeof options.retry === 'number' && !(Number.isInteger(options.retry) && options.retry >= 0)) {
      throw configError(`${name('retry')} must be a whole number ≥ 0, got ${options.retry}.`);
    }
    this.#now = options.now ?? Date.now;
    this.#transport = createMtlsTransport(material);
    const logger = options.logger ?? createLogger(options.logLevel ?? 'info');
    this.agentAuth = new AgentAuthClient({
      baseUrl: options.agentauthUrl,
      timeout: options.timeout ?? 30_000,
      retry: options.retry ?? 3,
      logger,
      now: this.#now,
      // The same transport: the client certificate is presented when AgentAuth is served over https.
      fetch: this.#transport.fetch,
      ...(options.sleep ? { sleep: options.sleep } : {}),
    });
    this.#broker = createHttpClient({
      baseUrl: brokerUrl.href.replace(/\/$/, ''),
      fetch: this.#transport.fetch,
      userAgent: `x-atb/${VERSION}`,
      timeout: options.timeout ?? 30_000,
      retry: false,
      logger,
      now: this.#now,
      redact: { headers: ['x-poa-token', 'x-platform-token'] },
    });
  }

  /**
   * Creates a client from the `ATB_*` variables: `ATB_BROKER_URL`, `ATB_AGENTAUTH_URL`, `ATB_CERT_FILE`,
   * `ATB_KEY_FILE` (required), `ATB_CA_FILE`, `ATB_TIMEOUT` (seconds, default 30), `ATB_RETRY_COUNT`
   * (default 3), `ATB_LOG_LEVEL` (default `INFO`). Errors name the variable.
   */
  static fromEnv(
    env: Record<string, string | undefined> = process.env,
    overrides: Partial<AtbClientOptions> = {},
  ): AtbClient {
    const required = (key: string) => {
      const value = env[key]?.trim();
      if (!value) throw configError(`${key} is not set; AtbClient.fromEnv() needs it.`);
      return value;
    };
    const optional = (key: string) => env[key]?.trim() || undefined;
    const timeoutText = optional('ATB_TIMEOUT');
    const timeoutSeconds = timeoutText === undefined ? 30 : Number(timeoutText);
    if (!(timeoutSeconds > 0))
      throw configError(
        `ATB_TIMEOUT must be a positive number of seconds, got ${JSON.stringify(timeoutText)}.`,
      );
    const retryText = optional('ATB_RETRY_COUNT');
    const retryCount = retryText === undefined ? 3 : Number(retryText);
    if (!(Number.isInteger(retryCount) && retryCount >= 0)) {
      throw configError(`ATB_RETRY_COUNT must be a whole number ≥ 0, got ${JSON.stringify(retryText)}.`);
    }
    const levelText = optional('ATB_LOG_LEVEL') ?? 'INFO';
    const logLevel = LEVELS[levelText.toLowerCase()];
    if (!logLevel) {
      throw configError(
        `ATB_LOG_LEVEL must be one of DEBUG, INFO, WARNING, ERROR, got ${JSON.stringify(levelText)}.`,
      );
    }
    const caFile = optional('ATB_CA_FILE');
    const named: NamedOptions = {
      brokerUrl: required('ATB_BROKER_URL'),
      agentauthUrl: required('ATB_AGENTAUTH_URL'),
      certFile: required('ATB_CERT_FILE'),
      keyFile: required('ATB_KEY_FILE'),
      ...(caFile === undefined ? {} : { caFile }),
      timeout: timeoutSeconds * 1000,
      retry: retryCount,
      logLevel,
      ...overrides,
      [OPTION_NAMES]: {
        brokerUrl: 'ATB_BROKER_URL',
        agentauthUrl: 'ATB_AGENTAUTH_URL',
        certFile: 'ATB_CERT_FILE',
        keyFile: 'ATB_KEY_FILE',
        caFile: 'ATB_CA_FILE',
        timeout: 'ATB_TIMEOUT',
        retry: 'ATB_RETRY_COUNT',
      },
    };
    return new AtbClient(named);
  }

  /**
   * Asks for authorization of an action: creates an AgentAuth challenge (or resumes
   * `challengeId`), records the given approvals, and asks for the mandate.
   *
   * - Issued: `allowed: true` with the verified PoA in `token`, `decisionId` = its `jti`.
   * - Still waiting for approvers: `allowed: false, requiresApproval: true` and `approvalRequest` to hand to
   *   the approval system; call again with `approvals`, or `waitForApproval` then `authorize({ challengeId })`.
   *
   * @throws {AuthorizationDenied} when AgentAuth rejects the challenge (validation).
   * @throws {AtbError} `invalid_input` for a bad action or constraints; `self_approval`,
   *   `duplicate_approval`, `challenge_expired`, … for refused approvals.
   * @throws {TokenInvalid} when the issued PoA fails verification.
   */
  async authorize(action: Action | string, options: AuthorizeOptions): Promise<AuthorizationResponse> {
    const act = this.#actionOf(action);
    const riskTier = riskTierOf(act);
    const call = options.signal ? { signal: options.signal } : {};
    const approvals = [...(options.approvals ?? [])];
    const lowRiskApprover = this.#options.lowRiskApprover;
    if (approvals.length === 0 && riskTier === RiskTier.LOW && lowRiskApprover && !options.challengeId) {
      approvals.push(lowRiskApprover);
    }
    let challengeId = options.challengeId;
    // A given challenge id ends up in the status URL path; refuse a bad one before approving with it.
    const idProblem = challengeId === undefined ? undefined : pathIdProblem(challengeId);
    if (idProblem)
      throw new AtbError(
        `challengeId ${JSON.stringify(challengeId)} cannot be used in a URL path: ${idProblem}.`,
        {
          code: 'invalid_input',
        },
      );
    let challengeExpiresAt: Date | undefined;
    if (challengeId === undefined) {
      const created = await this.agentAuth.createChallenge(
        {
          agentSpiffeId: this.spiffeId,
          act,
          con: this.#constraints(action, options.constraints),
          leg: this.#legalGrounding(riskTier, options, approvals),
        },
        call,
      );
      challengeId = created.challengeId;
      challengeExpiresAt = created.expiresAt;
    }
    for (const approval of approvals) {
      await this.approve(challengeId, approval.approverId, {
        ...call,
        ...(approval.approverToken ? { approverToken: approval.approverToken } : {}),
      });
    }
    const outcome = await this.agentAuth.mandate(challengeId, call);
    if (!outcome.issued) {
      const expiresAt =
        challengeExpiresAt ?? (await this.agentAuth.getChallenge(challengeId, call)).expiresAt;
      return {
        allowed: false,
        decisionId: challengeId,
        riskTier,
        reason: `approval required: ${outcome.approversCount} of ${outcome.approversNeeded} approvers so far`,
        expiresAt,
        auditUrl: this.#options.auditUrl?.(challengeId) ?? '',
        requiresApproval: true,
        approvalRequest: {
          challengeId,
          action: act,
          approversNeeded: outcome.approversNeeded,
          approversCount: outcome.approversCount,
          requiresDualControl: outcome.requiresDualControl,
          expiresAt,
        },
      };
    }
    const token = await this.agentAuth.verify(
      outcome.mandate.token,
      { subject: this.spiffeId, action: act },
      call,
    );
    return {
      allowed: true,
      decisionId: token.jti,
      riskTier,
      reason: 'mandate issued',
      expiresAt: token.expiresAt,
      auditUrl: this.#options.auditUrl?.(token.jti) ?? '',
      requiresApproval: false,
      token,
    };
  }

  /**
   * A verified PoA for an action (the Python SDK's `get_token`).
   *
   * @throws {AuthorizationDenied} when approval is still needed (the reason names the challenge) or denied.
   */
  async getToken(
    action: Action | string,
    reason: string,
    options: Omit<AuthorizeOptions, 'reason'> = {},
  ): Promise<PoAToken> {
    const response = await this.authorize(action, { ...options, reason });
    if (response.token) return response.token;
    throw new AuthorizationDenied(
      `No PoA for ${response.approvalRequest?.action}: ${response.reason} on challenge ${response.decisionId}. Have it approved, then call authorize() with { challengeId }.`,
      { reason: response.reason, riskTier: response.riskTier },
    );
  }

  /** Records one approval (for approval tools); see {@link AgentAuthClient.approve}. */
  approve(
    challengeId: string,
    approver: string,
    options: CallOptions & { approverToken?: string } = {},
  ): Promise<ApproveResult> {
    return this.agentAuth.approve(challengeId, approver, options);
  }

  /** The state of a challenge. */
  getChallenge(challengeId: string, options: CallOptions = {}): Promise<ChallengeStatus> {
    return this.agentAuth.getChallenge(challengeId, options);
  }

  /** Waits until a challenge is fully approved; see {@link AgentAuthClient.waitForApproval}. */
  waitForApproval(challengeId: string, options: WaitForApprovalOptions = {}): Promise<ChallengeStatus> {
    return this.agentAuth.waitForApproval(challengeId, options);
  }

  /**
   * Sends a call through the broker over mTLS with the PoA (`Authorization: Bearer`, `X-ATB-Action`,
   * `X-Request-ID`). An expired PoA throws {@link TokenExpired} before anything is sent. Redirects are
   * returned as errors, never followed.
   *
   * @throws {BrokerRefused} when a broker check fails; `check` names it.
   * @throws {AtbError} `tls_failed`-style `invalid_config` when the broker's certificate is not trusted.
   */
  async execute<T = unknown>(
    method: string,
    path: string,
    options: ExecuteOptions = {},
  ): Promise<ExecuteResult<T>> {
    if (options.poa) assertNotExpired(options.poa, this.#now());
    const action = options.action ?? options.poa?.action;
    const requestId = options.requestId ?? randomUUID();
    const headers: Record<string, string> = { ...options.headers, 'x-request-id': requestId };
    if (options.poa) headers.authorization = `Bearer ${options.poa.token}`;
    if (action) headers['x-atb-action'] = action;
    if (options.platformToken) headers['x-platform-token'] = options.platformToken;
    if (options.connector) headers['x-atb-connector'] = options.connector;
    const routed = options.connector !== undefined || options.poa?.claims.con.connector !== undefined;
    const body = options.body;
    const bodyOptions =
      body === undefined
        ? {}
        : typeof body === 'string' || body instanceof Uint8Array
          ? { body: body as BodyInit }
          : { json: body };
    const riskTier = action ? riskTierOf(action) : undefined;
    try {
      const { data, response } = await this.#broker.requestWithResponse(method.toUpperCase(), path, {
        headers,
        ...bodyOptions,
        ...(options.query ? { query: options.query } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
      });
      const auditId = response.headers.get('x-audit-id') ?? undefined;
      return {
        status: response.status,
        data: data as T,
        headers: response.headers,
        requestId,
        ...(auditId === undefined ? {} : { auditId }),
      };
    } catch (error) {
      throw this.#brokerFailure(error, riskTier, routed);
    }
  }

  /** Closes the mTLS connections (none to close before the first request); idempotent. */
  async close(): Promise<void> {
    await this.#transport.close();
  }

  /** {@link AtbClient.close}, for `await using client = new AtbClient(…)`. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  #brokerFailure(error: unknown, riskTier: RiskTier | undefined, routed: boolean): unknown {
    const ctx = error as { status?: number; body?: unknown; headers?: Headers };
    if (ctx.status !== undefined) {
      const mapped = brokerError(
        {
          status: ctx.status,
          body: ctx.body,
          headers: ctx.headers ?? new Headers(),
          method: '',
          url: '',
          retryable: false,
        },
        riskTier,
        routed,
      );
      if (mapped) return mapped;
    }
    const code = NetworkError.isInstance(error) ? tlsCode(error) : undefined;
    if (code) {
      return new AtbError(
        `The TLS handshake with the broker failed (${code}): check that caFile holds the CA of the broker's certificate and that the broker trusts the agent's certificate.`,
        { code: 'invalid_config', cause: error },
      );
    }
    return error;
  }

  #actionOf(action: Action | string): string {
    const act = actionName(action);
    if (act === undefined) {
      const shown = typeof action === 'string' ? action : `${action.resource} / ${action.verb}`;
      throw new AtbError(
        `action ${JSON.stringify(shown)} does not make a dotted action id like crm.contact.update (letters, digits and _ in each part).`,
        { code: 'invalid_input' },
      );
    }
    return act;
  }

  #constraints(
    action: Action | string,
    constraints: Record<string, unknown> | undefined,
  ): Record<string, unknown> {
    const con: Record<string, unknown> = { ...constraints };
    if (typeof action !== 'string') {
      con.params = action.parameters ?? {};
      if (action.context) con.context = action.context;
    }
    return con;
  }

  #legalGrounding(
    riskTier: RiskTier,
    options: AuthorizeOptions,
    approvals: Approval[],
  ): Record<string, unknown> {
    const basis = { ...this.#options.legalBasis, ...options.legalBasis };
    const party = basis.accountableParty ?? { type: 'service_account', id: this.spiffeId };
    const leg: Record<string, unknown> = {
      jurisdiction: basis.jurisdiction ?? 'GLOBAL',
      accountable_party: {
        type: party.type,
        id: party.id,
        ...(party.displayName ? { display_name: party.displayName } : {}),
      },
      purpose: options.reason,
    };
    if (basis.basis) leg.basis = basis.basis;
    if (basis.approvalRef) leg.approval_ref = basis.approvalRef;
    if (basis.regulationRefs) leg.regulation_refs = basis.regulationRefs;
    if (basis.retentionDays !== undefined) leg.retention_days = basis.retentionDays;
    const seconds = Math.floor(this.#now() / 1000);
    // AgentAuth does not put single approvals into the PoA, but the policy wants leg.approval.approver_id
    // for medium risk, so the known approver is declared up front.
    if (riskTier === RiskTier.MEDIUM && approvals[0]) {
      leg.approval = { approver_id: approvals[0].approverId, timestamp: seconds };
    }
    if (riskTier === RiskTier.HIGH || riskTier === RiskTier.CRITICAL) leg.dual_control = { required: true };
    if (riskTier === RiskTier.CRITICAL && approvals.length > 0) {
      leg.executive_control = {
        required: true,
        approvers: approvals.map((a) => ({ id: a.approverId, role: a.role ?? '', timestamp: seconds })),
      };
    }
    return leg;
  }
}

function configError(message: string): AtbError {
  return new AtbError(message, { code: 'invalid_config' });
}

function parseUrl(value: string, name: string, protocols: string[]): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw configError(`${name} ${JSON.stringify(value)} is not a URL.`);
  }
  if (!protocols.includes(url.protocol)) {
    throw configError(`${name} must be an ${protocols.join(' or ')} URL, got ${JSON.stringify(value)}.`);
  }
  return url;
}
