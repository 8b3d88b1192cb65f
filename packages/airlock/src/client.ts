/**
 * `AirlockGatewayClient`: every endpoint of the Integrations Gateway over @x/http-core.
 *
 * @module
 */
import {
  type AuthStrategy,
  apiKey,
  bearer,
  bearerFrom,
  clientCredentials,
  combineAuth,
  createHttpClient,
  type FetchLike,
  type Hooks,
  type HttpClient,
  type Logger,
  longPoll,
  pathSegmentProblem,
  type RetryOptions,
  randomId,
} from '@x/http-core';
import * as v from 'valibot';
import { aesGcmEncrypt, canonicalize, type EncryptedPayload, sha256Hex } from './crypto.ts';
import { NonceJournal, verifyDecision } from './decisions.ts';
import {
  AirlockConflictError,
  AirlockInputError,
  DecisionVerificationError,
  gatewayError,
} from './errors.ts';
import {
  ConsentStatusResponse,
  DecisionDeliverEnvelope,
  DiscoveryResponse,
  DndEffectiveResponse,
  EchoResponse,
  ExchangeStatusResponse,
  type PairingClaimRequest,
  PairingClaimResponse,
  type PairingInitiateRequest,
  PairingInitiateResponse,
  PairingRevokeResponse,
  PairingStatusResponse,
  type PresenceHeartbeatRequest,
} from './models.ts';
import type { AccessTokenProvider } from './token-provider.ts';
import { VERSION } from './version.ts';

/** The public gateway. */
export const DEFAULT_GATEWAY_URL = 'https://igw.airlocks.io';
/** The artifact type used when none is given. */
export const DEFAULT_ARTIFACT_TYPE = 'command-approval';

/** Options of {@link AirlockGatewayClient}. Every credential can also be set or cleared later. */
export interface AirlockGatewayClientOptions {
  /** The gateway (default `https://igw.airlocks.io`); a trailing `/` is ignored. */
  baseUrl?: string;
  /** A Personal Access Token (`airpat_…`), sent as `X-PAT`. */
  pat?: string;
  /** A static user access token, sent as `Authorization: Bearer`. */
  bearerToken?: string;
  /** Supplies (and refreshes after a 401) the bearer token, e.g. an `AirlockAuthClient`. */
  tokenProvider?: AccessTokenProvider;
  /** The enforcer app's client id (`X-Client-Id`). */
  clientId?: string;
  /** The enforcer app's secret (`X-Client-Secret`), for confidential kinds (Agent, Desktop, VS Code). */
  clientSecret?: string;
  /**
   * The approvers' Ed25519 public key (base64url). When set, decisions from `waitForDecision` are verified
   * (hash, signature, nonce) before they are returned.
   */
  signerPublicKey?: string;
  /** Remembers decision nonces (default: an in-memory journal; `false` for none). */
  nonceJournal?: NonceJournal | false;
  /** Per-attempt HTTP timeout in ms (default 90 000; always longer than a long-poll's server wait). */
  timeout?: number;
  /** Retries of idempotent calls (default 2); see @x/http-core. */
  retry?: number | false | RetryOptions;
  /** Headers sent with every request. */
  headers?: HeadersInit;
  /** A fetch to use instead of the global one. */
  fetch?: FetchLike;
  /** Where requests are logged (secrets redacted). */
  logger?: Logger;
  /** @x/http-core hooks. */
  hooks?: Hooks;
  /** The clock for `createdAt`, default `expiresAt` and decision expiry (default `Date.now`). */
  now?: () => number;
}

/** Which credentials a client has configured (see {@link AirlockGatewayClient.credentials}). */
export interface ConfiguredCredentials {
  /** A PAT is set (`X-PAT`). */
  pat: boolean;
  /** A static bearer token is set. */
  bearer: boolean;
  /** A token provider supplies the bearer token. */
  tokenProvider: boolean;
  /** An app client id is set (`X-Client-Id`). */
  clientId: boolean;
  /** An app secret is set (`X-Client-Secret`). */
  clientSecret: boolean;
}

