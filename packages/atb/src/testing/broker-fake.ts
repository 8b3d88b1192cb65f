/**
 * A faithful fake of the ATB broker over real mTLS: every check in the broker's order with its
 * exact status and text, the upstream policy, single-use replay protection, the local guardrails, and a
 * pass-through to an upstream service.
 *
 * @module
 */

import { randomBytes } from 'node:crypto';
import type { TLSSocket } from 'node:tls';
import { closeable } from '@x/http-core';
import { Hono } from 'hono';
import { compactVerify, importJWK, type JWK, jwtVerify } from 'jose';
import { AUDIT_GENESIS_HASH, type AuditBatch, type AuditEvent, sealAuditBatch } from '../audit.ts';
import { type FakeEnv, textError } from './agentauth-fake.ts';
import { FakeClock } from './clock.ts';
import { evaluatePolicy, type PolicyDecision, type PolicyInput } from './policy.ts';
import { startTlsTestServer } from './tls-server.ts';

/** The local guardrail patterns (case-insensitive substrings of top-level string values). */
export const GUARDRAIL_PATTERNS: readonly string[] = [
  'ignore previous',
  'ignore all previous',
  'disregard previous',
  'forget previous',
  'disable safety',
  'bypass security',
  'you are now',
  'pretend you are',
  'act as if',
  'jailbreak',
  'dan mode',
  'developer mode',
  'exfiltrate',
  'curl http',
  'wget http',
  'drop table',
  'delete from',
  '; exec',
  '$(',
  '`',
];

/** One audit event of the fake broker: the spec's {@link AuditEvent}. */
export type BrokerAuditEvent = AuditEvent;

/**
 * One backend of the broker (upstream's `CONNECTOR_CONFIG_FILE`, as a typed option). A call is routed to a
 * connector by the PoA's `con.connector`, else by the `X-ATB-Connector` header; without either it goes to
 * `upstreamUrl` of the broker.
 */
export interface FakeConnector {
  /** Where this connector forwards calls (base URL). */
  upstreamUrl: string;
  /**
   * Hosts this connector may reach (`api.example.com`, or `*.example.com` for any subdomain). The host of
   * `upstreamUrl` must be on it, else 403. Omitted: no egress restriction.
   */
  egressAllowlist?: readonly string[];
  /** At most `requests` calls per `windowSeconds` through this connector, on the fake clock; more get 403. */
  rateLimit?: FakeConnectorRateLimit;
}

/** A connector's rate limit (fixed windows). */
export interface FakeConnectorRateLimit {
  /** Calls allowed per window. */
  requests: number;
  /** The window, seconds (default 60). */
  windowSeconds?: number;
}

/** Where the fake broker sends its audit events (upstream's `AUDIT_SINK_URL` and immutable batches). */
export interface FakeAuditSink {
  /** The URL each sealed {@link AuditBatch} is POSTed to as JSON. */
  url: string;
  /** Seal and send a batch once this many events are waiting (default 100). */
  batchSize?: number;
  /** Also seal and send what is waiting every so many ms (default 5000; 0 turns the timer off). */
  flushIntervalMs?: number;
  /** `retention_expires` = seal time + this many days (default 2555). */
  retentionDays?: number;
}

