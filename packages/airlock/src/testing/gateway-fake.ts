/**
 * A faithful fake Airlock gateway for tests: every endpoint with the spec's statuses and
 * error bodies, a pairing state machine with a fake approver holding its own keys, artifacts decrypted and
 * hash-checked by that approver, signed decisions a test sets, long-polls that really hold the connection,
 * quota, consent, DND policies and 401s. Runs on a loopback port over real sockets. Node only.
 *
 * @module
 */

import { closeable } from '@x/http-core';
import {
  createFaultInjector,
  createRequestRecorder,
  type FakeCors,
  type FaultInjector,
  fakeCors,
  type RequestRecorder,
  startTestServer,
} from '@x/http-core/testing';
import { type Context, Hono } from 'hono';
import {
  type AirlockKeyPair,
  aesGcmDecrypt,
  deriveSharedKey,
  type EncryptedPayload,
  generateEd25519KeyPair,
  generateX25519KeyPair,
  getEd25519PublicKey,
  randomHex,
  sha256Hex,
} from '../crypto.ts';
import { signDecision } from '../decisions.ts';
import type { DecisionDeliverEnvelope, DndPolicy } from '../models.ts';

/** The consent state the fake reports (`GET /v1/consent/status` and the artifact gate). */
export type FakeConsentState = 'approved' | 'required' | 'pending' | 'denied';

/** An enforcer app the fake knows. Without `clientSecret` it is a public kind (Web, Mobile). */
export interface FakeApp {
  /** `X-Client-Id`. */
  clientId: string;
  /** `X-Client-Secret`, for confidential kinds. */
  clientSecret?: string;
  /** Shown in consent errors. */
  appName?: string;
  /**
   * For public kinds: the browser origins allowed. When set, a request without a secret must carry
   * one of them in `Origin`; the fake answers others with a 401, as for any credential it refuses.
   */
  allowedOrigins?: string[];
}

/** What a test wants the fake approver to decide (defaults: approve, signed, a fresh nonce). */
export interface FakeDecision {
  /** `approve` (default) or `reject`, or any string to test odd inputs. */
  decision?: string;
  /** The approver's reason. */
  reason?: string;
  /** Sign the decision (default `true`). */
  sign?: boolean;
  /** A fixed nonce (e.g. one used before, to try a replay). */
  nonce?: string;
  /** Override the artifact hash (to try a mismatch). */
  artifactHash?: string;
  /** Override the signature (to try a forgery). */
  signature?: string;
  /** Sign with another Ed25519 seed (base64url) than the gateway's signer. */
  signerPrivateKey?: string;
  /** An envelope-level `expiresAt` (to try an expired decision). */
  expiresAt?: string;
}

/** The fake's rate limit: requests per identity (app and user) per window on `/v1/*`. */
export interface FakeRateLimit {
  /** Requests allowed per window. */
  limit: number;
  /** The window, in ms of the fake's clock. */
  windowMs: number;
}

/** What `autoDecide` returns: a decision, and how long the approver takes to make it. */
export interface FakeAutoDecision extends FakeDecision {
  /** Delay before deciding, in ms (default 0). */
  delayMs?: number;
}

/** A heartbeat the fake received. */
export interface FakeHeartbeat {
  /** From the request. */
  enforcerId: string;
  /** From the request. */
  workspaceName?: string;
  /** From the request. */
  enforcerLabel?: string;
  /** When it arrived (the fake's clock, Unix ms). */
  at: number;
}

