/**
 * A faithful fake of AgentAuth: challenge → approve → mandate with plain-text errors, the JSON 403
 * of the mandate, `chal_` / `poa_` ids, TTLs, one or two approvers, self-approval 403, duplicate 409, expiry
 * 410, approver JWTs (EdDSA), rate limits with `Retry-After`, and the JWKS of its Ed25519 signing key.
 *
 * @module
 */
import { createHash, randomBytes } from 'node:crypto';
import type { HttpBindings } from '@hono/node-server';
import { type FakeCors, fakeCors } from '@x/http-core/testing';
import { type Context, Hono } from 'hono';
import { type CryptoKey, exportJWK, generateKeyPair, type JWK, jwtVerify, SignJWT } from 'jose';
import { DEFAULT_DUAL_CONTROL_ACTIONS } from '../catalog.ts';
import { jsonLimitProblem } from '../limits.ts';
import { spiffeIdProblem } from '../models.ts';
import { FakeClock } from './clock.ts';

/** Options of {@link createFakeAgentAuth}. */
export interface FakeAgentAuthOptions {
  /** The clock (default a new {@link FakeClock} at the real time). */
  clock?: FakeClock;
  /** `CHALLENGE_TTL_SECONDS` (default 300, capped at 900). */
  challengeTtlSeconds?: number;
  /** `POA_TTL_SECONDS` (default 300, capped at 900). */
  poaTtlSeconds?: number;
  /** `DUAL_CONTROL_ACTIONS` (default AgentAuth's four). */
  dualControlActions?: readonly string[];
  /** `ALLOW_SELF_APPROVAL` (default false). */
  allowSelfApproval?: boolean;
  /** Public key that verifies approver JWTs (EdDSA), like `APPROVER_ED25519_PUBLIC_KEY_PEM`. */
  approverPublicKey?: CryptoKey;
  /** `REQUIRE_JWT_AUTH`: approvals without a valid approver JWT get 401 (default false). */
  requireJwtAuth?: boolean;
  /** Per-IP challenge creations per minute (default 100). */
  rateLimitPerIp?: number;
  /** Per-agent challenge creations per minute (default 20). */
  rateLimitPerAgent?: number;
  /** `POA_ISSUER` (default `atb-agentauth`). */
  issuer?: string;
  /**
   * CORS, so a browser app under test (an approver console on another loopback origin) can call the fake.
   * Default: any `http` loopback origin; a list of origins or a predicate (`{ origins }`) names others; `false`
   * sends no CORS headers. Preflights are answered before the approver-JWT check, the rate limits and
   * {@link FakeAgentAuth.requests}. See `FakeCors` of `@x/http-core/testing`.
   */
  cors?: FakeCors;
}

/** One recorded approval. */
export interface FakeApproval {
  /** The approver's id. */
  id: string;
  /** When, epoch ms. */
  approvedAt: number;
}

/** A challenge as the fake keeps it. */
export interface FakeChallenge {
  /** `chal_…`. */
  id: string;
  /** The agent's SPIFFE ID. */
  agentSpiffeId: string;
  /** The dotted action. */
  act: string;
  /** Constraints, verbatim. */
  con: Record<string, unknown>;
  /** Legal grounding, verbatim. */
  leg: Record<string, unknown>;
  /** Created, epoch s. */
  createdAt: number;
  /** Expires, epoch s. */
  expiresAt: number;
  /** Whether two approvers are needed. */
  dualControl: boolean;
  /** Approvals so far. */
  approvers: FakeApproval[];
}

/** The Hono environment of the fakes: Node's request bindings (the socket, for the client certificate). */
export interface FakeEnv {
  /** `@hono/node-server`'s bindings. */
  Bindings: HttpBindings;
}