/** A running heartbeat loop, from {@link AirlockGatewayClient.startHeartbeat}. */
export interface HeartbeatHandle {
  /** Stops the loop (an in-flight heartbeat is aborted). */
  stop(): void;
}

/** Options of {@link AirlockGatewayClient.startHeartbeat}. */
export interface HeartbeatOptions {
  /** Between heartbeats, in ms (default 10 000). */
  intervalMs?: number;
  /** Stops the loop when it aborts. */
  signal?: AbortSignal;
  /** Told about each failed heartbeat (the loop goes on). */
  onError?: (error: unknown) => void;
}

/** The options bag every call takes last. */
export interface CallOptions {
  /** Aborts the call (rejects with `AbortError`). */
  signal?: AbortSignal;
  /** Per-attempt timeout in ms for this call. */
  timeout?: number;
  /** Extra headers for this call. */
  headers?: HeadersInit;
}

/** `POST /v1/artifacts` input: an already encrypted artifact. */
export interface ArtifactSubmitRequest {
  /** The enforcer's id (`sender.enforcerId`). */
  enforcerId: string;
  /** Default `command-approval`. */
  artifactType?: string;
  /** Lowercase hex SHA-256 of the canonical plaintext. */
  artifactHash: string;
  /** The encrypted artifact. */
  ciphertext: EncryptedPayload;
  /** When the request expires (default: now + 10 minutes). */
  expiresAt?: Date | string;
  /** `routingToken` (required to reach the paired approver), `workspaceName`, `requestLabel`, … */
  metadata?: Record<string, string>;
  /** The exchange id and idempotency key (default `req-<uuid>`); reuse it to retry safely. */
  requestId?: string;
}

/** `encryptAndSubmitArtifact` input. */
export interface EncryptAndSubmitRequest extends Omit<ArtifactSubmitRequest, 'artifactHash' | 'ciphertext'> {
  /** The artifact as JSON text; it is canonicalized, hashed and encrypted. */
  plaintextPayload: string;
  /** The pairing-derived AES-256 key (base64url, from `deriveSharedKey` or `completePairing`). */
  encryptionKey: string;
}

/** What a submit returns. */
export interface SubmittedArtifact {
  /** The exchange id to wait on. */
  requestId: string;
  /** The submitted hash: the decision must carry the same. */
  artifactHash: string;
  /** The expiry sent. */
  expiresAt: string;
  /**
   * `true` when the gateway already had this `requestId` with the same artifact hash (a retry whose first
   * attempt got through): a success. A duplicate with a different hash is an {@link AirlockConflictError}.
   */
  duplicate: boolean;
}

/** Options of {@link AirlockGatewayClient.waitForDecision}. */
export interface WaitOptions extends CallOptions {
  /** How long the gateway holds the request, in seconds: clamped to 1..60, default 30. */
  timeoutSeconds?: number;
  /** The hash submitted (known automatically for requests this client submitted). */
  artifactHash?: string;
  /** The signer key to verify with (default: the client's `signerPublicKey`). */
  signerPublicKey?: string;
  /** `false` skips verification. */
  verify?: boolean;
}

/** Options of {@link AirlockGatewayClient.waitUntilDecided}. */
export interface WaitUntilDecidedOptions extends Omit<WaitOptions, 'timeout'> {
  /** Overall deadline in ms (default 120 000); then it rejects with `TimeoutError`. */
  totalTimeout?: number;
  /** Withdraws the exchange when the deadline passes (default `false`), as the test enforcers do. */
  withdrawOnTimeout?: boolean;
  /** Acknowledges the decision once it arrived (default `false`); a failed ack does not fail the wait. */
  acknowledge?: boolean;
}

/** Options of {@link AirlockGatewayClient.getEffectiveDndPolicies}. */
export interface DndQuery {
  /** The enforcer's id (required). */
  enforcerId: string;
  /** The workspace's id (required). */
  workspaceId: string;
  /** A session id, sent only when non-empty. */
  sessionId?: string;
}

const Ignored = v.unknown();

function checkCredential(value: string | undefined, what: string): void {
  // Headers refuse control characters with a bare TypeError at send time; say so up front instead.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused.
  if (value !== undefined && (value === '' || /[\u0000-\u001f\u007f]/.test(value)))
    throw new AirlockInputError(`${what} must be a non-empty string without control characters.`, {
      code: 'invalid_credential',
    });
}