/** Options of {@link startFakeGateway}. */
export interface FakeGatewayOptions {
  /** Accepted PATs (default `['airpat_test']`). */
  pats?: string[];
  /** Accepted static bearer tokens. */
  bearerTokens?: string[];
  /** Checks other bearer tokens (e.g. JWTs of the fake identity provider). */
  verifyBearer?: (token: string) => boolean | Promise<boolean>;
  /** Known enforcer apps; when given, `X-Client-Id` (and the secret of confidential apps) is required. */
  apps?: FakeApp[];
  /** Serve `/v1/*` without a user identity (PAT or bearer); default `false`. */
  allowAnonymous?: boolean;
  /** The approvers' Ed25519 signing seed (base64url; default: generated). */
  signerPrivateKey?: string;
  /** The signer key id put in decisions (default `fake-signer-1`). */
  signerKeyId?: string;
  /** Requests per identity per window on `/v1/*`; beyond it 429 `quota_exceeded` with `Retry-After`. */
  rateLimit?: FakeRateLimit;
  /** Initial consent state (default `approved`). */
  consent?: FakeConsentState;
  /** Complete an initiated pairing on its first status poll, as if the user entered the code at once. */
  autoCompletePairing?: boolean;
  /** Decide every artifact on arrival (after `delayMs`) with what this returns; `undefined` leaves it pending. */
  autoDecide?: (artifact: FakeExchange) => FakeAutoDecision | undefined;
  /** The clock for expiries (default `Date.now`); a test moves it to expire pairings and exchanges. */
  now?: () => number;
  /** How long an initiated pairing waits for the user (default 10 minutes). */
  pairingTtlMs?: number;
  /** The identity provider announced by `GET /v1/integrations/discovery`. */
  idpBaseUrl?: string;
  /**
   * CORS for browser code under test (default: any loopback `http` origin; `false` for none): preflights are
   * answered before the recorder and faults, responses carry `Access-Control-Allow-Origin`. See {@link FakeCors}.
   */
  cors?: FakeCors;
  /** The loopback port to listen on (default 0: one the OS picks). A fixed port suits a long-running sandbox. */
  port?: number;
}

/** A pairing as the fake holds it. */
export interface FakePairing {
  /** Poll handle. */
  pairingNonce: string;
  /** The code (initiated or pre-generated). */
  pairingCode: string;
  /** `Pending`, `Completed`, `Revoked` or `Expired`. */
  state: 'Pending' | 'Completed' | 'Revoked' | 'Expired';
  /** From the request. */
  deviceId: string;
  /** From the request. */
  enforcerId: string;
  /** From the request. */
  enforcerLabel?: string;
  /** From the request. */
  workspaceName?: string;
  /** The enforcer's X25519 public key. */
  enforcerPublicKey?: string;
  /** The approver's X25519 key pair, made at completion. */
  approverKeyPair?: AirlockKeyPair;
  /** The approver's copy of the E2E key (when the enforcer sent a public key). */
  encryptionKey?: string;
  /** Set at completion. */
  routingToken?: string;
  /** Unix ms. */
  expiresAt: number;
}

/** An exchange (submitted artifact) as the fake holds it. */
export interface FakeExchange {
  /** The exchange id. */
  requestId: string;
  /** `sender.enforcerId`. */
  enforcerId: string;
  /** `body.artifactType`. */
  artifactType: string;
  /** `body.artifactHash` as submitted. */
  artifactHash: string;
  /** `body.ciphertext`. */
  ciphertext: EncryptedPayload;
  /** `body.metadata`. */
  metadata: Record<string, string>;
  /** `body.expiresAt`. */
  expiresAt: string;
  /** Unix ms of arrival. */
  createdAt: number;
  /**
   * `PendingApproval`, `Approved`, `Rejected`, `Withdrawn`, or `Expired` once its `expiresAt` passed without a
   * decision (the gateway then refuses decisions on it).
   */
  state: string;
  /** What the approver decrypted, when it could. */
  plaintext?: string;
  /** Why the approver could not decrypt. */
  decryptionError?: string;
  /** `SHA-256(plaintext) == artifactHash`. */
  hashMatches: boolean;
  /** The decision envelope, once decided. */
  decision?: DecisionDeliverEnvelope;
  /** The acks received for it. */
  acks: unknown[];
  /** The raw submitted envelope. */
  envelope: Record<string, unknown>;
}