/** Options of {@link startFakeBroker}. */
export interface FakeBrokerOptions {
  /** The broker's TLS certificate and key (PEM). */
  cert: string;
  /** The broker's key. */
  key: string;
  /** `TLS_CLIENT_CA_FILE`: the CA agent certificates must chain to. */
  clientCa: string;
  /** Verify client certificates against `clientCa` (default true); false is upstream's `RequireAnyClientCert`. */
  verifyClientCerts?: boolean;
  /** The upstream base URL calls are forwarded to. */
  upstreamUrl: string;
  /** AgentAuth's public keys (`POA_JWKS_URL`); an empty list means "authorization not configured" (503). */
  jwks: () => JWK[];
  /** `POA_MAX_TTL_SECONDS` (default 300). */
  maxTtlSeconds?: number;
  /** `POA_SINGLE_USE` (default true here, as in upstream's compose file). */
  singleUse?: boolean;
  /** `ALLOW_UNMANDATED_LOW_RISK` (default false). */
  allowUnmandatedLowRisk?: boolean;
  /** The clock. */
  clock?: FakeClock;
  /**
   * Replaces the policy (default {@link evaluatePolicy}: no time policy, no rate limits; `createPolicy`
   * adds them); throw to simulate an OPA failure.
   */
  policy?: (input: PolicyInput) => PolicyDecision;
  /** Platform identity (`X-Platform-Token`); off by default. */
  platformIdentity?: FakePlatformIdentity;
  /** The loopback port (default 0: one the OS picks). */
  port?: number;
  /** Connectors by id (checks 14 and 14b); none by default. */
  connectors?: Readonly<Record<string, FakeConnector>>;
  /**
   * `GUARDRAILS_URL`: judge the body with this service instead of the local patterns (check 5). The broker
   * POSTs `{text, action, agent, parameters}` and expects `{safe, reason?, score?, category?}`.
   */
  guardrailsUrl?: string;
  /** How long to wait for the guardrails service, ms (default 2000, as upstream). */
  guardrailsTimeoutMs?: number;
  /** Send sealed audit batches to a sink; without it the batches are only kept in memory. */
  auditSink?: FakeAuditSink;
}

/** How the fake broker checks `X-Platform-Token` (an OIDC JWT of the agent's platform). */
export interface FakePlatformIdentity {
  /** The key that verifies platform tokens (`PLATFORM_JWKS_URL`). */
  publicKey: CryptoKey;
  /** `PLATFORM_ISSUER`, checked when given. */
  issuer?: string;
  /** `PLATFORM_AUDIENCE`, checked when given. */
  audience?: string;
  /** `PLATFORM_IDENTITY_REQUIRED`: refuse calls without a token (default false). */
  required?: boolean;
  /**
   * The SPIFFE binding (`PLATFORM_SPIFFE_BINDING_MODE` other than `none`): returns why the platform claims do
   * not match the SPIFFE ID, or `undefined` when they do.
   */
  binding?: (claims: Record<string, unknown>, spiffeId: string) => string | undefined;
}

/** The running fake broker. */
export interface FakeBroker {
  /** `https://127.0.0.1:<port>`. */
  url: string;
  /** The audit events, in order. */
  audit: BrokerAuditEvent[];
  /** The sealed audit batches (a SHA-256 hash chain), oldest first. */
  auditBatches: AuditBatch[];
  /**
   * Seals the waiting events into a batch (if any) and sends every batch the sink has not yet taken.
   * Rejects when the sink fails; unsent batches are kept and sent again on the next flush.
   */
  flushAudit(): Promise<void>;
  /** `jti`s seen, with the time (epoch s) until which they are remembered. */
  seenJtis: Map<string, number>;
  /** Stops the server (after a last audit flush) and closes its connections (again: the first call's outcome). */
  close(): Promise<void>;
  /** {@link FakeBroker.close}, for `await using broker = …`. */
  [Symbol.asyncDispose](): Promise<void>;
}

type Obj = Record<string, unknown>;

function peerSpiffeId(socket: TLSSocket | undefined): string | undefined {
  const cert = socket?.getPeerCertificate?.();
  if (!cert?.raw) return undefined;
  const uris = (cert.subjectaltname ?? '')
    .split(/,\s*/)
    .filter((e) => e.startsWith('URI:'))
    .map((e) => e.slice(4))
    .filter((u) => u.toLowerCase().startsWith('spiffe://'));
  return uris[0];
}