/**
 * The options bag of a call, refused with a `TypeError` that says what to pass when it is not an object
 * (the upstream SDKs take positional arguments, e.g. `waitForDecision(id, 25)`, which would be ignored).
 */
function optionsBag<T extends object>(value: T | undefined, call: string, example: string): T {
  if (value === undefined) return {} as T;
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new TypeError(
      `${call}: the last argument is an options object such as ${example}, got ${JSON.stringify(value) ?? typeof value}.`,
    );
  return value;
}

function required(value: unknown, what: string): string {
  if (typeof value !== 'string' || value.trim() === '')
    throw new AirlockInputError(`${what} is required.`, { code: 'invalid_argument' });
  return value;
}

/** An id as a path segment: refused before any request when it could reach another route. */
function path(id: string, what: string): string {
  const problem = pathSegmentProblem(required(id, what));
  if (problem) throw new AirlockInputError(`${what} ${problem}.`, { code: 'invalid_argument' });
  return encodeURIComponent(id);
}

/**
 * The Airlock Integrations Gateway client: artifacts, long-poll decisions, pairing, presence, DND policies
 * and consent. Credentials in any combination (PAT, bearer token or token provider, app id and
 * secret), changeable at runtime.
 *
 * @example
 * ```ts
 * const client = new AirlockGatewayClient({ pat: 'airpat_…', clientId, clientSecret, signerPublicKey });
 * const { requestId } = await client.encryptAndSubmitArtifact({
 *   enforcerId: 'my-enforcer',
 *   plaintextPayload: JSON.stringify({ command: 'rm -rf build' }),
 *   encryptionKey,
 *   metadata: { routingToken },
 * });
 * const decision = await client.waitUntilDecided(requestId, { totalTimeout: 120_000 });
 * ```
 */
export class AirlockGatewayClient {
  readonly #http: HttpClient;
  readonly #now: () => number;
  readonly #timeout: number;
  readonly #journal: NonceJournal | undefined;
  // requestId → what we submitted, so decisions can be checked without the caller keeping it.
  readonly #submitted = new Map<string, { hash: string; nonce?: string }>();
  #signer: string | undefined;
  #pat: string | undefined;
  #bearer: string | undefined;
  #provider: AccessTokenProvider | undefined;
  #clientId: string | undefined;
  #clientSecret: string | undefined;