/** A running fake gateway. */
export interface FakeGateway {
  /** Base URL (no trailing slash). */
  url: string;
  /** Every request received. */
  recorder: RequestRecorder;
  /** Scripted faults (503s, resets, delays, …) applied before the routes. */
  faults: FaultInjector;
  /** The approvers' Ed25519 public key (base64url): give it to the client as `signerPublicKey`. */
  signerPublicKey: string;
  /** The signer key id in decisions. */
  signerKeyId: string;
  /** Pairings by nonce. */
  pairings: Map<string, FakePairing>;
  /** Exchanges by request id, each with its current state. */
  readonly exchanges: Map<string, FakeExchange>;
  /** Heartbeats received, oldest first. */
  heartbeats: FakeHeartbeat[];
  /** Ack envelopes received, oldest first. */
  acks: unknown[];
  /** The DND policies the fake serves (filtered per query). */
  dndPolicies: DndPolicy[];
  /** Sets the consent state. */
  setConsent(state: FakeConsentState): void;
  /** The approver completes a pending pairing (by nonce or code), making its key pair and routing token. */
  completePairing(nonceOrCode: string): Promise<FakePairing>;
  /** The approver revokes a pairing (by nonce, code or routing token). */
  revokePairing(id: string): FakePairing;
  /** The approver pre-generates a code in the mobile app (valid 30 minutes) for `claimPairing`. */
  preGeneratePairingCode(): string;
  /** Resolves with the exchange once an artifact with this id (or any, when omitted) has arrived. */
  waitForArtifact(requestId?: string): Promise<FakeExchange>;
  /**
   * The approver decides; waiting long-polls are answered at once. Throws, as the gateway refuses it, when the
   * exchange is unknown, already decided, withdrawn or expired.
   */
  decide(requestId: string, decision?: FakeDecision | 'approve' | 'reject'): Promise<DecisionDeliverEnvelope>;
  /** How many long-polls are being held right now. */
  pendingWaits(): number;
  /** Stops the server and answers every held poll (again: the first call's outcome); also `await using`. */
  close(): Promise<void>;
  /** {@link FakeGateway.close}, for `await using gateway = await startFakeGateway()`. */
  [Symbol.asyncDispose](): Promise<void>;
}

type Waiter = (result: DecisionDeliverEnvelope | 'gone' | null) => void;

const CODE_CHARS = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
const toSeconds = (iso: string) => iso.replace(/\.\d{3}Z$/, 'Z');

/**
 * Starts a fake gateway on a loopback port.
 *
 * @example
 * ```ts
 * const gateway = await startFakeGateway({ pats: ['airpat_test'] });
 * const client = new AirlockGatewayClient({ baseUrl: gateway.url, pat: 'airpat_test', signerPublicKey: gateway.signerPublicKey });
 * // ... pair, submit, then: await gateway.decide(requestId, { decision: 'approve', reason: 'ok' });
 * await gateway.close();
 * ```
 */