function lookup(url: URL, body: Obj, names: string[], bodyNames: string[]): string | undefined {
  for (const n of names) {
    const q = url.searchParams.get(n);
    if (q) return q;
  }
  const segments = url.pathname.split('/').filter(Boolean);
  if (segments.length >= 2) return segments[segments.length - 1];
  for (const n of bodyNames) {
    const b = body[n];
    if (typeof b === 'string' || typeof b === 'number') return String(b);
  }
  return undefined;
}

/** The broker's constraint checks on top-level `con` keys; returns the violation messages. */
export function constraintViolations(con: Obj, method: string, url: URL, body: Obj): string[] {
  const out: string[] = [];
  if (con.contact_id !== undefined) {
    const got = lookup(url, body, ['contact_id', 'id'], ['contact_id', 'contactId', 'id']);
    if (got === undefined || got.toLowerCase() !== String(con.contact_id).toLowerCase()) {
      out.push('contact_id in request does not match PoA constraint');
    }
  }
  if (con.resource_id !== undefined) {
    const got = lookup(url, body, ['resource_id', 'id'], ['resource_id']);
    if (got === undefined || got.toLowerCase() !== String(con.resource_id).toLowerCase()) {
      out.push('resource_id in request does not match PoA constraint');
    }
  }
  const max = typeof con.max_amount === 'number' ? con.max_amount : undefined;
  if (max !== undefined && max > 0) {
    const raw = url.searchParams.get('amount') ?? body.amount;
    const amount = typeof raw === 'number' ? raw : typeof raw === 'string' ? Number(raw) : Number.NaN;
    if (amount > max) out.push(`amount ${amount.toFixed(2)} exceeds max_amount ${max.toFixed(2)}`);
  }
  if (con.read_only === true && !['GET', 'HEAD', 'OPTIONS'].includes(method)) {
    out.push(`read_only constraint violated by ${method} method`);
  }
  if (Array.isArray(con.allowed_methods)) {
    const allowed = con.allowed_methods.map((m) => String(m).toUpperCase());
    if (!allowed.includes(method)) out.push(`method ${method} not in allowed_methods`);
  }
  if (typeof con.path_prefix === 'string' && !url.pathname.startsWith(con.path_prefix)) {
    out.push(`request path does not match prefix ${con.path_prefix}`);
  }
  return out;
}

/** What the guardrails service answers (`GUARDRAILS_URL`). */
export interface GuardrailsVerdict {
  /** False blocks the call. */
  safe: boolean;
  /** Why (becomes the audit `reason` of a block). */
  reason?: string;
  /** The service's confidence. */
  score?: number;
  /** The kind of threat. */
  category?: string;
}

/** What the broker sends to the guardrails service. */
export interface GuardrailsRequest {
  /** The top-level string values of the JSON body, one per line. */
  text: string;
  /** The declared action (`X-ATB-Action`; the PoA is not verified yet at check 5). */
  action: string;
  /** The agent's SPIFFE ID. */
  agent: string;
  /** The JSON body. */
  parameters: Record<string, unknown>;
}

/** Strings of the body the guardrails judge: its top-level string values. */
function guardedStrings(params: Obj): string[] {
  return Object.values(params).filter((value): value is string => typeof value === 'string');
}

/** Whether a local pattern matches (case-insensitive substring). */
export function matchesGuardrailPattern(text: string): boolean {
  const lower = text.toLowerCase();
  return GUARDRAIL_PATTERNS.some((p) => lower.includes(p));
}

/** `host` matches an allowlist entry: equal, or `*.suffix` for any subdomain of `suffix`. */
function egressAllowed(host: string, allowlist: readonly string[]): boolean {
  const h = host.toLowerCase();
  return allowlist.some((entry) => {
    const e = entry.toLowerCase();
    return e.startsWith('*.') ? h.endsWith(e.slice(1)) && h.length > e.length - 1 : h === e;
  });
}

/** A refusal by connector routing: check 14 (400) or 14b (403). */
class ConnectorRefusal {
  constructor(
    readonly status: 400 | 403,
    readonly message: string,
    readonly target: string,
  ) {}
}