  /** Creates a client; see {@link AirlockGatewayClientOptions}. */
  constructor(options: AirlockGatewayClientOptions = {}) {
    this.#now = options.now ?? Date.now;
    this.#timeout = options.timeout ?? 90_000;
    this.#journal = options.nonceJournal === false ? undefined : (options.nonceJournal ?? new NonceJournal());
    this.#signer = options.signerPublicKey;
    this.#http = createHttpClient({
      baseUrl: options.baseUrl ?? DEFAULT_GATEWAY_URL,
      timeout: this.#timeout,
      userAgent: `x-airlock/${VERSION}`,
      retry: options.retry,
      headers: options.headers,
      fetch: options.fetch,
      logger: options.logger,
      now: this.#now,
      hooks: options.hooks,
      // Reads both error body shapes; responseBody is the raw text http-core read.
      mapError: gatewayError,
    });
    this.setPat(options.pat);
    checkCredential(options.bearerToken, 'The bearer token');
    this.#bearer = options.bearerToken;
    this.#provider = options.tokenProvider;
    this.setClientCredentials(options.clientId, options.clientSecret);
  }

  /** Sets (or with `undefined` removes) the Personal Access Token; it must start with `airpat_`. */
  setPat(pat: string | undefined): void {
    checkCredential(pat, 'The PAT');
    if (pat !== undefined && !pat.startsWith('airpat_'))
      throw new AirlockInputError('A Personal Access Token starts with "airpat_".', { code: 'invalid_pat' });
    this.#pat = pat;
    this.#applyAuth();
  }

  /** Sets (or removes) a static bearer token; replaces any token provider. */
  setBearerToken(token: string | undefined): void {
    checkCredential(token, 'The bearer token');
    this.#bearer = token;
    this.#provider = undefined;
    this.#applyAuth();
  }

  /**
   * Uses a token provider (e.g. `AirlockAuthClient`) for the bearer token: asked before each request, told to
   * refresh after a 401 (the request is then replayed once). Replaces any static bearer token.
   */
  setTokenProvider(provider: AccessTokenProvider | undefined): void {
    this.#provider = provider;
    if (provider) this.#bearer = undefined;
    this.#applyAuth();
  }

  /** Sets (or removes) the enforcer app credentials; public app kinds pass no secret. */
  setClientCredentials(clientId: string | undefined, clientSecret?: string): void {
    checkCredential(clientId, 'The client id');
    checkCredential(clientSecret, 'The client secret');
    this.#clientId = clientId;
    this.#clientSecret = clientId === undefined ? undefined : clientSecret;
    this.#applyAuth();
  }

  /** Sets (or removes) the approvers' signer key used to verify decisions. */
  setSignerPublicKey(publicKey: string | undefined): void {
    this.#signer = publicKey;
  }

  /** The credentials currently configured (never their values). */
  get credentials(): ConfiguredCredentials {
    return {
      pat: this.#pat !== undefined,
      bearer: this.#bearer !== undefined,
      tokenProvider: this.#provider !== undefined,
      clientId: this.#clientId !== undefined,
      clientSecret: this.#clientSecret !== undefined,
    };
  }

  #applyAuth(): void {
    const strategies: AuthStrategy[] = [];
    if (this.#clientId !== undefined)
      strategies.push(
        this.#clientSecret === undefined
          ? apiKey(this.#clientId, { header: 'x-client-id' })
          : clientCredentials(this.#clientId, this.#clientSecret),
      );
    if (this.#pat !== undefined) strategies.push(apiKey(this.#pat, { header: 'x-pat' }));
    const provider = this.#provider;
    if (provider) {
      strategies.push({
        ...bearerFrom((signal) => provider.getAccessToken({ signal })),
        async onUnauthorized({ headers, signal }) {
          // A request sent with a token that was already replaced is just replayed; else refresh. The
          // provider is expected to share one refresh among concurrent callers.
          const current = await provider.getAccessToken({ signal });
          if (headers.get('authorization') === `Bearer ${current}`)
            await provider.refreshAccessToken({ signal });
          return true;
        },
      });
    } else if (this.#bearer !== undefined) strategies.push(bearer(this.#bearer));
    this.#http.setAuth(strategies.length ? combineAuth(...strategies) : undefined);
  }

  #call(options: CallOptions) {
    optionsBag(options, 'AirlockGatewayClient', '{ signal, timeout, headers }');
    return {
      signal: options.signal,
      timeout: options.timeout,
      headers: options.headers,
    };
  }

  #iso(ms: number): string {
    return new Date(ms).toISOString();
  }

  /** `GET /echo`: the gateway's time and zone (a health check). */
  async echo(options: CallOptions = {}): Promise<EchoResponse> {
    return this.#http.get('/echo', { ...this.#call(options), schema: EchoResponse });
  }

  /**
   * `GET /v1/integrations/discovery`: the identity provider to sign in with (`idp.baseUrl` is the
   * `baseUrl` of `AirlockAuthClient`). Test enforcers call it with a 5 s timeout and disable sign-in
   * when it fails; PATs work either way.
   */
  async getDiscovery(options: CallOptions = {}): Promise<DiscoveryResponse> {
    return this.#http.get('/v1/integrations/discovery', {
      ...this.#call(options),
      schema: DiscoveryResponse,
    });
  }

  /**
   * `POST /v1/artifacts`: submits an encrypted artifact. The `requestId` is the idempotency key:
   * retries after a lost response reuse it, and a 409 for a request the gateway already holds with the same
   * artifact hash resolves with `duplicate: true`.
   *
   * @throws {AirlockInputError} for missing fields, before any request.
   * @throws {AirlockConflictError} when the `requestId` is taken by a different artifact.
   */
  async submitArtifact(
    request: ArtifactSubmitRequest,
    options: CallOptions = {},
  ): Promise<SubmittedArtifact> {
    const enforcerId = required(request?.enforcerId, 'enforcerId');
    const artifactHash = required(request.artifactHash, 'artifactHash');
    const { ciphertext } = request;
    for (const part of ['alg', 'data', 'nonce', 'tag'] as const)
      required(ciphertext?.[part], `ciphertext.${part}`);
    const requestId =
      request.requestId === undefined ? `req-${randomId()}` : required(request.requestId, 'requestId');
    const now = this.#now();
    const expires = request.expiresAt === undefined ? new Date(now + 600_000) : new Date(request.expiresAt);
    if (Number.isNaN(expires.getTime()))
      throw new AirlockInputError('expiresAt is not a valid date.', { code: 'invalid_argument' });
    const expiresAt = expires.toISOString();
    const envelope = {
      msgId: `msg-${randomId()}`,
      msgType: 'artifact.submit',
      requestId,
      createdAt: this.#iso(now),
      sender: { enforcerId },
      body: {
        artifactType: request.artifactType ?? DEFAULT_ARTIFACT_TYPE,
        artifactHash,
        ciphertext: {
          alg: ciphertext.alg,
          data: ciphertext.data,
          nonce: ciphertext.nonce,
          tag: ciphertext.tag,
        },
        expiresAt,
        metadata: request.metadata,
      },
    };
    let duplicate = false;
    try {
      await this.#http.post('/v1/artifacts', {
        ...this.#call(options),
        json: envelope,
        // The body's requestId makes a repeat detectable (409), so a lost response may be retried.
        idempotencyKey: requestId,
        schema: Ignored,
      });
    } catch (error) {
      if (!AirlockConflictError.isInstance(error)) throw error;
      // Ours already (a retry whose first attempt arrived) or someone else's: the stored hash tells.
      const status = await this.getExchangeStatus(requestId, options).catch(() => undefined);
      if (status?.body?.artifactHash?.toLowerCase() !== artifactHash.toLowerCase()) throw error;
      duplicate = true;
    }
    this.#remember(requestId, artifactHash);
    return { requestId, artifactHash, expiresAt, duplicate };
  }

  #remember(requestId: string, hash: string): void {
    this.#submitted.delete(requestId);
    this.#submitted.set(requestId, { hash });
    // Bounded: a long-lived client forgets the oldest requests first.
    if (this.#submitted.size > 1000) this.#submitted.delete(this.#submitted.keys().next().value!);
  }

  /**
   * Canonicalizes, hashes and encrypts a JSON payload with the pairing key, then submits it.
   *
   * @example
   * ```ts
   * const { requestId, artifactHash } = await client.encryptAndSubmitArtifact({
   *   enforcerId: 'enf-1',
   *   plaintextPayload: JSON.stringify({ command: 'deploy', target: 'prod' }),
   *   encryptionKey,
   *   metadata: { routingToken, requestLabel: 'Deploy to prod' },
   * });
   * ```
   * @throws {AirlockInputError} for an empty or non-JSON payload or a bad key, before any request.
   */
  async encryptAndSubmitArtifact(
    request: EncryptAndSubmitRequest,
    options: CallOptions = {},
  ): Promise<SubmittedArtifact> {
    const { plaintextPayload, encryptionKey, ...rest } = request ?? ({} as EncryptAndSubmitRequest);
    if (typeof plaintextPayload !== 'string' || plaintextPayload.trim() === '')
      throw new AirlockInputError('plaintextPayload must be non-empty JSON text.', {
        code: 'invalid_payload',
      });
    if (typeof encryptionKey !== 'string' || encryptionKey === '')
      throw new AirlockInputError('encryptionKey is required.', { code: 'invalid_key' });
    required(rest.enforcerId, 'enforcerId');
    const canonical = await canonicalize(plaintextPayload);
    const artifactHash = await sha256Hex(canonical);
    const ciphertext = await aesGcmEncrypt(encryptionKey, canonical);
    return this.submitArtifact({ ...rest, artifactHash, ciphertext }, options);
  }

  /** `GET /v1/exchanges/{requestId}`: the exchange's state. */
  async getExchangeStatus(requestId: string, options: CallOptions = {}): Promise<ExchangeStatusResponse> {
    return this.#http.get(`/v1/exchanges/${path(requestId, 'requestId')}`, {
      ...this.#call(options),
      schema: ExchangeStatusResponse,
    });
  }

  /**
   * `GET /v1/exchanges/{requestId}/wait`: long-polls for the decision. Resolves `null` when the gateway had
   * none before `timeoutSeconds` (204). With a signer key (unless `verify: false`) the decision is verified
   * (hash, Ed25519 signature, nonce replay) before it is returned, or refused: the hash comes from
   * `artifactHash`, from this client's own submission, or else from the gateway's status answer.
   *
   * @throws {AirlockNotFoundError} when the exchange expired, was withdrawn or is unknown.
   * @throws {DecisionVerificationError} when a delivered decision fails verification, or (code
   * `artifact_hash_unknown`) when no artifact hash is known to check it against.
   */
  async waitForDecision(
    requestId: string,
    options: WaitOptions = {},
  ): Promise<DecisionDeliverEnvelope | null> {
    optionsBag(
      options,
      'waitForDecision(requestId, options)',
      `{ timeoutSeconds: ${JSON.stringify(options)} }`,
    );
    const asked = Math.floor(options.timeoutSeconds ?? 30);
    const seconds = Number.isNaN(asked) ? 30 : Math.min(60, Math.max(1, asked));
    const envelope = await this.#http.get(`/v1/exchanges/${path(requestId, 'requestId')}/wait`, {
      ...this.#call(options),
      query: { timeout: seconds },
      // The HTTP timeout must outlast the server's hold.
      timeout: Math.max(options.timeout ?? this.#timeout, seconds * 1000 + 15_000),
      schema: v.nullish(DecisionDeliverEnvelope),
    });
    if (!envelope) return null;
    const signer = options.signerPublicKey ?? this.#signer;
    if (options.verify === false || signer === undefined) return envelope;
    let known = this.#submitted.get(requestId);
    let hash = options.artifactHash ?? known?.hash;
    if (hash === undefined) {
      // Submitted by another process (or forgotten): the gateway's status answer names the hash, and the
      // signature check below then proves the approver signed that very hash. Without one, refuse.
      hash = (await this.getExchangeStatus(requestId, options)).body?.artifactHash;
      if (!hash)
        throw new DecisionVerificationError(
          `The decision on ${requestId} cannot be verified: the artifact hash is unknown (pass artifactHash).`,
          { reason: 'artifact_hash_unknown', code: 'artifact_hash_unknown' },
        );
      this.#remember(requestId, hash);
      known = this.#submitted.get(requestId);
    }
    // The same decision delivered again to the same caller is not a replay.
    const again = known?.nonce !== undefined && known.nonce === envelope.body?.nonce;
    const verified = await verifyDecision(envelope, hash, signer, {
      requestId,
      now: this.#now,
      ...(this.#journal && !again ? { nonceJournal: this.#journal } : {}),
    });
    if (known && verified.nonce) known.nonce = verified.nonce;
    return envelope;
  }

  /**
   * Long-polls until a decision arrives or `totalTimeout` passes (then `TimeoutError`, after withdrawing
   * when `withdrawOnTimeout`, which may add up to 5 s). The deadline aborts the poll in flight. Network failures reconnect with backoff; `signal` stops it.
   */
  async waitUntilDecided(
    requestId: string,
    options: WaitUntilDecidedOptions = {},
  ): Promise<DecisionDeliverEnvelope> {
    optionsBag(options, 'waitUntilDecided(requestId, options)', '{ totalTimeout: 120_000, signal }');
    const {
      totalTimeout = 120_000,
      withdrawOnTimeout = false,
      acknowledge = false,
      signal,
      ...wait
    } = options;
    let decision: DecisionDeliverEnvelope;
    try {
      decision = await longPoll(
        (poll) =>
          this.waitForDecision(requestId, {
            ...wait,
            timeoutSeconds: poll.waitSeconds,
            timeout: poll.timeout,
            signal: poll.signal,
          }),
        {
          waitSeconds: Math.min(60, Math.max(1, wait.timeoutSeconds ?? 25)),
          totalTimeout,
          now: this.#now,
          signal,
        },
      );
    } catch (error) {
      if (withdrawOnTimeout && (error as { code?: string })?.code === 'timeout')
        // Best effort and bounded: the deadline has passed already, a hung gateway must not stretch it far.
        await this.withdrawExchange(requestId, { timeout: 5000 }).catch(() => {});
      throw error;
    }
    if (acknowledge) await this.acknowledgeDecision(decision, signal ? { signal } : {}).catch(() => {});
    return decision;
  }

  /**
   * `POST /v1/exchanges/{requestId}/withdraw`: withdraws a pending request.
   *
   * @throws {AirlockConflictError} (`already_resolved`) when it was already decided.
   */
  async withdrawExchange(requestId: string, options: CallOptions = {}): Promise<void> {
    await this.#http.post(`/v1/exchanges/${path(requestId, 'requestId')}/withdraw`, {
      ...this.#call(options),
      schema: Ignored,
    });
  }

  /**
   * `POST /v1/acks`: acknowledges a delivered decision. Test enforcers treat a failure as
   * non-fatal.
   */
  async acknowledgeDecision(
    decision: Pick<DecisionDeliverEnvelope, 'requestId' | 'msgId'>,
    options: CallOptions = {},
  ): Promise<void> {
    const requestId = required(decision?.requestId, 'requestId');
    await this.#ack(decision.msgId ?? requestId, requestId, options);
  }

  /**
   * `POST /v1/acks` by message id, as the upstream SDKs' `submitAck(msgId, requestId?)`: acknowledges the
   * delivered message `msgId`; the envelope's `requestId` is `options.requestId`, or `msgId` when absent (as
   * upstream sends it). With a decision envelope at hand, {@link acknowledgeDecision} fills both.
   *
   * @example
   * ```ts
   * await client.submitAck(decision.msgId!, { requestId: decision.requestId });
   * ```
   * @throws {TypeError} for upstream's positional `submitAck(msgId, requestId)`: pass `{ requestId }`.
   */
  async submitAck(msgId: string, options: CallOptions & { requestId?: string } = {}): Promise<void> {
    if (typeof options !== 'object' || options === null)
      throw new TypeError(
        `submitAck(msgId, options): pass the request id as { requestId: ${JSON.stringify(options)} }, not as a second argument.`,
      );
    const id = required(msgId, 'msgId');
    const requestId = options.requestId === undefined ? id : required(options.requestId, 'requestId');
    await this.#ack(id, requestId, options);
  }

  async #ack(msgId: string, requestId: string, options: CallOptions): Promise<void> {
    const now = this.#now();
    await this.#http.post('/v1/acks', {
      ...this.#call(options),
      json: {
        // `ack-` + 32 hex, as the Python and .NET SDKs send it: random, unlike the TS SDK's Math.random.
        msgId: `ack-${randomId().replaceAll('-', '')}`,
        msgType: 'ack.submit',
        requestId,
        createdAt: this.#iso(now),
        sender: {},
        body: { msgId, status: 'delivered', ackAt: this.#iso(now) },
      },
      schema: Ignored,
    });
  }

  /** `POST /v1/pairing/initiate`: starts a pairing; show `pairingCode` to the user. See also `startPairing`. */
  async initiatePairing(
    request: PairingInitiateRequest,
    options: CallOptions = {},
  ): Promise<PairingInitiateResponse> {
    required(request?.deviceId, 'deviceId');
    required(request.enforcerId, 'enforcerId');
    return this.#http.post('/v1/pairing/initiate', {
      ...this.#call(options),
      json: defined(request),
      schema: PairingInitiateResponse,
    });
  }

  /** `POST /v1/pairing/claim`: claims a code pre-generated in the mobile app; then poll the status. */
  async claimPairing(request: PairingClaimRequest, options: CallOptions = {}): Promise<PairingClaimResponse> {
    for (const k of ['pairingCode', 'deviceId', 'enforcerId', 'enforcerLabel', 'workspaceName'] as const)
      required(request?.[k], k);
    return this.#http.post('/v1/pairing/claim', {
      ...this.#call(options),
      json: defined(request),
      schema: PairingClaimResponse,
    });
  }

  /** `GET /v1/pairing/{pairingNonce}/status`. */
  async getPairingStatus(pairingNonce: string, options: CallOptions = {}): Promise<PairingStatusResponse> {
    return this.#http.get(`/v1/pairing/${path(pairingNonce, 'pairingNonce')}/status`, {
      ...this.#call(options),
      schema: PairingStatusResponse,
    });
  }

  /** `POST /v1/pairing/revoke`: unpairs. Clear the routing token locally even if this fails. */
  async revokePairing(routingToken: string, options: CallOptions = {}): Promise<PairingRevokeResponse> {
    return this.#http.post('/v1/pairing/revoke', {
      ...this.#call(options),
      json: { routingToken: required(routingToken, 'routingToken') },
      schema: PairingRevokeResponse,
    });
  }

  /** `POST /v1/presence/heartbeat`: tells approvers the enforcer is online (send every 10–30 s while paired). */
  async sendHeartbeat(request: PresenceHeartbeatRequest, options: CallOptions = {}): Promise<void> {
    required(request?.enforcerId, 'enforcerId');
    await this.#http.post('/v1/presence/heartbeat', {
      ...this.#call(options),
      json: defined(request),
      schema: Ignored,
    });
  }

  /**
   * Sends a heartbeat now and then every `intervalMs` (default 10 000, as the test enforcers) until the
   * returned `stop()` is called or `signal` aborts. Failures go to `onError` and never stop the loop.
   *
   * @example
   * ```ts
   * const heartbeat = client.startHeartbeat({ enforcerId: 'enf-1', workspaceName: 'app' });
   * // ... on unpair or sign-out:
   * heartbeat.stop();
   * ```
   */
  startHeartbeat(request: PresenceHeartbeatRequest, options: HeartbeatOptions = {}): HeartbeatHandle {
    const ctl = new AbortController();
    const stop = () => ctl.abort();
    if (options.signal?.aborted) stop();
    options.signal?.addEventListener('abort', stop, { once: true });
    const beat = () => {
      if (ctl.signal.aborted) return;
      this.sendHeartbeat(request, { signal: ctl.signal }).catch((error) => {
        if (!ctl.signal.aborted) options.onError?.(error);
      });
    };
    beat();
    const timer = setInterval(beat, options.intervalMs ?? 10_000);
    ctl.signal.addEventListener('abort', () => {
      clearInterval(timer);
      options.signal?.removeEventListener('abort', stop);
    });
    return { stop };
  }

  /** `GET /v1/policy/dnd/effective`: the do-not-disturb policies in force. */
  async getEffectiveDndPolicies(query: DndQuery, options: CallOptions = {}): Promise<DndEffectiveResponse> {
    if (typeof query === 'string')
      throw new TypeError(
        `getEffectiveDndPolicies(query, options): pass { enforcerId: ${JSON.stringify(query)}, workspaceId, sessionId? } as one object, not positional strings.`,
      );
    const response = await this.#http.get('/v1/policy/dnd/effective', {
      ...this.#call(options),
      query: {
        enforcerId: required(query?.enforcerId, 'enforcerId'),
        workspaceId: required(query.workspaceId, 'workspaceId'),
        sessionId: query.sessionId || undefined,
      },
      schema: DndEffectiveResponse,
    });
    return { ...response, body: response.body ?? [] };
  }

  /**
   * `GET /v1/consent/status`: the user's consent to this enforcer app (`approved`, … or `unknown`).
   *
   * @throws {AirlockConsentError} (403) with the consent URL when consent is required, pending or denied.
   */
  async checkConsent(options: CallOptions = {}): Promise<string> {
    const consent = await this.#http.get('/v1/consent/status', {
      ...this.#call(options),
      schema: ConsentStatusResponse,
    });
    return consent?.status ?? 'unknown';
  }
}

// Absent optionals are omitted from request bodies (as the TypeScript, Go and .NET SDKs do).
function defined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, x]) => x !== undefined && x !== null)) as T;
}