export async function startFakeGateway(options: FakeGatewayOptions = {}): Promise<FakeGateway> {
  const now = options.now ?? Date.now;
  const pats = new Set(options.pats ?? ['airpat_test']);
  const tokens = new Set(options.bearerTokens ?? []);
  const apps = options.apps ? new Map(options.apps.map((a) => [a.clientId, a])) : undefined;
  const signerPrivateKey = options.signerPrivateKey ?? (await generateEd25519KeyPair()).privateKey;
  const signerPublicKey = await getEd25519PublicKey(signerPrivateKey);
  const signerKeyId = options.signerKeyId ?? 'fake-signer-1';
  const pairings = new Map<string, FakePairing>();
  const preGenerated = new Map<string, number>();
  const exchanges = new Map<string, FakeExchange>();
  const waiters = new Map<string, Set<Waiter>>();
  const artifactWaiters = new Set<(e: FakeExchange) => void>();
  const windows = new Map<string, { start: number; count: number }>();
  const heartbeats: FakeGateway['heartbeats'] = [];
  const acks: unknown[] = [];
  const dndPolicies: DndPolicy[] = [];
  let consent: FakeConsentState = options.consent ?? 'approved';
  let held = 0;

  const recorder = createRequestRecorder();
  const faults = createFaultInjector();
  const app = new Hono();
  app.use(fakeCors(options.cors));
  app.use(recorder.middleware);
  app.use(faults.middleware);

  // A HARP error about an exchange names it twice, as the gateway does: on the envelope and in its body.
  const harpError = (c: Context, status: number, code: string, message: string, requestId?: string) =>
    c.json(
      requestId === undefined
        ? { msgType: 'error', body: { code, message } }
        : { msgType: 'error', requestId, body: { code, message, requestId } },
      status as 400,
    );
  const flatError = (c: Context, status: number, error: string, message: string, extra: object = {}) =>
    c.json({ error, message, ...extra }, status as 400);
  const notFound = (c: Context, what: string) => flatError(c, 404, 'NotFound', `${what} not found`);
  const code = () =>
    Array.from({ length: 6 }, () => CODE_CHARS[Math.floor(Math.random() * CODE_CHARS.length)]).join('');

  async function readJson(c: Context): Promise<Record<string, unknown> | undefined> {
    try {
      const body = await c.req.json();
      return typeof body === 'object' && body !== null && !Array.isArray(body) ? body : undefined;
    } catch {
      return undefined;
    }
  }

  // Identity and quota on every /v1 route: 401 with an empty body, 429 with Retry-After.
  app.use('/v1/*', async (c, next) => {
    let appId = 'anonymous';
    if (apps) {
      const id = c.req.header('x-client-id');
      const known = id ? apps.get(id) : undefined;
      if (
        !known ||
        (known.clientSecret !== undefined && c.req.header('x-client-secret') !== known.clientSecret)
      )
        return c.body(null, 401);
      const origin = c.req.header('origin') ?? '';
      if (known.clientSecret === undefined && known.allowedOrigins && !known.allowedOrigins.includes(origin))
        return c.body(null, 401);
      appId = known.clientId;
    }
    let user: string | undefined;
    const pat = c.req.header('x-pat');
    const auth = c.req.header('authorization');
    if (pat !== undefined) {
      if (!pats.has(pat)) return c.body(null, 401);
      user = `pat:${pat}`;
    } else if (auth?.startsWith('Bearer ')) {
      const token = auth.slice(7);
      if (!tokens.has(token) && !(await options.verifyBearer?.(token))) return c.body(null, 401);
      user = `bearer:${token}`;
    } else if (auth !== undefined) return c.body(null, 401);
    if (!user && !options.allowAnonymous && c.req.path !== '/v1/integrations/discovery')
      return c.body(null, 401);
    if (options.rateLimit) {
      const key = `${appId}|${user ?? ''}`;
      const t = now();
      let w = windows.get(key);
      if (!w || t - w.start >= options.rateLimit.windowMs) {
        w = { start: t, count: 0 };
        windows.set(key, w);
      }
      if (++w.count > options.rateLimit.limit) {
        c.header(
          'Retry-After',
          String(Math.max(1, Math.ceil((w.start + options.rateLimit.windowMs - t) / 1000))),
        );
        return harpError(c, 429, 'quota_exceeded', 'Rate limit exceeded for this app.');
      }
    }
    await next();
  });

  const consentError = (c: Context) =>
    flatError(c, 403, `app_consent_${consent}`, `Consent is ${consent} for this app.`, {
      consentUrl: 'https://airlocks.io/consent/fake-app',
      appName: options.apps?.[0]?.appName ?? 'Fake Enforcer',
      appId: options.apps?.[0]?.clientId ?? 'fake-app',
    });

  app.get('/echo', (c) => {
    const utc = toSeconds(new Date(now()).toISOString());
    return c.json({ utc, local: utc.replace('Z', '+00:00'), timezone: 'UTC', offsetMinutes: 0 });
  });

  app.get('/v1/integrations/discovery', (c) =>
    c.json({
      idp: {
        baseUrl: options.idpBaseUrl ?? 'https://auth.airlocks.io/realms/airlock',
        clientId: 'airlock-integrations',
      },
      auth: { patSupported: true },
    }),
  );

  app.get('/v1/consent/status', (c) =>
    consent === 'approved' ? c.json({ status: 'approved' }) : consentError(c),
  );

  // ---- pairing ----
  const currentState = (p: FakePairing) => {
    if (p.state === 'Pending' && now() >= p.expiresAt) p.state = 'Expired';
    return p.state;
  };

  function preGenerate(): string {
    const c = `${code().slice(0, 4)}-${Math.floor(1000 + Math.random() * 9000)}`;
    preGenerated.set(c, now() + 30 * 60_000);
    return c;
  }

  async function complete(p: FakePairing): Promise<FakePairing> {
    const keys = await generateX25519KeyPair();
    p.approverKeyPair = keys;
    p.routingToken = `rt-${await randomHex(16)}`;
    if (p.enforcerPublicKey) p.encryptionKey = await deriveSharedKey(keys.privateKey, p.enforcerPublicKey);
    p.state = 'Completed';
    return p;
  }

  app.post('/v1/pairing/initiate', async (c) => {
    const body = await readJson(c);
    if (typeof body?.['deviceId'] !== 'string' || typeof body['enforcerId'] !== 'string')
      return harpError(c, 400, 'bad_request', 'deviceId and enforcerId are required.');
    const pairing: FakePairing = {
      pairingNonce: await randomHex(16),
      pairingCode: code(),
      state: 'Pending',
      deviceId: body['deviceId'],
      enforcerId: body['enforcerId'],
      expiresAt: now() + (options.pairingTtlMs ?? 600_000),
      ...strings(body, ['enforcerLabel', 'workspaceName']),
      ...(typeof body['x25519PublicKey'] === 'string' ? { enforcerPublicKey: body['x25519PublicKey'] } : {}),
    };
    pairings.set(pairing.pairingNonce, pairing);
    return c.json(
      {
        pairingNonce: pairing.pairingNonce,
        pairingCode: pairing.pairingCode,
        deviceId: pairing.deviceId,
        ...(typeof body['gatewayUrl'] === 'string' ? { gatewayUrl: body['gatewayUrl'] } : {}),
        expiresAt: new Date(pairing.expiresAt).toISOString(),
      },
      201,
    );
  });

  // The approver side (the mobile app), not called by SDKs: a code valid for 30 minutes.
  app.post('/v1/pairing/pre-generate', (c) => {
    const pairingCode = preGenerate();
    return c.json({ pairingCode, expiresAt: new Date(preGenerated.get(pairingCode)!).toISOString() }, 201);
  });

  app.post('/v1/pairing/claim', async (c) => {
    const body = await readJson(c);
    const missing = ['pairingCode', 'deviceId', 'enforcerId', 'enforcerLabel', 'workspaceName'].filter(
      (k) => typeof body?.[k] !== 'string',
    );
    if (!body || missing.length) return harpError(c, 400, 'bad_request', `Missing: ${missing.join(', ')}.`);
    const pairingCode = String(body['pairingCode']);
    const until = preGenerated.get(pairingCode);
    if (until === undefined) return notFound(c, 'Pairing code');
    preGenerated.delete(pairingCode);
    if (now() >= until) return harpError(c, 422, 'expired', 'The pairing code has expired.');
    const pairing: FakePairing = {
      pairingNonce: await randomHex(16),
      pairingCode,
      state: 'Pending',
      deviceId: String(body['deviceId']),
      enforcerId: String(body['enforcerId']),
      enforcerLabel: String(body['enforcerLabel']),
      workspaceName: String(body['workspaceName']),
      expiresAt: until,
      ...(typeof body['x25519PublicKey'] === 'string' ? { enforcerPublicKey: body['x25519PublicKey'] } : {}),
    };
    pairings.set(pairing.pairingNonce, pairing);
    // The approver made the code, so the claim completes the pairing; the enforcer learns it by polling.
    try {
      await complete(pairing);
    } catch {
      pairings.delete(pairing.pairingNonce);
      return harpError(c, 400, 'bad_request', 'x25519PublicKey is not a valid X25519 public key.');
    }
    return c.json({
      pairingNonce: pairing.pairingNonce,
      expiresAt: new Date(pairing.expiresAt).toISOString(),
    });
  });

  app.get('/v1/pairing/:nonce/status', async (c) => {
    const p = pairings.get(c.req.param('nonce'));
    if (!p) return notFound(c, 'Pairing');
    if (options.autoCompletePairing && currentState(p) === 'Pending') {
      try {
        await complete(p);
      } catch {
        return harpError(c, 400, 'bad_request', 'x25519PublicKey is not a valid X25519 public key.');
      }
    }
    const state = currentState(p);
    return c.json({
      pairingNonce: p.pairingNonce,
      state,
      ...(state === 'Completed'
        ? {
            routingToken: p.routingToken,
            responseJson: JSON.stringify({ x25519PublicKey: p.approverKeyPair?.publicKey }),
          }
        : {}),
      expiresAt: new Date(p.expiresAt).toISOString(),
    });
  });

  app.post('/v1/pairing/revoke', async (c) => {
    const body = await readJson(c);
    const token = body?.['routingToken'];
    if (typeof token !== 'string') return harpError(c, 400, 'bad_request', 'routingToken is required.');
    const p = [...pairings.values()].find((x) => x.routingToken === token);
    if (!p) return notFound(c, 'Pairing');
    p.state = 'Revoked';
    return c.json({ status: 'revoked', enforcerId: p.enforcerId });
  });

  // ---- artifacts and exchanges ----
  app.post('/v1/artifacts', async (c) => {
    const env = await readJson(c);
    const body = env?.['body'] as Record<string, unknown> | undefined;
    const ct = body?.['ciphertext'] as Record<string, unknown> | undefined;
    const requestId = env?.['requestId'];
    if (
      env?.['msgType'] !== 'artifact.submit' ||
      typeof requestId !== 'string' ||
      typeof body?.['artifactHash'] !== 'string' ||
      !ct ||
      !['alg', 'data', 'nonce', 'tag'].every((k) => typeof ct[k] === 'string')
    )
      return harpError(
        c,
        400,
        'bad_request',
        'Not a valid artifact.submit envelope.',
        typeof requestId === 'string' ? requestId : undefined,
      );
    if (consent !== 'approved') return consentError(c);
    if (exchanges.has(requestId))
      return harpError(c, 409, 'AlreadyExistsConflict', `Request ${requestId} already exists.`, requestId);
    const metadata = (body['metadata'] ?? {}) as Record<string, string>;
    const pairing = [...pairings.values()].find(
      (p) => p.routingToken && p.routingToken === metadata['routingToken'],
    );
    if (!pairing)
      return harpError(c, 422, 'no_approver', 'No approver is paired for this routing token.', requestId);
    if (pairing.state === 'Revoked')
      return harpError(c, 403, 'pairing_revoked', 'The pairing was revoked.', requestId);
    const exchange: FakeExchange = {
      requestId,
      enforcerId: String((env['sender'] as { enforcerId?: string } | undefined)?.enforcerId ?? ''),
      artifactType: String(body['artifactType'] ?? ''),
      artifactHash: body['artifactHash'],
      ciphertext: ct as unknown as EncryptedPayload,
      metadata,
      expiresAt: String(body['expiresAt'] ?? ''),
      createdAt: now(),
      state: 'PendingApproval',
      hashMatches: false,
      acks: [],
      envelope: env,
    };
    // The approver opens the artifact with its copy of the key and checks the hash.
    if (pairing.encryptionKey) {
      try {
        exchange.plaintext = await aesGcmDecrypt(pairing.encryptionKey, exchange.ciphertext);
        exchange.hashMatches = (await sha256Hex(exchange.plaintext)) === exchange.artifactHash.toLowerCase();
      } catch (error) {
        exchange.decryptionError = (error as Error).message;
      }
    }
    exchanges.set(requestId, exchange);
    for (const notify of artifactWaiters) notify(exchange);
    const auto = options.autoDecide?.(exchange);
    if (auto) setTimeout(() => void decide(requestId, auto).catch(() => {}), auto.delayMs ?? 0);
    return c.json({ msgType: 'artifact.accepted', requestId }, 202);
  });

  /** Marks an undecided exchange whose `expiresAt` has passed as `Expired`; true when it is withdrawn or expired. */
  const exchangeGone = (e: FakeExchange) => {
    if (
      e.state === 'PendingApproval' &&
      !e.decision &&
      e.expiresAt !== '' &&
      Date.parse(e.expiresAt) <= now()
    )
      e.state = 'Expired';
    return e.state === 'Withdrawn' || e.state === 'Expired';
  };

  app.get('/v1/exchanges/:id', (c) => {
    const e = exchanges.get(c.req.param('id'));
    if (!e) return notFound(c, 'Exchange');
    exchangeGone(e);
    return c.json({
      msgType: 'exchange.status',
      requestId: e.requestId,
      body: {
        requestId: e.requestId,
        state: e.state,
        createdAt: new Date(e.createdAt).toISOString(),
        expiresAt: e.expiresAt,
        artifactHash: e.artifactHash,
        ...(e.decision ? { decision: e.decision.body } : {}),
      },
    });
  });

  app.get('/v1/exchanges/:id/wait', async (c) => {
    const id = c.req.param('id');
    const e = exchanges.get(id);
    if (!e || exchangeGone(e)) return notFound(c, 'Exchange');
    if (e.decision) return c.json(e.decision);
    const seconds = Math.min(60, Math.max(1, Number.parseInt(c.req.query('timeout') ?? '30', 10) || 30));
    // Hold the connection until a decision, a withdraw, the timeout, or the client going away.
    const result = await new Promise<DecisionDeliverEnvelope | 'gone' | null>((resolve) => {
      const set = waiters.get(id) ?? new Set<Waiter>();
      waiters.set(id, set);
      const signal = c.req.raw.signal;
      const finish: Waiter = (r) => {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        set.delete(finish);
        if (set.size === 0) waiters.delete(id);
        held--;
        resolve(r);
      };
      const onAbort = () => finish(null);
      const timer = setTimeout(() => finish(null), seconds * 1000);
      held++;
      set.add(finish);
      signal.addEventListener('abort', onAbort, { once: true });
    });
    if (result === 'gone') return notFound(c, 'Exchange');
    if (result === null) return c.body(null, 204);
    return c.json(result);
  });

  app.post('/v1/exchanges/:id/withdraw', (c) => {
    const e = exchanges.get(c.req.param('id'));
    if (!e) return notFound(c, 'Exchange');
    if (e.decision)
      return harpError(c, 409, 'already_resolved', 'The exchange was already decided.', e.requestId);
    e.state = 'Withdrawn';
    for (const w of [...(waiters.get(e.requestId) ?? [])]) w('gone');
    return c.json({});
  });

  app.post('/v1/acks', async (c) => {
    const env = await readJson(c);
    if (env?.['msgType'] !== 'ack.submit' || typeof env['requestId'] !== 'string')
      return harpError(
        c,
        400,
        'bad_request',
        'Not a valid ack.submit envelope.',
        typeof env?.['requestId'] === 'string' ? env['requestId'] : undefined,
      );
    acks.push(env);
    exchanges.get(env['requestId'])?.acks.push(env);
    return c.json({});
  });

  app.post('/v1/presence/heartbeat', async (c) => {
    const body = await readJson(c);
    if (typeof body?.['enforcerId'] !== 'string')
      return harpError(c, 400, 'bad_request', 'enforcerId is required.');
    heartbeats.push({
      enforcerId: body['enforcerId'],
      ...strings(body, ['workspaceName', 'enforcerLabel']),
      at: now(),
    });
    return c.json({});
  });

  app.get('/v1/policy/dnd/effective', async (c) => {
    const enforcerId = c.req.query('enforcerId');
    const workspaceId = c.req.query('workspaceId');
    const sessionId = c.req.query('sessionId');
    if (!enforcerId || !workspaceId)
      return harpError(c, 400, 'bad_request', 'enforcerId and workspaceId are required.');
    const t = now();
    return c.json({
      msgType: 'dnd.policy.effective',
      requestId: `req-${await randomHex(8)}`,
      body: dndPolicies.filter(
        (p) =>
          p.enforcerId === enforcerId &&
          p.workspaceId === workspaceId &&
          (p.sessionId === undefined || p.sessionId === sessionId) &&
          Date.parse(p.expiresAt) > t,
      ),
    });
  });

  app.notFound((c) => notFound(c, 'Route'));
  app.onError((error, c) => c.text(`Internal Server Error: ${error.message}`, 500));

  async function decide(
    requestId: string,
    input: FakeDecision | 'approve' | 'reject' = {},
  ): Promise<DecisionDeliverEnvelope> {
    const d: FakeDecision = typeof input === 'string' ? { decision: input } : input;
    const e = exchanges.get(requestId);
    if (!e) throw new Error(`fake gateway: no exchange ${requestId}`);
    // The gateway refuses a decision once the exchange has expired: the enforcer has stopped waiting for it.
    if (!e.decision && exchangeGone(e) && e.state === 'Expired')
      throw new Error(`fake gateway: ${requestId} expired at ${e.expiresAt}; a decision on it is refused`);
    if (e.decision || e.state !== 'PendingApproval')
      throw new Error(`fake gateway: ${requestId} is ${e.state}`);
    const fields = {
      requestId,
      artifactHash: d.artifactHash ?? e.artifactHash,
      decision: d.decision ?? 'approve',
      reason: d.reason,
      nonce: d.nonce ?? (await randomHex(16)),
      signerKeyId,
    };
    let body =
      d.sign === false
        ? { ...fields, requestId: undefined }
        : await signDecision(fields, d.signerPrivateKey ?? signerPrivateKey);
    if (d.signature !== undefined) body = { ...body, signature: d.signature };
    const { requestId: _omit, ...rest } = body as typeof body & { requestId?: string };
    const envelope = JSON.parse(
      JSON.stringify({
        msgId: `msg-${await randomHex(16)}`,
        msgType: 'decision.deliver',
        requestId,
        createdAt: new Date(now()).toISOString(),
        ...(d.expiresAt ? { expiresAt: d.expiresAt } : {}),
        body: rest,
      }),
    ) as DecisionDeliverEnvelope;
    e.decision = envelope;
    e.state = fields.decision.toLowerCase() === 'approve' ? 'Approved' : 'Rejected';
    for (const w of [...(waiters.get(requestId) ?? [])]) w(envelope);
    return envelope;
  }

  const server = await startTestServer(app, { port: options.port ?? 0 });
  const find = (id: string) =>
    pairings.get(id) ?? [...pairings.values()].find((p) => p.pairingCode === id || p.routingToken === id);

  return closeable<FakeGateway>({
    url: server.url,
    recorder,
    faults,
    signerPublicKey,
    signerKeyId,
    pairings,
    // Read through a getter so each exchange's state is current (an expired one shows as `Expired`).
    get exchanges() {
      for (const e of exchanges.values()) exchangeGone(e);
      return exchanges;
    },
    heartbeats,
    acks,
    dndPolicies,
    setConsent(state) {
      consent = state;
    },
    async completePairing(nonceOrCode) {
      const p = find(nonceOrCode);
      if (!p) throw new Error(`fake gateway: no pairing ${nonceOrCode}`);
      if (currentState(p) !== 'Pending') throw new Error(`fake gateway: pairing is ${p.state}`);
      return complete(p);
    },
    revokePairing(id) {
      const p = find(id);
      if (!p) throw new Error(`fake gateway: no pairing ${id}`);
      p.state = 'Revoked';
      return p;
    },
    preGeneratePairingCode: preGenerate,
    waitForArtifact(requestId) {
      const match = (e: FakeExchange) => requestId === undefined || e.requestId === requestId;
      const existing = [...exchanges.values()].find(match);
      if (existing) return Promise.resolve(existing);
      return new Promise((resolve) => {
        const notify = (e: FakeExchange) => {
          if (!match(e)) return;
          artifactWaiters.delete(notify);
          resolve(e);
        };
        artifactWaiters.add(notify);
      });
    },
    decide,
    pendingWaits: () => held,
    async close() {
      const answering = held > 0;
      for (const set of [...waiters.values()]) for (const w of [...set]) w(null);
      // Let the 204s reach their clients before the sockets are destroyed.
      if (answering) await new Promise((resolve) => setTimeout(resolve, 50));
      await server.close();
    },
  });
}

function strings(body: Record<string, unknown>, keys: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of keys) if (typeof body[k] === 'string') out[k] = body[k] as string;
  return out;
}