/**
 * Starts the fake broker on `https://127.0.0.1:<port>` requiring client certificates.
 *
 * @example
 * ```ts
 * const broker = await startFakeBroker({ cert, key, clientCa: pki.caCert, upstreamUrl, jwks: () => [jwk] });
 * ```
 */
export async function startFakeBroker(options: FakeBrokerOptions): Promise<FakeBroker> {
  const clock = options.clock ?? new FakeClock(Date.now());
  const maxTtl = options.maxTtlSeconds ?? 300;
  const singleUse = options.singleUse ?? true;
  const policy = options.policy ?? evaluatePolicy;
  const connectors = options.connectors ?? {};
  const audit: BrokerAuditEvent[] = [];
  const seenJtis = new Map<string, number>();
  const keys = new Map<string, Promise<CryptoKey | Uint8Array>>();
  const connectorWindows = new Map<string, { start: number; count: number }>();
  const trail = createAuditTrail(clock, options.auditSink);

  /** Resolves the connector of a call (PoA `con.connector` wins over `X-ATB-Connector`). */
  const routeOf = (fromPoA: unknown, fromHeader: string | undefined) => {
    if (fromPoA === undefined && !fromHeader) return { id: '', target: options.upstreamUrl };
    const id = fromPoA ?? fromHeader;
    if (typeof id !== 'string' || id.trim() === '') {
      return new ConnectorRefusal(400, 'connector id must be a non-empty string', options.upstreamUrl);
    }
    const connector = Object.hasOwn(connectors, id) ? connectors[id] : undefined;
    if (!connector) return new ConnectorRefusal(400, `unknown connector: ${id}`, options.upstreamUrl);
    let target: URL;
    try {
      target = new URL(connector.upstreamUrl);
    } catch {
      return new ConnectorRefusal(400, `connector ${id} has an invalid upstream URL`, options.upstreamUrl);
    }
    const targetText = connector.upstreamUrl.replace(/\/$/, '');
    if (connector.egressAllowlist && !egressAllowed(target.hostname, connector.egressAllowlist)) {
      return new ConnectorRefusal(
        403,
        `connector ${id}: egress to ${target.hostname} is not allowed`,
        targetText,
      );
    }
    if (connector.rateLimit) {
      const { requests, windowSeconds = 60 } = connector.rateLimit;
      const now = clock.now();
      let window = connectorWindows.get(id);
      if (!window || now - window.start >= windowSeconds * 1000) {
        window = { start: now, count: 0 };
        connectorWindows.set(id, window);
      }
      if (++window.count > requests) {
        return new ConnectorRefusal(
          403,
          `connector ${id}: rate limit exceeded (${requests} requests per ${windowSeconds} s)`,
          targetText,
        );
      }
    }
    return { id, target: targetText };
  };

  /** Asks the guardrails service; a timeout or failure blocks the call (fail closed). */
  const askGuardrails = async (request: GuardrailsRequest): Promise<{ block?: string; error?: string }> => {
    try {
      const response = await fetch(options.guardrailsUrl!, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(request),
        signal: AbortSignal.timeout(options.guardrailsTimeoutMs ?? 2000),
      });
      if (!response.ok) return { error: `status ${response.status}` };
      const verdict = (await response.json()) as Partial<GuardrailsVerdict> | null;
      if (typeof verdict?.safe !== 'boolean') return { error: 'answer without a boolean safe' };
      if (verdict.safe) return {};
      return {
        block: verdict.reason || (verdict.category ? `guardrails:${verdict.category}` : 'guardrails_unsafe'),
      };
    } catch (error) {
      const name = (error as Error).name;
      return { error: name === 'TimeoutError' ? 'timeout' : (error as Error).message };
    }
  };

  const app = new Hono<FakeEnv>();
  app.all('*', async (c) => {
    const url = new URL(c.req.url);
    const method = c.req.method.toUpperCase();
    const requestId = c.req.header('x-request-id') ?? '';
    const ts = new Date(clock.now()).toISOString().replace(/\.\d{3}Z$/, 'Z');
    let platformSub = '';
    const event = (
      decision: BrokerAuditEvent['decision'],
      reason: string,
      extra: Partial<BrokerAuditEvent> = {},
    ) => {
      const entry: BrokerAuditEvent = {
        ts,
        request_id: requestId,
        poa_jti: '',
        agent_identity: '',
        platform_identity: platformSub,
        action: '',
        constraints: null,
        decision,
        reason,
        target_service: options.upstreamUrl,
        method,
        path: url.pathname,
        ...extra,
      };
      audit.push(entry);
      trail.add(entry);
    };

    // 1. identity from the client certificate (no audit event, as upstream: there is no identity to record)
    const agent = peerSpiffeId(c.env.incoming.socket as TLSSocket);
    if (!agent) return textError(c, 401, 'mTLS client cert with SPIFFE ID required');
    // 2–3. platform identity and its binding to the SPIFFE ID
    const platform = options.platformIdentity;
    const platformToken = c.req.header('x-platform-token');
    if (platform && (platformToken || platform.required)) {
      let platformClaims: Record<string, unknown>;
      try {
        if (!platformToken) throw new Error('missing platform token');
        ({ payload: platformClaims } = await jwtVerify(platformToken, platform.publicKey, {
          currentDate: new Date(clock.now()),
          ...(platform.issuer ? { issuer: platform.issuer } : {}),
          ...(platform.audience ? { audience: platform.audience } : {}),
        }));
      } catch (error) {
        event('deny', `platform_identity_invalid:${(error as Error).message}`, { agent_identity: agent });
        return textError(c, 401, 'invalid platform identity');
      }
      platformSub = String(platformClaims.sub ?? '');
      const mismatch = platform.binding?.(platformClaims, agent);
      if (mismatch) {
        event('deny', `spiffe_binding_mismatch:${mismatch}`, { agent_identity: agent });
        return textError(c, 403, 'platform identity does not match SPIFFE identity');
      }
    }
    // 4. PoA verification configured
    const jwks = options.jwks();
    if (jwks.length === 0) {
      event('error', 'poa_verification_not_configured', { agent_identity: agent });
      return textError(c, 503, 'authorization not configured');
    }
    const bodyBytes = new Uint8Array(await c.req.arrayBuffer());
    let params: Obj = {};
    try {
      const parsed = JSON.parse(new TextDecoder().decode(bodyBytes)) as unknown;
      if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) params = parsed as Obj;
    } catch {
      // not JSON: no params
    }
    const declared = c.req.header('x-atb-action') ?? c.req.header('x-action') ?? '';
    // 5. guardrails on top-level string values: the external service when configured, else the patterns
    const strings = guardedStrings(params);
    if (strings.length > 0) {
      const blocked = { agent_identity: agent, action: declared };
      if (options.guardrailsUrl) {
        const verdict = await askGuardrails({
          text: strings.join('\n'),
          action: declared,
          agent,
          parameters: params,
        });
        if (verdict.error !== undefined) {
          event('error', `guardrails_error:${verdict.error}`, blocked);
          return textError(c, 403, 'blocked by semantic firewall');
        }
        if (verdict.block !== undefined) {
          event('deny', verdict.block, blocked);
          return textError(c, 403, 'blocked by semantic firewall');
        }
      } else if (strings.some(matchesGuardrailPattern)) {
        event('deny', 'prompt_injection_detected', blocked);
        return textError(c, 403, 'blocked by semantic firewall');
      }
    }
    const authz = c.req.header('authorization') ?? '';
    const token =
      (authz.startsWith('Bearer ') ? authz.slice(7) : authz).trim() || c.req.header('x-poa-token') || '';
    const input = (poa: Obj): PolicyInput => ({
      agent: { spiffe_id: agent },
      poa,
      request: { action: declared, method, path: url.pathname, params },
      policy: { max_ttl_seconds: maxTtl },
      now: clock.seconds(),
    });
    let claims: Obj = {};
    if (!token) {
      // 6. no PoA
      if (!options.allowUnmandatedLowRisk) {
        event('deny', 'missing_poa', { agent_identity: agent, action: declared });
        return textError(c, 401, 'missing PoA token');
      }
      let decision: PolicyDecision;
      try {
        decision = policy(input({}));
      } catch (error) {
        event('error', `opa_error:${(error as Error).message}`, { agent_identity: agent });
        return textError(c, 500, 'policy evaluation error');
      }
      if (!decision.allow) {
        event('deny', decision.reason, { agent_identity: agent, action: declared });
        return textError(c, 401, 'PoA required');
      }
    } else {
      // 7. signature, alg, claims, TTL, expiry
      try {
        const { payload } = await compactVerify(
          token,
          async (header) => {
            if (!header.kid) throw new Error('missing kid');
            const jwk = jwks.find((k) => k.kid === header.kid);
            if (!jwk) throw new Error(`unknown kid ${header.kid}`);
            let key = keys.get(header.kid);
            if (!key) {
              key = importJWK(jwk, 'EdDSA') as Promise<CryptoKey | Uint8Array>;
              keys.set(header.kid, key);
            }
            return key;
          },
          { algorithms: ['EdDSA', 'RS256'] },
        );
        claims = JSON.parse(new TextDecoder().decode(payload)) as Obj;
        const { iat, exp, jti, sub, act, con, leg } = claims;
        if (typeof iat !== 'number' || typeof exp !== 'number') throw new Error('missing iat/exp');
        if (!jti || !sub || !act) throw new Error('missing jti/sub/act');
        if (con === null || con === undefined || leg === null || leg === undefined)
          throw new Error('missing con/leg');
        const ttl = exp - iat;
        if (ttl <= 0 || ttl > 900 || ttl > maxTtl) throw new Error('ttl_invalid');
        if (clock.seconds() > exp) throw new Error('expired');
      } catch (error) {
        event('deny', `poa_invalid:${(error as Error).message}`, { agent_identity: agent, action: declared });
        return textError(c, 403, 'invalid PoA');
      }
      const base = {
        agent_identity: agent,
        poa_jti: String(claims.jti),
        action: String(claims.act),
        constraints: claims.con as Obj,
      };
      // 8. subject
      if (claims.sub !== agent) {
        event('deny', 'sub_mismatch', base);
        return textError(c, 403, 'PoA subject mismatch');
      }
      // 9. declared action
      if (declared && declared !== claims.act) {
        event('deny', 'action_mismatch', base);
        return textError(c, 403, 'PoA action mismatch');
      }
      // 10. constraints
      const violations = constraintViolations((claims.con ?? {}) as Obj, method, url, params);
      if (violations.length) {
        event('deny', `constraint_violation:${violations.join('; ')}`, base);
        return textError(c, 403, `PoA constraint violation: ${violations[0]}`);
      }
      // 11–12. policy
      let decision: PolicyDecision;
      try {
        decision = policy(input(claims));
      } catch (error) {
        event('error', `opa_error:${(error as Error).message}`, base);
        return textError(c, 500, 'policy evaluation error');
      }
      if (!decision.allow) {
        event('deny', decision.reason || 'policy_denied', base);
        return textError(c, 403, 'policy denied');
      }
      // 13. replay
      if (singleUse) {
        const now = clock.seconds();
        for (const [j, until] of seenJtis) if (until < now) seenJtis.delete(j);
        const jti = String(claims.jti);
        if (seenJtis.has(jti)) {
          event('deny', 'poa_replay_detected', base);
          return textError(c, 403, 'PoA replay detected');
        }
        seenJtis.set(jti, Number(claims.exp) + 30);
      }
    }
    const allowed = {
      agent_identity: agent,
      poa_jti: String(claims.jti ?? ''),
      action: String(claims.act ?? declared),
      constraints: (claims.con ?? null) as Obj | null,
    };
    // 14, 14b. connector: resolve, then egress allowlist and rate limit
    const route = routeOf((claims.con as Obj | undefined)?.connector, c.req.header('x-atb-connector'));
    if (route instanceof ConnectorRefusal) {
      event('deny', `connector_refused:${route.message}`, { ...allowed, target_service: route.target });
      return textError(c, route.status, route.message);
    }
    // 15. forward
    event('allow', 'policy_allow', { ...allowed, target_service: route.target });
    const headers = new Headers(c.req.raw.headers);
    for (const h of ['host', 'connection', 'content-length', 'transfer-encoding', 'x-atb-connector']) {
      headers.delete(h);
    }
    if (route.id) headers.set('x-atb-connector', route.id);
    try {
      const upstream = await fetch(`${route.target}${url.pathname}${url.search}`, {
        method,
        headers,
        redirect: 'manual',
        ...(bodyBytes.length && method !== 'GET' && method !== 'HEAD' ? { body: bodyBytes } : {}),
      });
      return new Response(upstream.body, { status: upstream.status, headers: upstream.headers });
    } catch {
      return c.body(null, 502);
    }
  });

  const server = await startTlsTestServer(app, {
    cert: options.cert,
    key: options.key,
    clientCa: options.clientCa,
    requireClientCert: options.verifyClientCerts ?? true,
    port: options.port ?? 0,
  });
  return closeable<FakeBroker>({
    url: server.url,
    audit,
    auditBatches: trail.batches,
    flushAudit: trail.flush,
    seenJtis,
    close: async () => {
      await trail.close();
      await server.close();
    },
  });
}