/** AgentAuth's public Ed25519 key as a JWK. */
export interface FakeJwk extends JWK {
  [key: string]: unknown;
  /** `OKP`. */
  kty: 'OKP';
  /** `Ed25519`. */
  crv: 'Ed25519';
  /** base64url SHA-256 of the raw public key. */
  kid: string;
  /** The raw public key, base64url. */
  x: string;
}

/** AgentAuth's key set. */
export interface FakeJwks {
  /** The published keys, the signing key first. */
  keys: FakeJwk[];
}

/** The fake AgentAuth: a Hono app plus its state. */
export interface FakeAgentAuth {
  /** The Hono app (serve it with `startTestServer`). */
  app: Hono<FakeEnv>;
  /** Challenges by id. */
  challenges: Map<string, FakeChallenge>;
  /** The current PoA signing key's `kid`. */
  readonly kid: string;
  /** The current signing key's public JWK (first in the JWKS). */
  readonly publicJwk: FakeJwk;
  /** The current PoA signing key (tests use it to forge tokens with the right key but wrong claims). */
  readonly signingKey: CryptoKey;
  /** The published key set, as `/.well-known/jwks.json` serves it: the current key first, then older ones. */
  jwks(): FakeJwks;
  /**
   * Key rotation: makes a new Ed25519 key the signing key and publishes it first in the JWKS. Older keys
   * stay published (tokens they signed keep verifying) until {@link FakeAgentAuth.retireKey}.
   */
  rotateKey(): Promise<FakeJwk>;
  /** Stops publishing a key that is no longer the signing key; tokens it signed then fail verification. */
  retireKey(kid: string): void;
  /** How many times `/.well-known/jwks.json` was fetched. */
  readonly jwksFetches: number;
  /**
   * Every request that reached the fake, oldest first, as `METHOD path` with the raw (undecoded) path and
   * query: tests use it to prove a refused call sent nothing.
   */
  readonly requests: string[];
  /** The clock. */
  clock: FakeClock;
  /** Signs claims as AgentAuth does (`alg: EdDSA`, `kid`); for tests that need odd tokens. */
  sign(claims: Record<string, unknown>): Promise<string>;
  /** The audit log lines. */
  audit: Array<Record<string, unknown>>;
}

const SECURITY_HEADERS: Record<string, string> = {
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Cache-Control': 'no-store',
  'Content-Security-Policy': "default-src 'none'",
  'X-XSS-Protection': '1; mode=block',
};

const id = (prefix: string) => `${prefix}${randomBytes(16).toString('base64url')}`;
const rfc3339 = (seconds: number) => new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
// Go's time.Time JSON: nanosecond precision.
const rfc3339Nano = (ms: number) => new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000000Z');

/** A plain-text error as Go's `http.Error` writes it. */
export function textError(c: Context, status: number, message: string, headers: Record<string, string> = {}) {
  return c.body(`${message}\n`, status as 400, {
    'Content-Type': 'text/plain; charset=utf-8',
    'X-Content-Type-Options': 'nosniff',
    ...headers,
  });
}

