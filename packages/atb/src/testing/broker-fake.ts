/**
 * A faithful fake of the ATB broker (spec §2.2) over real mTLS: every check in the broker's order with its
 * exact status and text, the policy of spec §5–§6, single-use replay protection, the local guardrails, and a
 * pass-through to an upstream service.
 *
 * @module
 */
import type { TLSSocket } from 'node:tls';
import { Hono } from 'hono';
import { compactVerify, importJWK, type JWK, jwtVerify } from 'jose';
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

/** One audit event (spec §2.3). */
export interface BrokerAuditEvent {
  /** When (RFC 3339). */
  ts: string;
  /** `X-Request-ID`. */
  request_id: string;
  /** The PoA's `jti`, when one was read. */
  poa_jti: string;
  /** The mTLS SPIFFE ID. */
  agent_identity: string;
  /** The platform token's `sub`, when one was verified. */
  platform_identity: string;
  /** The PoA's `act` (or the declared action). */
  action: string;
  /** The PoA's `con`. */
  constraints: unknown;
  /** The outcome. */
  decision: 'allow' | 'deny' | 'error';
  /** Why (`policy_allow`, `poa_invalid:expired`, `sub_mismatch`, an OPA reason, …). */
  reason: string;
  /** The HTTP method. */
  method: string;
  /** The URL path. */
  path: string;
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
  /** Replaces the policy (default {@link evaluatePolicy}); throw to simulate an OPA failure. */
  policy?: (input: PolicyInput) => PolicyDecision;
  /** Platform identity (`X-Platform-Token`, spec §1.5); off by default. */
  platformIdentity?: FakePlatformIdentity;
  /** The loopback port (default 0: one the OS picks). */
  port?: number;
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
  /** `jti`s seen, with the time (epoch s) until which they are remembered. */
  seenJtis: Map<string, number>;
  /** Stops the server and closes its connections. */
  close(): Promise<void>;
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

/** The broker's constraint checks on top-level `con` keys (spec §3.5); returns the violation messages. */
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
  const audit: BrokerAuditEvent[] = [];
  const seenJtis = new Map<string, number>();
  const keys = new Map<string, Promise<CryptoKey | Uint8Array>>();

  const app = new Hono<FakeEnv>();
  app.all('*', async (c) => {
    const url = new URL(c.req.url);
    const method = c.req.method.toUpperCase();
    const requestId = c.req.header('x-request-id') ?? '';
    let platformSub = '';
    const event = (
      decision: BrokerAuditEvent['decision'],
      reason: string,
      extra: Partial<BrokerAuditEvent> = {},
    ) =>
      audit.push({
        ts: new Date(clock.now()).toISOString(),
        request_id: requestId,
        poa_jti: '',
        agent_identity: '',
        platform_identity: platformSub,
        action: '',
        constraints: null,
        decision,
        reason,
        method,
        path: url.pathname,
        ...extra,
      });

    // 1. identity from the client certificate
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
    // 5. guardrails on top-level string values
    for (const value of Object.values(params)) {
      if (typeof value !== 'string') continue;
      const lower = value.toLowerCase();
      if (GUARDRAIL_PATTERNS.some((p) => lower.includes(p))) {
        event('deny', 'prompt_injection_detected', { agent_identity: agent });
        return textError(c, 403, 'blocked by semantic firewall');
      }
    }
    const declared = c.req.header('x-atb-action') ?? c.req.header('x-action') ?? '';
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
        constraints: claims.con,
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
    // 15. forward
    event('allow', 'policy_allow', {
      agent_identity: agent,
      poa_jti: String(claims.jti ?? ''),
      action: String(claims.act ?? declared),
      constraints: claims.con ?? null,
    });
    const headers = new Headers(c.req.raw.headers);
    for (const h of ['host', 'connection', 'content-length', 'transfer-encoding']) headers.delete(h);
    try {
      const upstream = await fetch(`${options.upstreamUrl}${url.pathname}${url.search}`, {
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
  return { url: server.url, audit, seenJtis, close: server.close };
}