/**
 * The audit trail: events wait until `batchSize` of them (or the timer, or a flush) seal them into the next
 * batch of the hash chain; batches go to the sink in order, and stay queued while it fails.
 */
function createAuditTrail(clock: FakeClock, sink: FakeAuditSink | undefined) {
  const batches: AuditBatch[] = [];
  const waiting: AuditEvent[] = [];
  let sent = 0;
  let queue: Promise<unknown> = Promise.resolve();

  const seal = async () => {
    if (waiting.length === 0) return;
    const events = waiting.splice(0, waiting.length);
    batches.push(
      await sealAuditBatch({
        batchId: `batch_${randomBytes(16).toString('hex')}`,
        sealedAt: new Date(clock.now()),
        prevHash: batches.at(-1)?.content_hash ?? AUDIT_GENESIS_HASH,
        events,
        ...(sink?.retentionDays === undefined ? {} : { retentionDays: sink.retentionDays }),
      }),
    );
  };
  const send = async () => {
    if (!sink) return;
    while (sent < batches.length) {
      const response = await fetch(sink.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(batches[sent]),
        signal: AbortSignal.timeout(30_000),
      });
      await response.body?.cancel();
      if (!response.ok) throw new Error(`the audit sink answered ${response.status}`);
      sent++;
    }
  };
  // Seal-and-send steps run one after another so the chain is built in order.
  const step = () => {
    const run = queue.then(async () => {
      await seal();
      await send();
    });
    queue = run.catch(() => {}); // a failed send leaves its batches queued for the next step
    return run;
  };
  const interval = sink?.flushIntervalMs ?? 5000;
  const timer = sink && interval > 0 ? setInterval(() => void step().catch(() => {}), interval) : undefined;
  timer?.unref();

  return {
    batches,
    add(event: AuditEvent) {
      waiting.push(event);
      if (sink && waiting.length >= (sink.batchSize ?? 100)) void step().catch(() => {});
    },
    flush: async () => {
      await step();
    },
    async close() {
      if (timer) clearInterval(timer);
      await step().catch(() => {});
    },
  };
}