/** Reads a JSON body with Go's `DisallowUnknownFields` and a 1 MiB cap; `undefined` when invalid. */
async function readStrictJson(
  c: Context,
  allowed: readonly string[],
): Promise<Record<string, unknown> | undefined> {
  const text = await c.req.text();
  if (text.length > 1 << 20) return undefined;
  try {
    const value = JSON.parse(text) as unknown;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
    if (Object.keys(value).some((k) => !allowed.includes(k))) return undefined;
    return value as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/**
 * Creates the fake AgentAuth app with a fresh Ed25519 signing key.
 *
 * @example
 * ```ts
 * const agentAuth = await createFakeAgentAuth({ clock });
 * const server = await startTestServer(agentAuth.app);
 * ```
 */
export async function createFakeAgentAuth(options: FakeAgentAuthOptions = {}): Promise<FakeAgentAuth> {
  const clock = options.clock ?? new FakeClock(Date.now());
  const challengeTtl = Math.min(options.challengeTtlSeconds ?? 300, 900);
  const poaTtl = Math.min(options.poaTtlSeconds ?? 300, 900);
  const dualControlActions = new Set(options.dualControlActions ?? DEFAULT_DUAL_CONTROL_ACTIONS);
  const issuer = options.issuer ?? 'atb-agentauth';
  // Published keys, current signing key first.
  const keys: Array<{ publicJwk: FakeJwk; privateKey: CryptoKey }> = [await newSigningKey()];
  const current = () => keys[0]!;
  let jwksFetches = 0;
  const challenges = new Map<string, FakeChallenge>();
  const audit: Array<Record<string, unknown>> = [];
  const windows = new Map<string, { start: number; count: number }>();

  const overLimit = (key: string, limit: number) => {
    const now = clock.now();
    const w = windows.get(key);
    if (!w || now - w.start >= 60_000) {
      windows.set(key, { start: now, count: 1 });
      return false;
    }
    w.count++;
    return w.count > limit;
  };
  const sign = (claims: Record<string, unknown>) => {
    const { publicJwk, privateKey } = current();
    return new SignJWT(claims)
      .setProtectedHeader({ alg: 'EdDSA', typ: 'JWT', kid: publicJwk.kid })
      .sign(privateKey);
  };
  const jwks = () => ({ keys: keys.map((k) => k.publicJwk) });

  const requests: string[] = [];
  const app = new Hono<FakeEnv>();
  app.use(fakeCors(options.cors));
  app.use(async (c, next) => {
    const url = new URL(c.req.url);
    requests.push(`${c.req.method} ${url.pathname}${url.search}`);
    await next();
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) c.res.headers.set(k, v);
  });
  app.all('/health', (c) => c.text('ok\n'));
  app.all('/ready', (c) => c.text('ready\n'));
  app.get('/.well-known/jwks.json', (c) => {
    jwksFetches++;
    return c.json(jwks());
  });

  app.post('/v1/challenge', async (c) => {
    const ip = c.env?.incoming?.socket?.remoteAddress ?? 'local';
    if (overLimit(`ip:${ip}`, options.rateLimitPerIp ?? 100)) {
      return textError(c, 429, 'rate limit exceeded', { 'Retry-After': '60' });
    }
    const body = await readStrictJson(c, ['agent_spiffe_id', 'act', 'con', 'leg']);
    if (!body) return textError(c, 400, 'invalid json');
    const agent = typeof body.agent_spiffe_id === 'string' ? body.agent_spiffe_id.trim() : '';
    const spiffeProblem = spiffeIdProblem(agent);
    if (spiffeProblem) return textError(c, 400, `invalid agent_spiffe_id: ${spiffeProblem}`);
    const act = typeof body.act === 'string' ? body.act.trim() : '';
    const { con, leg } = body;
    if (!act || typeof con !== 'object' || con === null || typeof leg !== 'object' || leg === null) {
      return textError(c, 400, 'missing act/con/leg');
    }
    if (act.length > 256) return textError(c, 400, 'input validation failed: act longer than 256 characters');
    const problem = jsonLimitProblem(con, 'con') ?? jsonLimitProblem(leg, 'leg');
    if (problem) return textError(c, 400, `input validation failed: ${problem}`);
    if (overLimit(`agent:${agent}`, options.rateLimitPerAgent ?? 20)) {
      return textError(c, 429, 'rate limit exceeded for agent', { 'Retry-After': '60' });
    }
    const legDual = (leg as { dual_control?: { required?: unknown } }).dual_control?.required === true;
    const now = clock.seconds();
    const challenge: FakeChallenge = {
      id: id('chal_'),
      agentSpiffeId: agent,
      act,
      con: con as Record<string, unknown>,
      leg: leg as Record<string, unknown>,
      createdAt: now,
      expiresAt: now + challengeTtl,
      dualControl: legDual || dualControlActions.has(act),
      approvers: [],
    };
    challenges.set(challenge.id, challenge);
    audit.push({
      timestamp: rfc3339(now),
      event: 'challenge.created',
      challenge_id: challenge.id,
      agent_spiffe_id: agent,
      action: act,
      constraints: con,
      risk_tier: challenge.dualControl ? 'high' : 'low',
      requires_dual_control: challenge.dualControl,
      success: true,
    });
    return c.json({
      challenge_id: challenge.id,
      expires_at: rfc3339(challenge.expiresAt),
      requires_dual_control: challenge.dualControl,
      approvers_needed: challenge.dualControl ? 2 : 1,
      approval_hint: 'POST /v1/approve with challenge_id and approver identity',
    });
  });

  const approversJson = (ch: FakeChallenge) =>
    ch.approvers.map((a) => ({ id: a.id, approved_at: rfc3339Nano(a.approvedAt) }));

  app.get('/v1/challenge/:id?', (c) => {
    const challengeId = c.req.param('id');
    if (!challengeId) return textError(c, 400, 'missing challenge_id in path');
    const ch = challenges.get(challengeId);
    // Expired challenges are cleaned up every 30 s upstream; after that they are unknown.
    if (!ch || clock.seconds() > ch.expiresAt + 30) return textError(c, 404, 'unknown challenge');
    const needed = ch.dualControl ? 2 : 1;
    return c.json({
      challenge_id: ch.id,
      action: ch.act,
      agent_spiffe_id: ch.agentSpiffeId,
      created_at: rfc3339(ch.createdAt),
      expires_at: rfc3339(ch.expiresAt),
      expired: clock.seconds() > ch.expiresAt,
      requires_dual_control: ch.dualControl,
      approvers_needed: needed,
      approvers_count: ch.approvers.length,
      approvers: approversJson(ch),
      fully_approved: ch.approvers.length >= needed,
    });
  });

  app.post('/v1/approve', async (c) => {
    let jwtApprover: string | undefined;
    const auth = c.req.header('authorization');
    if (auth?.startsWith('Bearer ')) {
      if (!options.approverPublicKey)
        return textError(c, 401, 'authentication failed: no approver key configured');
      try {
        const { payload } = await jwtVerify(auth.slice(7), options.approverPublicKey, {
          algorithms: ['EdDSA'],
          currentDate: new Date(clock.now()),
        });
        const claim = payload.approver_id ?? payload.sub ?? payload.email;
        if (typeof claim !== 'string' || !claim) throw new Error('no approver_id, sub or email claim');
        jwtApprover = claim;
      } catch (error) {
        return textError(c, 401, `authentication failed: ${(error as Error).message}`);
      }
    } else if (options.requireJwtAuth) {
      return textError(c, 401, 'authentication failed: approver JWT required');
    }
    const body = await readStrictJson(c, ['challenge_id', 'approver']);
    if (!body) return textError(c, 400, 'invalid json');
    if (typeof body.challenge_id !== 'string' || !body.challenge_id)
      return textError(c, 400, 'missing challenge_id');
    const approver = jwtApprover ?? (typeof body.approver === 'string' ? body.approver.trim() : '');
    if (!approver) return textError(c, 400, 'missing approver');
    const ch = challenges.get(body.challenge_id);
    if (!ch || clock.seconds() > ch.expiresAt + 30) return textError(c, 404, 'unknown challenge');
    if (clock.seconds() > ch.expiresAt) return textError(c, 410, 'challenge expired');
    const party = (ch.leg as { accountable_party?: { id?: unknown } }).accountable_party?.id;
    if (
      !options.allowSelfApproval &&
      typeof party === 'string' &&
      party.toLowerCase() === approver.toLowerCase()
    ) {
      return textError(c, 403, 'self-approval not allowed: approver cannot be the accountable party');
    }
    if (ch.approvers.some((a) => a.id.toLowerCase() === approver.toLowerCase())) {
      return textError(c, 409, 'approver already approved this challenge');
    }
    ch.approvers.push({ id: approver, approvedAt: clock.now() });
    const needed = ch.dualControl ? 2 : 1;
    audit.push({
      timestamp: rfc3339(clock.seconds()),
      event: 'challenge.approved',
      challenge_id: ch.id,
      approver_id: approver,
      approvers_count: ch.approvers.length,
      reason: `approver ${ch.approvers.length} of ${needed}`,
      success: true,
    });
    return c.json({
      status: 'approved',
      approvers_count: ch.approvers.length,
      approvers_needed: needed,
      fully_approved: ch.approvers.length >= needed,
      approvers: approversJson(ch),
    });
  });

  app.post('/v1/mandate', async (c) => {
    const body = await readStrictJson(c, ['challenge_id']);
    if (!body) return textError(c, 400, 'invalid json');
    if (typeof body.challenge_id !== 'string' || !body.challenge_id)
      return textError(c, 400, 'missing challenge_id');
    const ch = challenges.get(body.challenge_id);
    if (!ch || clock.seconds() > ch.expiresAt + 30) return textError(c, 404, 'unknown challenge');
    if (clock.seconds() > ch.expiresAt) return textError(c, 410, 'challenge expired');
    const needed = ch.dualControl ? 2 : 1;
    if (ch.approvers.length < needed) {
      return c.json(
        {
          error: 'challenge not fully approved',
          approvers_count: ch.approvers.length,
          approvers_needed: needed,
          requires_dual_control: ch.dualControl,
        },
        403,
      );
    }
    const iat = clock.seconds();
    const jti = id('poa_');
    const leg = ch.dualControl
      ? {
          ...ch.leg,
          dual_control: {
            required: true,
            approvers: ch.approvers.map((a) => ({
              id: a.id,
              approved_at: rfc3339(Math.floor(a.approvedAt / 1000)),
            })),
          },
        }
      : ch.leg;
    const token = await sign({
      iss: issuer,
      sub: ch.agentSpiffeId,
      iat,
      exp: iat + poaTtl,
      jti,
      act: ch.act,
      con: ch.con,
      leg,
    });
    audit.push({
      timestamp: rfc3339(iat),
      event: 'mandate.issued',
      challenge_id: ch.id,
      mandate_id: jti,
      action: ch.act,
      approvers_count: ch.approvers.length,
      expires_at: rfc3339(iat + poaTtl),
      success: true,
    });
    return c.json({
      token,
      expires_at: rfc3339(iat + poaTtl),
      jti,
      dual_control_used: ch.dualControl,
      approvers_count: ch.approvers.length,
    });
  });

  app.all('/v1/*', (c) => textError(c, 405, 'method not allowed'));

  return {
    app,
    challenges,
    get kid() {
      return current().publicJwk.kid;
    },
    get publicJwk() {
      return current().publicJwk;
    },
    get signingKey() {
      return current().privateKey;
    },
    jwks,
    async rotateKey() {
      keys.unshift(await newSigningKey());
      return current().publicJwk;
    },
    retireKey(kid) {
      const index = keys.findIndex((k) => k.publicJwk.kid === kid);
      if (index === 0) throw new Error(`key ${kid} is the signing key; rotate before retiring it`);
      if (index > 0) keys.splice(index, 1);
    },
    get jwksFetches() {
      return jwksFetches;
    },
    requests,
    clock,
    sign,
    audit,
  };
}

/** A fresh Ed25519 signing key; `kid` = base64url SHA-256 of the raw public key. */
async function newSigningKey(): Promise<{ publicJwk: FakeJwk; privateKey: CryptoKey }> {
  const { publicKey, privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
  const jwk = await exportJWK(publicKey);
  const kid = createHash('sha256').update(Buffer.from(jwk.x!, 'base64url')).digest('base64url');
  return { publicJwk: { kty: 'OKP', crv: 'Ed25519', use: 'sig', alg: 'EdDSA', kid, x: jwk.x! }, privateKey };
}
