/**
 * A faithful fake inkPass on a loopback port: registration, email verification, login with
 * HS256 tokens and sessions, refresh, logout, 2FA, API keys, permission checks with role templates, the
 * owner shortcut and ABAC conditions, and Den files on a real temporary directory.
 *
 * @module
 */
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { base64UrlEncode, constantTimeEqual, randomBytes, sha256Hex, utf8Encode } from '@x/crypto';
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
import { type Context, Hono, type MiddlewareHandler } from 'hono';
import { jwtVerify, SignJWT } from 'jose';
import { MAX_FILE_SIZE_BYTES } from '../files.ts';
import type { FileResponse } from '../models.ts';
import { checkOrganizationName, checkPersonName, MIN_PASSWORD_LENGTH } from '../validation.ts';
import {
  backupCodes,
  MAIL_EMAIL_CHANGE,
  MAIL_RESET,
  mailedCode,
  registerAccountRoutes,
} from './account-routes.ts';
import { registerAdminRoutes } from './admin-routes.ts';
import { type FakeClock, WallClock } from './clock.ts';
import {
  detail,
  type FakeContext,
  iso,
  type StoredGroup,
  type StoredOtp,
  type StoredUser,
  unprocessable,
} from './context.ts';
import { normaliseServerEmail } from './email.ts';
import { FileTooLarge, MalformedMultipart, receiveMultipartFile } from './multipart.ts';
import {
  conditionsMatch,
  type RoleTemplate,
  roleGrantsPermission,
  type TemplateName,
} from './permissions.ts';
import { qrCodeDataUrl } from './qr-png.ts';
import { registerRoleRoutes } from './roles-routes.ts';
import { base32Encode, totp } from './totp.ts';

/** The default per-organisation Den quota (5 GiB). */
export const DEFAULT_ORG_QUOTA_BYTES = 5_368_709_120;

const ACCESS_TTL_S = 30 * 60;
/** Bodies up to this size (1 MiB) are recorded in full; larger or unsized ones with an empty body. */
const RECORDED_BODY_LIMIT = 1_048_576;
const REFRESH_TTL_S = 7 * 24 * 3600;
const OTP_TTL_MS = 30 * 60_000;

/** Options of {@link startFakeInkPass}. */
export interface FakeInkPassOptions {
  /**
   * The clock tokens, codes, rate-limit windows and file expiry follow. Default a {@link WallClock}: real time,
   * which `advance(ms)` can still move forward. Pass a {@link FakeClock} for a clock that stands still until
   * the test moves it (repeatable TOTP codes and expiry dates).
   */
  clock?: FakeClock;
  /** The HS256 secret of the tokens (default: random). */
  jwtSecret?: string;
  /** Den service keys, `service name → key` (default `{ tentacle: 'sk_tentacle_test' }`). */
  serviceApiKeys?: Record<string, string>;
  /** Den's per-file limit in bytes (default 100 MiB). */
  maxFileSizeBytes?: number;
  /** Den's default per-organisation quota in bytes (default 5 GiB). */
  orgQuotaBytes?: number;
  /**
   * Enforce the server's per-minute rate limits (upstream only when Redis is reachable, so off by
   * default): fixed 60 s windows on the fake clock, 429 `Rate limit exceeded: N requests per 60 seconds`.
   */
  rateLimits?: boolean;
  /**
   * CORS, so browser code under test (a page on another loopback origin) can call the fake, as it calls an
   * inkPass whose `CORS_ORIGINS` lists the app. Default: any `http` loopback origin; a list of origins or a
   * predicate (`{ origins }`) names others; `false` sends no CORS headers. Preflights are answered before
   * authentication, the recorder, the fault injector and the rate limits. See `FakeCors` of
   * `@x/http-core/testing`.
   */
  cors?: FakeCors;
}

/** A user of the fake. */
export interface FakeUser {
  /** UUID. */
  id: string;
  /** As inkPass stores it: the domain lower-cased and IDNA-normalised (Unicode form), the local part as typed. */
  email: string;
  /** First name. */
  firstName: string | null;
  /** Last name. */
  lastName: string | null;
  /** The primary organisation. */
  organizationId: string;
  /** `pending` until the email is verified, then `active`; anything else is inactive. */
  status: string;
  /** The base32 TOTP secret once 2FA is enabled. */
  twoFaSecret: string | null;
}

/** An organisation of the fake. */
export interface FakeOrganization {
  /** UUID. */
  id: string;
  /** Name. */
  name: string;
  /** URL slug. */
  slug: string;
  /** Den bytes in use. */
  usedBytes: number;
  /** Den quota in bytes. */
  quotaBytes: number;
}

/** A permission defined in an organisation. */
export interface FakePermission {
  /** UUID. */
  id: string;
  /** Its organisation. */
  organizationId: string;
  /** Resource, e.g. `workflows`. */
  resource: string;
  /** Action, e.g. `create`. */
  action: string;
  /** ABAC conditions: every key must equal the request context's entry. */
  conditions: Record<string, unknown>;
}

/** A stored Den file: the wire fields of {@link FileResponse}, with times as epoch ms and where the bytes are. */
export interface FakeFile
  extends Omit<
    FileResponse,
    'status' | 'createdAt' | 'updatedAt' | 'expiresAt' | 'customMetadata' | 'cdnUrl'
  > {
  /** `active` or `deleted`. */
  status: 'active' | 'deleted';
  /** Epoch ms. */
  createdAt: number;
  /** Epoch ms. */
  updatedAt: number;
  /** Epoch ms or null; temporary files are removed once it passes. */
  expiresAt: number | null;
  /** Epoch ms when soft-deleted. */
  deletedAt: number | null;
  /** Where the bytes are. */
  path: string;
}

/** Input of {@link FakeInkPassSeed.user}. */
export interface SeedUserInput {
  /** Email. */
  email: string;
  /** Password (default `Password123!`). */
  password?: string;
  /** First name (default `Test`). */
  firstName?: string;
  /** Last name (default `User`). */
  lastName?: string;
  /** Join this organisation (default: a new one the user owns). */
  organizationId?: string;
  /** The membership's legacy role string (default `owner` for a new organisation, else `member`). */
  role?: string;
  /** A role template (owner, admin, developer, viewer). */
  roleTemplate?: RoleTemplate;
  /** Default `active` (verified). */
  status?: string;
  /** A base32 TOTP secret: 2FA enabled. */
  twoFaSecret?: string;
}

/** Tokens issued by {@link FakeInkPass.issueTokens}. */
export interface IssuedTokens {
  /** Access token (30 min). */
  accessToken: string;
  /** Refresh token (7 days). */
  refreshToken: string;
}

/** A group created by {@link FakeInkPassSeed.group}. */
export interface FakeGroup {
  /** Group id. */
  id: string;
}

/** An organisation's Stripe subscription as the fake holds it (what Stripe's webhooks would have set). */
export interface FakeSubscription {
  /** `none`, `active`, `past_due` or `canceled`. */
  status: string;
  /** `free`, `pro`, `enterprise`, … (the price key of the checkout). */
  tier: string;
  /** Stripe's subscription id. */
  subscriptionId?: string | null;
  /** Stripe's customer id; the billing portal needs one. */
  stripeCustomerId?: string | null;
  /** When it ends (epoch ms). */
  endsAt?: number | null;
}

/** An organisation's billing configuration and checkouts, as the fake holds them. */
export interface FakeBilling {
  /** Whether `POST /billing/configure` was called. */
  configured: boolean;
  /** The price keys and their Stripe price ids. */
  prices: Record<string, string>;
  /** Whether a webhook secret was given. */
  hasWebhookSecret: boolean;
  /** The checkout sessions created, oldest first. */
  checkouts: Array<{
    /** The made-up Stripe session id (`cs_test_…`). */
    sessionId: string;
    /** The price key bought. */
    priceKey: string;
    /** The paying user's email. */
    customerEmail: string;
    /** Where Stripe would send the user after paying. */
    successUrl: string;
    /** Where Stripe would send the user after cancelling. */
    cancelUrl: string;
    /** The session's metadata, with inkPass's `organization_id` and `price_key`. */
    metadata: Record<string, string>;
  }>;
  /** The subscription. */
  subscription: FakeSubscription;
}

/** The seeding API: sets up state directly, without HTTP. */
export interface FakeInkPassSeed {
  /** Creates an organisation. */
  organization(input: { name: string; quotaBytes?: number }): FakeOrganization;
  /** Creates a user (active by default) with a membership. */
  user(input: SeedUserInput): FakeUser;
  /** Defines a permission in an organisation. */
  permission(input: {
    organizationId: string;
    resource: string;
    action: string;
    conditions?: Record<string, unknown>;
  }): FakePermission;
  /** Changes a user's membership role: the legacy role string (`owner` passes everything) and/or a template. */
  role(userId: string, role: { role?: string; roleTemplate?: RoleTemplate | null }): void;
  /** Grants a permission directly to a user. */
  grant(userId: string, permissionId: string): void;
  /** Creates a group with members and permissions. */
  group(input: {
    organizationId: string;
    name: string;
    members?: string[];
    permissions?: string[];
  }): FakeGroup;
  /**
   * Applies a permission template to an organisation (what upstream's registration or admin sync does),
   * so its roles can be listed and assigned. Seeding a user with a `roleTemplate` applies `AIOS_BUNDLE`
   * to an organisation that has none.
   */
  template(organizationId: string, name: TemplateName): void;
  /** Sets an organisation's subscription, as Stripe's webhooks would after a checkout. */
  subscription(organizationId: string, subscription: FakeSubscription): void;
  /** Stores a Den file as an agent upload would. */
  file(input: {
    organizationId: string;
    name: string;
    content: Uint8Array | string;
    contentType?: string;
    folderPath?: string;
    tags?: string[];
    workflowId?: string;
    agentId?: string;
    isTemporary?: boolean;
    expiresInHours?: number;
    isPublic?: boolean;
  }): Promise<FakeFile>;
}

/** A running fake inkPass. */
export interface FakeInkPass {
  /** Base URL, e.g. `http://127.0.0.1:40123`. */
  url: string;
  /** The clock everything follows. */
  clock: FakeClock;
  /** Scripted faults (503, resets, delays) for retry and fail-safe tests. */
  faults: FaultInjector;
  /** Every request received (bodies over 1 MiB, or streamed without a length, are recorded empty). */
  recorder: RequestRecorder;
  /** The seeding API. */
  seed: FakeInkPassSeed;
  /** The first Den service key (`X-Service-API-Key`). */
  serviceApiKey: string;
  /** The temporary directory holding Den files (removed by `close`). */
  storageDir: string;
  /** Users by id. */
  users: ReadonlyMap<string, FakeUser>;
  /** Organisations by id. */
  organizations: ReadonlyMap<string, FakeOrganization>;
  /** Den files by id (deleted ones included until hard-deleted). */
  files: ReadonlyMap<string, FakeFile>;
  /** An organisation's billing configuration, checkouts and subscription (`undefined` for an unknown one). */
  billing(organizationId: string): FakeBilling | undefined;
  /** The latest email-verification code mailed to `email`, as typed or normalised (what the user would read in the mail). */
  verificationCode(email: string): string | undefined;
  /** The latest password-reset code mailed to `email` (`forgotPassword`), as typed or normalised. */
  passwordResetCode(email: string): string | undefined;
  /** The latest email-change code mailed to the new address (`initiateEmailChange`). */
  emailChangeCode(newEmail: string): string | undefined;
  /** The token of the latest invitation mailed to `email` (created or resent), as the invitation link carries it. */
  invitationToken(email: string): string | undefined;
  /** Issues tokens for a user as a login would (a new session). */
  issueTokens(userId: string): Promise<IssuedTokens>;
  /** Stops the server and removes the storage directory (again: the first call's outcome). */
  close(): Promise<void>;
  /** {@link FakeInkPass.close}, for `await using fake = await startFakeInkPass()`. */
  [Symbol.asyncDispose](): Promise<void>;
}

interface StoredKey {
  id: string;
  name: string;
  organizationId: string;
  userId: string | null;
  scopes: string[];
  expiresAt: number | null;
  lastUsedAt: number | null;
  createdAt: number;
}

type Auth =
  | { kind: 'user'; user: StoredUser; sid: string }
  | { kind: 'api_key'; key: StoredKey }
  | { kind: 'anonymous' };

/**
 * The download's Content-Disposition as upstream builds it: an ASCII fallback where each non-ASCII character
 * is `?` (quotes and backslashes left as they are), and the name percent-encoded as Python's `quote` does
 * (only letters, digits, `_.-~` and `/` kept). Control characters, which no header may carry, become `?` too.
 */
function contentDisposition(name: string): string {
  const ascii = [...name].map((ch) => (/^[\x20-\x7e]$/.test(ch) ? ch : '?')).join('');
  const encoded = [...new TextEncoder().encode(name)]
    .map((byte) => {
      const ch = String.fromCharCode(byte);
      return /^[A-Za-z0-9_.~/-]$/.test(ch) ? ch : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
    })
    .join('');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

/**
 * How FastAPI (Starlette's router) answers a request no route takes, given the app's routes: a path some route
 * serves with other methods is 405 `{"detail":"Method Not Allowed"}` with `Allow` naming the methods of the first
 * such route (FastAPI adds no HEAD to its GET routes, so HEAD is 405 too); a path that only differs by a
 * trailing slash is a 307 redirect to that route; anything else is 404 `{"detail":"Not Found"}`.
 */
function fastApiRouting(routes: () => ReadonlyArray<{ method: string; path: string }>): MiddlewareHandler {
  let table: Array<{ method: string; pattern: RegExp }> | undefined;
  return async (c, next) => {
    table ??= routes()
      .filter((r) => r.method !== 'ALL')
      .map((r) => ({ method: r.method, pattern: new RegExp(`^${r.path.replace(/:[^/]+/g, '[^/]+')}$`) }));
    const url = new URL(c.req.url);
    const matching = table.filter((r) => r.pattern.test(url.pathname));
    if (matching.some((r) => r.method === c.req.method)) return next();
    if (matching.length > 0) {
      return c.json({ detail: 'Method Not Allowed' }, 405, { Allow: matching[0]!.method });
    }
    const other = url.pathname.endsWith('/') ? url.pathname.replace(/\/+$/, '') : `${url.pathname}/`;
    if (url.pathname !== '/' && table.some((r) => r.pattern.test(other))) {
      url.pathname = other;
      return c.body(null, 307, { location: url.href });
    }
    return c.json({ detail: 'Not Found' }, 404);
  };
}

/** Per-minute limits by route. Login counts per client and email; the fake has one client. */
const RATE_LIMITS: Array<[method: string, path: string, limit: number]> = [
  ['POST', '/api/v1/auth/register', 3],
  ['POST', '/api/v1/auth/login', 10],
  ['POST', '/api/v1/auth/logout', 10],
  ['POST', '/api/v1/auth/refresh', 10],
  ['POST', '/api/v1/auth/verify-email', 5],
  ['POST', '/api/v1/auth/2fa/setup', 5],
  ['POST', '/api/v1/auth/2fa/enable', 5],
  ['POST', '/api/v1/auth/2fa/disable', 5],
  ['POST', '/api/v1/auth/2fa/verify', 5],
  ['POST', '/api/v1/auth/resend-verification', 3],
  ['POST', '/api/v1/auth/forgot-password', 3],
  ['POST', '/api/v1/auth/reset-password', 5],
  ['POST', '/api/v1/auth/2fa/backup-codes', 5],
  ['PATCH', '/api/v1/auth/profile', 10],
  ['POST', '/api/v1/auth/email-change/initiate', 3],
  ['POST', '/api/v1/auth/email-change/confirm', 3],
  ['GET', '/api/v1/auth/me', 30],
  ['POST', '/api/v1/invitations', 10],
  ['POST', '/api/v1/invitations/accept', 5],
  ['POST', '/api/v1/auth/check', 200],
];

function rateLimiter(clock: FakeClock) {
  const windows = new Map<string, { start: number; count: number }>();
  return async (c: Context, next: () => Promise<void>) => {
    const path = new URL(c.req.url).pathname;
    const rule = RATE_LIMITS.find(([method, p]) => method === c.req.method && p === path);
    if (!rule) return next();
    let key = `${rule[0]} ${rule[1]}`;
    if (path.endsWith('/login')) {
      const email = (
        await c.req.raw
          .clone()
          .json()
          .catch(() => ({}))
      )?.email;
      key += ` ${typeof email === 'string' ? email.toLowerCase() : ''}`;
    }
    const now = clock.now();
    const current = windows.get(key);
    const window = current && now - current.start < 60_000 ? current : { start: now, count: 0 };
    windows.set(key, window);
    window.count++;
    if (window.count > rule[2]) {
      return c.json({ detail: `Rate limit exceeded: ${rule[2]} requests per 60 seconds` }, 429);
    }
    return next();
  };
}

/**
 * Starts a fake inkPass on a loopback port.
 *
 * @example
 * ```ts
 * const fake = await startFakeInkPass();
 * const ada = fake.seed.user({ email: 'ada@example.com', password: 'SecurePassword123!' });
 * const client = new InkPassClient({ baseUrl: fake.url });
 * const tokens = await client.login({ email: ada.email, password: 'SecurePassword123!' });
 * await fake.close();
 * ```
 */
export async function startFakeInkPass(options: FakeInkPassOptions = {}): Promise<FakeInkPass> {
  const clock = options.clock ?? new WallClock();
  const secret = utf8Encode(options.jwtSecret ?? base64UrlEncode(randomBytes(32)));
  const serviceKeys = options.serviceApiKeys ?? { tentacle: 'sk_tentacle_test' };
  const maxFileBytes = options.maxFileSizeBytes ?? MAX_FILE_SIZE_BYTES;
  const defaultQuota = options.orgQuotaBytes ?? DEFAULT_ORG_QUOTA_BYTES;
  const storageDir = await mkdtemp(join(tmpdir(), 'fake-inkpass-den-'));

  const users = new Map<string, StoredUser>();
  const orgs = new Map<string, FakeOrganization>();
  const permissions = new Map<string, FakePermission>();
  const directGrants = new Map<string, Set<string>>();
  const groups = new Map<string, StoredGroup>();
  const sessions = new Map<string, { userId: string; expiresAt: number }>();
  const apiKeys = new Map<string, StoredKey>(); // by SHA-256 of the secret
  const billing = new Map<string, FakeBilling>(); // by organisation id
  const billingOf = (organizationId: string): FakeBilling => {
    let b = billing.get(organizationId);
    if (!b) {
      b = {
        configured: false,
        prices: {},
        hasWebhookSecret: false,
        checkouts: [],
        subscription: { status: 'none', tier: 'free' },
      };
      billing.set(organizationId, b);
    }
    return b;
  };
  const codes = new Map<string, { code: string; expiresAt: number }>(); // email verification by email
  const otps: StoredOtp[] = []; // password reset and email change
  const mail = new Map<string, Map<string, string>>(); // recipient → kind → latest code
  const files = new Map<string, FakeFile>();

  const nowS = () => Math.floor(clock.now() / 1000);
  // Synchronous so seeding stays synchronous (a fake: no slow KDF needed).
  const hashPassword = (password: string) =>
    createHash('sha256').update(`fake-inkpass:${password}`).digest('hex');
  const userByEmail = (email: string) => [...users.values()].find((u) => u.email === email);

  function slugFor(name: string): string {
    const base =
      name
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, '-')
        .replace(/^-+|-+$/g, '') || 'org';
    const taken = new Set([...orgs.values()].map((o) => o.slug));
    if (!taken.has(base)) return base;
    for (let i = 1; ; i++) if (!taken.has(`${base}-${i}`)) return `${base}-${i}`;
  }

  function createOrganization(
    name: string,
    quotaBytes = defaultQuota,
    slug = slugFor(name),
  ): FakeOrganization {
    const org = { id: randomUUID(), name, slug, usedBytes: 0, quotaBytes };
    orgs.set(org.id, org);
    return org;
  }

  function issueCode(email: string): string {
    const code = String(
      Number.parseInt(Buffer.from(randomBytes(4)).toString('hex'), 16) % 1_000_000,
    ).padStart(6, '0');
    codes.set(email, { code, expiresAt: clock.now() + OTP_TTL_MS });
    return code;
  }

  async function tokensFor(user: StoredUser) {
    const sid = base64UrlEncode(randomBytes(24));
    sessions.set(await sha256Hex(sid), { userId: user.id, expiresAt: clock.now() + REFRESH_TTL_S * 1000 });
    const claims = { email: user.email, organization_id: user.organizationId, sid };
    const accessToken = await sign(user.id, claims, ACCESS_TTL_S);
    const refreshToken = await sign(user.id, { ...claims, type: 'refresh' }, REFRESH_TTL_S);
    return { accessToken, refreshToken };
  }

  function sign(sub: string, claims: Record<string, unknown>, ttl: number) {
    return new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(sub)
      .setIssuedAt(nowS())
      .setExpirationTime(nowS() + ttl)
      .sign(secret);
  }

  /** The user and session of a token, or undefined (signature, expiry, active user, live session). */
  async function verifyToken(token: string, wantRefresh: boolean) {
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(token, secret, {
        algorithms: ['HS256'],
        currentDate: new Date(clock.now()),
      }));
    } catch {
      return undefined;
    }
    // Upstream quirk kept: access checks ignore `type`, so a refresh token also works as a bearer token.
    if (wantRefresh && payload['type'] !== 'refresh') return undefined;
    const sub = payload['sub'];
    const sid = payload['sid'];
    if (typeof sub !== 'string' || typeof sid !== 'string') return undefined;
    const user = users.get(sub);
    if (user?.status !== 'active') return undefined;
    const session = sessions.get(await sha256Hex(sid));
    if (!session || session.userId !== user.id || session.expiresAt <= clock.now()) return undefined;
    return { user, sid };
  }

  async function authOf(c: Context): Promise<Auth> {
    const authorization = c.req.header('authorization');
    const bearer = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1];
    if (bearer) {
      const found = await verifyToken(bearer, false);
      if (found) return { kind: 'user', ...found };
    }
    const key = c.req.header('x-api-key');
    if (key) {
      const stored = apiKeys.get(await sha256Hex(key));
      if (stored && (stored.expiresAt === null || stored.expiresAt > clock.now())) {
        stored.lastUsedAt = clock.now();
        return { kind: 'api_key', key: stored };
      }
    }
    return { kind: 'anonymous' };
  }

  /** The permission decision, with ABAC conditions evaluated on `context`. */
  function decide(user: StoredUser, resource: string, action: string, context: Record<string, unknown>) {
    const m = user.membership;
    if (
      m.roleTemplate &&
      roleGrantsPermission(m.roleTemplate, resource, action, roles.templateOf(m.organizationId))
    )
      return true;
    if (m.role === 'owner') return true;
    const candidates = new Set(directGrants.get(user.id) ?? []);
    for (const g of groups.values()) {
      if (g.members.has(user.id)) for (const p of g.permissions) candidates.add(p);
    }
    for (const id of candidates) {
      const p = permissions.get(id);
      if (!p || p.organizationId !== m.organizationId) continue;
      if (p.resource === resource && p.action === action && conditionsMatch(p.conditions, context))
        return true;
    }
    return false;
  }

  async function readJson(c: Context): Promise<Record<string, unknown> | undefined> {
    try {
      const body = await c.req.json();
      return typeof body === 'object' && body !== null && !Array.isArray(body) ? body : undefined;
    } catch {
      return undefined;
    }
  }

  /** Checks a JSON body against required/optional string fields; answers the first problem as 422. */
  function requireStrings(c: Context, body: Record<string, unknown> | undefined, names: string[]) {
    if (!body) return unprocessable(c, ['body'], 'Input should be a valid dictionary', 'dict_type');
    for (const name of names) {
      if (body[name] === undefined || body[name] === null) {
        return unprocessable(c, ['body', name], 'Field required', 'missing');
      }
      if (typeof body[name] !== 'string') {
        return unprocessable(c, ['body', name], 'Input should be a valid string', 'string_type');
      }
    }
    return undefined;
  }

  /** The normalised email of a request body, or the server's 422 for an address it refuses. */
  function validEmail(c: Context, email: string, field = 'email'): string | Response {
    return (
      normaliseServerEmail(email) ??
      unprocessable(c, ['body', field], 'value is not a valid email address: The email address is not valid.')
    );
  }

  const app = new Hono();
  const recorder = createRequestRecorder();
  const faults = createFaultInjector();
  app.use(fakeCors(options.cors));
  app.use(async (c, next) => {
    // The recorder reads a copy of every body; for a large (or unsized) upload that copy would hold the
    // whole file in memory, so such requests are recorded with an empty body and their declared size.
    const length = c.req.header('content-length');
    if (c.req.raw.body && (length === undefined || Number(length) > RECORDED_BODY_LIMIT)) {
      const url = new URL(c.req.url);
      const query: Record<string, string | string[]> = {};
      for (const key of new Set(url.searchParams.keys())) {
        const values = url.searchParams.getAll(key);
        query[key] = values.length > 1 ? values : values[0]!;
      }
      recorder.requests.push({
        method: c.req.method,
        path: url.pathname,
        query,
        headers: Object.fromEntries(c.req.raw.headers),
        body: '',
        bodyBytes: length === undefined ? -1 : Number(length),
      });
      return next();
    }
    return recorder.middleware(c, next);
  });
  app.use(faults.middleware);
  app.use(fastApiRouting(() => app.routes));
  if (options.rateLimits) app.use(rateLimiter(clock));

  app.get('/health', (c) => c.json({ status: 'healthy', service: 'inkpass' }));

  const ctx: FakeContext = {
    app,
    clock,
    users,
    orgs,
    otps,
    mail,
    groups,
    permissions,
    directGrants,
    extraMemberships: [],
    createOrganization: (name, slug) => createOrganization(name, defaultQuota, slug),
    templateOf: (organizationId) => roles.templateOf(organizationId),
    sign,
    userByEmail,
    hashPassword,
    async endSessions(userId) {
      for (const [key, session] of sessions) if (session.userId === userId) sessions.delete(key);
    },
    requireUser: (c) => requireUser(c),
    permitted: (c, resource, action) => permitted(c, resource, action),
    readJson,
    requireStrings,
    validEmail,
  };
  registerAccountRoutes(ctx);
  const admin = registerAdminRoutes(ctx);
  const roles = registerRoleRoutes(ctx);
  /** Seeding a role template gives the organisation a template to have it from: the platform bundle. */
  const ensureTemplate = (organizationId: string) => {
    if (!roles.templateOf(organizationId)) roles.apply(organizationId, 'AIOS_BUNDLE');
  };

  // ---- auth ----------------------------------------------------------------------------------------
  app.post('/api/v1/auth/register', async (c) => {
    const body = await readJson(c);
    const missing = requireStrings(c, body, ['email', 'password', 'first_name', 'last_name']);
    if (missing) return missing;
    const b = body as Record<string, string>;
    const email = validEmail(c, b['email']!);
    if (email instanceof Response) return email;
    let first: string;
    let last: string;
    let orgName: string | undefined;
    try {
      first = checkPersonName(b['first_name'], 'first_name');
      last = checkPersonName(b['last_name'], 'last_name');
    } catch (error) {
      const field = (error as { fieldErrors?: Array<{ field: string }> }).fieldErrors?.[0]?.field ?? 'name';
      return unprocessable(
        c,
        ['body', field],
        `Value error, ${(error as Error).message.split(': ').slice(1).join(': ')}`,
      );
    }
    try {
      orgName = checkOrganizationName(b['organization_name'], 'organization_name');
    } catch (error) {
      return unprocessable(
        c,
        ['body', 'organization_name'],
        `Value error, ${(error as Error).message.split(': ').slice(1).join(': ')}`,
      );
    }
    // Same generic text for a taken email and a short password: no account enumeration.
    if ([...b['password']!].length < MIN_PASSWORD_LENGTH || userByEmail(email)) {
      return detail(c, 400, 'Registration could not be completed');
    }
    const org = createOrganization(orgName ?? `${first}'s Organization`);
    const user: StoredUser = {
      id: randomUUID(),
      email,
      firstName: first,
      lastName: last,
      organizationId: org.id,
      status: 'pending',
      twoFaSecret: null,
      passwordHash: hashPassword(b['password']!),
      // As upstream's registration: the legacy role string `owner`, no role template (so the role
      // permissions list is empty while the owner shortcut still passes every check).
      membership: { organizationId: org.id, role: 'owner' },
    };
    users.set(user.id, user);
    issueCode(email);
    return c.json(
      {
        user_id: user.id,
        email,
        organization_id: org.id,
        status: 'pending',
        message: 'Please check your email for the verification code',
      },
      201,
    );
  });

  app.post('/api/v1/auth/verify-email', async (c) => {
    const body = await readJson(c);
    const missing = requireStrings(c, body, ['email', 'code']);
    if (missing) return missing;
    const email = validEmail(c, (body as Record<string, string>)['email']!);
    if (email instanceof Response) return email;
    const code = (body as Record<string, string>)['code'];
    const user = userByEmail(email);
    const stored = codes.get(email);
    if (user && user.status === 'active') return c.json({ message: 'Email already verified' });
    if (!user || !stored || stored.expiresAt <= clock.now() || stored.code !== code) {
      return detail(c, 400, 'Invalid or expired verification code');
    }
    codes.delete(email);
    user.status = 'active';
    return c.json({ message: 'Email verified successfully' });
  });

  app.post('/api/v1/auth/resend-verification', async (c) => {
    const body = await readJson(c);
    const missing = requireStrings(c, body, ['email']);
    if (missing) return missing;
    const email = validEmail(c, (body as Record<string, string>)['email']!);
    if (email instanceof Response) return email;
    const user = userByEmail(email);
    if (!user) return c.json({ message: 'If the email exists and is unverified, a new code has been sent' });
    if (user.status === 'active') return c.json({ message: 'Email already verified' });
    issueCode(user.email);
    return c.json({ message: 'Verification code sent' });
  });

  app.post('/api/v1/auth/login', async (c) => {
    const body = await readJson(c);
    const missing = requireStrings(c, body, ['email', 'password']);
    if (missing) return missing;
    const b = body as Record<string, unknown>;
    const email = validEmail(c, b['email'] as string);
    if (email instanceof Response) return email;
    const user = userByEmail(email);
    if (!user || user.passwordHash !== hashPassword(b['password'] as string)) {
      return detail(c, 401, 'Invalid email or password');
    }
    if (user.status === 'pending') {
      return detail(c, 401, 'Email not verified. Please check your email for the verification code.');
    }
    if (user.status !== 'active') return detail(c, 401, 'User account is not active');
    if (user.twoFaSecret) {
      const code = b['two_fa_code'];
      if (typeof code !== 'string' || !code) return detail(c, 401, '2FA code required');
      if (!totpMatches(user.twoFaSecret, code)) return detail(c, 401, 'Invalid 2FA code');
    }
    const { accessToken, refreshToken } = await tokensFor(user);
    return c.json({
      access_token: accessToken,
      refresh_token: refreshToken,
      token_type: 'bearer',
      expires_in: ACCESS_TTL_S,
    });
  });

  function totpMatches(secretB32: string, code: string) {
    // ±1 time step, as pyotp's valid_window=1.
    return [-30_000, 0, 30_000].some((skew) => totp(secretB32, clock.now() + skew) === code);
  }

  app.post('/api/v1/auth/refresh', async (c) => {
    const token = c.req.query('refresh_token');
    if (token === undefined) return unprocessable(c, ['query', 'refresh_token'], 'Field required', 'missing');
    const found = await verifyToken(token, true);
    if (!found) return detail(c, 401, 'Invalid refresh token');
    const claims = { email: found.user.email, organization_id: found.user.organizationId, sid: found.sid };
    return c.json({
      access_token: await sign(found.user.id, claims, ACCESS_TTL_S),
      token_type: 'bearer',
      expires_in: ACCESS_TTL_S,
    });
  });

  app.post('/api/v1/auth/logout', async (c) => {
    const bearer = /^Bearer\s+(\S+)$/i.exec(c.req.header('authorization') ?? '')?.[1];
    if (!bearer) return detail(c, 401, 'Authentication required');
    const found = await verifyToken(bearer, false);
    if (!found) return detail(c, 401, 'Invalid or expired token');
    sessions.delete(await sha256Hex(found.sid));
    return c.json({ message: 'Logged out successfully' });
  });

  app.get('/api/v1/auth/me', async (c) => {
    const auth = await authOf(c);
    if (auth.kind === 'user') {
      const u = auth.user;
      return c.json({
        id: u.id,
        email: u.email,
        first_name: u.firstName,
        last_name: u.lastName,
        organization_id: u.organizationId,
        status: u.status,
        two_fa_enabled: u.twoFaSecret !== null,
        auth_type: 'user',
      });
    }
    if (auth.kind === 'api_key') {
      const k = auth.key;
      return c.json({
        id: k.id,
        name: k.name,
        organization_id: k.organizationId,
        user_id: k.userId,
        scopes: k.scopes,
        auth_type: 'api_key',
      });
    }
    return detail(c, 401, 'Authentication required');
  });

  // Routes that check the caller inside (no permission dependency) see FastAPI validate their query and
  // body first: a missing field is a 422 even without a token.
  app.post('/api/v1/auth/check', async (c) => {
    const resource = c.req.query('resource');
    const action = c.req.query('action');
    if (resource === undefined) return unprocessable(c, ['query', 'resource'], 'Field required', 'missing');
    if (action === undefined) return unprocessable(c, ['query', 'action'], 'Field required', 'missing');
    const auth = await authOf(c);
    if (auth.kind !== 'user') return detail(c, 401, 'Authentication required');
    // Upstream ignores the body; the fake evaluates ABAC conditions on it (our users rely on them).
    const context = (await readJson(c)) ?? {};
    return c.json({
      has_permission: decide(auth.user, resource, action, context),
      user_id: auth.user.id,
      organization_id: auth.user.organizationId,
    });
  });

  async function requireUser(c: Context): Promise<StoredUser | Response> {
    const auth = await authOf(c);
    if (auth.kind !== 'user') return detail(c, 401, 'Authentication required');
    return auth.user;
  }

  /** Upstream's `Depends(require_permission(resource, action))`: a user (401) who holds the pair (403). */
  async function permitted(c: Context, resource: string, action: string): Promise<StoredUser | Response> {
    const user = await requireUser(c);
    if (user instanceof Response) return user;
    if (!decide(user, resource, action, {}))
      return detail(c, 403, `Permission denied: ${resource}:${action}`);
    return user;
  }

  app.post('/api/v1/auth/2fa/setup', async (c) => {
    const user = await requireUser(c);
    if (user instanceof Response) return user;
    const secretB32 = base32Encode(randomBytes(20));
    const uri = `otpauth://totp/inkPass:${encodeURIComponent(user.email)}?secret=${secretB32}&issuer=inkPass`;
    return c.json({ secret: secretB32, qr_code: qrCodeDataUrl(uri), uri });
  });

  app.post('/api/v1/auth/2fa/enable', async (c) => {
    const body = await readJson(c);
    const missing = requireStrings(c, body, ['secret', 'verification_code']);
    if (missing) return missing;
    const user = await requireUser(c);
    if (user instanceof Response) return user;
    const { secret: s, verification_code: code } = body as Record<string, string>;
    if (!totpMatches(s!, code!)) return detail(c, 400, 'Invalid verification code');
    user.twoFaSecret = s!;
    return c.json({ message: '2FA enabled successfully', backup_codes: backupCodes() });
  });

  app.post('/api/v1/auth/2fa/disable', async (c) => {
    const user = await requireUser(c);
    if (user instanceof Response) return user;
    user.twoFaSecret = null;
    return c.json({ message: '2FA disabled successfully' });
  });

  app.post('/api/v1/auth/2fa/verify', async (c) => {
    const body = await readJson(c);
    const missing = requireStrings(c, body, ['code']);
    if (missing) return missing;
    const user = await requireUser(c);
    if (user instanceof Response) return user;
    const code = (body as Record<string, string>)['code']!;
    if (!user.twoFaSecret || !totpMatches(user.twoFaSecret, code)) return detail(c, 400, 'Invalid 2FA code');
    return c.json({ message: '2FA code verified' });
  });

  // ---- API keys and permissions ---------------------------------------------------------------------
  app.post('/api/v1/api-keys', async (c) => {
    const user = await requireUser(c);
    if (user instanceof Response) return user;
    if (!decide(user, 'api_keys', 'create', {})) return detail(c, 403, 'Permission denied: api_keys:create');
    const body = await readJson(c);
    const missing = requireStrings(c, body, ['name']);
    if (missing) return missing;
    const b = body as Record<string, unknown>;
    const scopes = Array.isArray(b['scopes']) ? (b['scopes'] as unknown[]).map(String) : [];
    const days = b['expires_in_days'];
    if (days !== undefined && days !== null && !Number.isInteger(days)) {
      return unprocessable(c, ['body', 'expires_in_days'], 'Input should be a valid integer', 'int_type');
    }
    const secretKey = `inkpass_${base64UrlEncode(randomBytes(32))}`;
    const stored: StoredKey = {
      id: randomUUID(),
      name: b['name'] as string,
      organizationId: user.organizationId,
      userId: user.id,
      scopes,
      expiresAt: typeof days === 'number' ? clock.now() + days * 86_400_000 : null,
      lastUsedAt: null,
      createdAt: clock.now(),
    };
    apiKeys.set(await sha256Hex(secretKey), stored);
    return c.json(
      { api_key: secretKey, id: stored.id, name: stored.name, scopes, expires_at: iso(stored.expiresAt) },
      201,
    );
  });

  // Upstream lists the organisation's keys for an API key, and only the user's own for a user token.
  app.get('/api/v1/api-keys', async (c) => {
    const auth = await authOf(c);
    if (auth.kind === 'anonymous') return detail(c, 401, 'Authentication required');
    const organizationId = auth.kind === 'user' ? auth.user.organizationId : auth.key.organizationId;
    const userId = auth.kind === 'user' ? auth.user.id : undefined;
    const listed = [...apiKeys.values()].filter(
      (k) => k.organizationId === organizationId && (userId === undefined || k.userId === userId),
    );
    return c.json(
      listed.map((k) => ({
        id: k.id,
        name: k.name,
        scopes: k.scopes,
        expires_at: iso(k.expiresAt),
        last_used_at: iso(k.lastUsedAt),
      })),
    );
  });

  // An unknown id is 403 "Access denied" upstream, the same answer as another organisation's key.
  app.delete('/api/v1/api-keys/:id', async (c) => {
    const user = await requireUser(c);
    if (user instanceof Response) return user;
    if (!decide(user, 'api_keys', 'delete', {})) return detail(c, 403, 'Permission denied: api_keys:delete');
    const id = c.req.param('id');
    const entry = [...apiKeys.entries()].find(([, k]) => k.id === id);
    if (!entry || entry[1].organizationId !== user.organizationId) return detail(c, 403, 'Access denied');
    apiKeys.delete(entry[0]);
    return c.json({ message: 'API key revoked successfully' });
  });

  // ---- billing (upstream routes/billing.py; Stripe itself is not called: sessions and URLs are made up) ----
  const billingPermission = (c: Context, action: string) => permitted(c, 'billing', action);

  app.post('/api/v1/billing/configure', async (c) => {
    const body = await readJson(c);
    const missing = requireStrings(c, body, ['stripe_api_key']);
    if (missing) return missing;
    const b = body as Record<string, unknown>;
    const secret = b['stripe_webhook_secret'];
    if (secret !== undefined && secret !== null && typeof secret !== 'string')
      return unprocessable(
        c,
        ['body', 'stripe_webhook_secret'],
        'Input should be a valid string',
        'string_type',
      );
    const prices = b['prices'];
    if (prices !== undefined && prices !== null) {
      if (typeof prices !== 'object' || Array.isArray(prices))
        return unprocessable(c, ['body', 'prices'], 'Input should be a valid dictionary', 'dict_type');
      for (const [key, value] of Object.entries(prices))
        if (typeof value !== 'string')
          return unprocessable(c, ['body', 'prices', key], 'Input should be a valid string', 'string_type');
    }
    // Only a service (API key) may configure billing; a user token is refused even for an owner.
    const auth = await authOf(c);
    if (auth.kind !== 'api_key') return detail(c, 403, 'API key authentication required for this operation');
    const organizationId = auth.key.organizationId;
    if (!orgs.has(organizationId)) return detail(c, 400, `Organization not found: ${organizationId}`);
    const config = billingOf(organizationId);
    config.configured = true;
    config.prices = { ...((prices as Record<string, string> | null | undefined) ?? {}) };
    config.hasWebhookSecret = typeof secret === 'string' && secret !== '';
    return c.json({
      configured: true,
      organization_id: organizationId,
      has_webhook_secret: config.hasWebhookSecret,
      price_ids: Object.keys(config.prices),
    });
  });

  app.post('/api/v1/billing/checkout', async (c) => {
    const user = await billingPermission(c, 'create');
    if (user instanceof Response) return user;
    const body = await readJson(c);
    const missing = requireStrings(c, body, ['price_key', 'success_url', 'cancel_url']);
    if (missing) return missing;
    const b = body as Record<string, string>;
    const config = billingOf(user.organizationId);
    if (!config.configured)
      return detail(c, 400, `Billing not configured for organization ${user.organizationId}`);
    if (!Object.hasOwn(config.prices, b['price_key']!))
      return detail(c, 400, `Price key not found: ${b['price_key']}`);
    const metadata = (body as Record<string, unknown>)['metadata'];
    const sessionId = `cs_test_${base64UrlEncode(randomBytes(18))}`;
    config.checkouts.push({
      sessionId,
      priceKey: b['price_key']!,
      customerEmail: user.email,
      successUrl: b['success_url']!,
      cancelUrl: b['cancel_url']!,
      metadata: {
        organization_id: user.organizationId,
        price_key: b['price_key']!,
        ...(typeof metadata === 'object' && metadata !== null ? (metadata as Record<string, string>) : {}),
      },
    });
    return c.json({ session_id: sessionId, url: `https://checkout.stripe.com/c/pay/${sessionId}` }, 201);
  });

  app.get('/api/v1/billing/subscription', async (c) => {
    const user = await billingPermission(c, 'view');
    if (user instanceof Response) return user;
    const sub = billingOf(user.organizationId).subscription;
    return c.json({
      status: sub.status,
      tier: sub.tier,
      subscription_id: sub.subscriptionId ?? null,
      stripe_customer_id: sub.stripeCustomerId ?? null,
      ends_at: sub.endsAt === undefined || sub.endsAt === null ? null : iso(sub.endsAt),
    });
  });

  app.post('/api/v1/billing/portal', async (c) => {
    const user = await billingPermission(c, 'manage');
    if (user instanceof Response) return user;
    const body = await readJson(c);
    const missing = requireStrings(c, body, ['return_url']);
    if (missing) return missing;
    const customer = billingOf(user.organizationId).subscription.stripeCustomerId;
    if (!customer) return detail(c, 400, 'No Stripe customer ID found for organization');
    return c.json({ url: `https://billing.stripe.com/p/session/test_${base64UrlEncode(randomBytes(12))}` });
  });

  // Upstream needs a user here (billing:view), so an API key gets 401, although the Python SDK asks with one.
  app.get('/api/v1/billing/configured', async (c) => {
    const user = await billingPermission(c, 'view');
    if (user instanceof Response) return user;
    return c.json({ configured: billingOf(user.organizationId).configured });
  });

  app.get('/api/v1/permissions', async (c) => {
    const user = await requireUser(c);
    if (user instanceof Response) return user;
    return c.json(
      [...permissions.values()]
        .filter((p) => p.organizationId === user.organizationId)
        .map((p) => ({ id: p.id, resource: p.resource, action: p.action, conditions: p.conditions })),
    );
  });

  // ---- Den ------------------------------------------------------------------------------------------
  async function serviceAuth(c: Context): Promise<Response | undefined> {
    const presented = c.req.header('x-service-api-key');
    if (!presented) return detail(c, 401, 'Missing X-Service-API-Key header');
    const p = utf8Encode(presented);
    let ok = false;
    // Every configured key is compared, each in constant time, so timing does not tell which one matched.
    for (const key of Object.values(serviceKeys)) {
      const k = utf8Encode(key);
      const same = constantTimeEqual(k.length === p.length ? k : p, p) && k.length === p.length;
      ok = ok || same;
    }
    return ok ? undefined : detail(c, 401, 'Invalid service API key');
  }

  /** Removes temporary files whose expiry passed (the fake enforces what upstream only records). */
  async function sweepExpired() {
    for (const file of files.values()) {
      if (file.isTemporary && file.expiresAt !== null && file.expiresAt <= clock.now()) {
        await hardDelete(file);
      }
    }
  }

  async function hardDelete(file: FakeFile) {
    files.delete(file.id);
    const org = orgs.get(file.organizationId);
    if (org) org.usedBytes -= file.sizeBytes;
    await rm(file.path, { force: true });
  }

  const fileJson = (f: FakeFile, cdnUrl: string | null = null) => ({
    id: f.id,
    organization_id: f.organizationId,
    name: f.name,
    storage_key: f.storageKey,
    content_type: f.contentType,
    size_bytes: f.sizeBytes,
    checksum_sha256: f.checksumSha256,
    folder_path: f.folderPath,
    tags: f.tags,
    custom_metadata: {},
    created_by_user_id: f.createdByUserId,
    created_by_agent: f.createdByAgent,
    workflow_id: f.workflowId,
    status: f.status,
    is_temporary: f.isTemporary,
    is_public: f.isPublic,
    cdn_url: cdnUrl,
    created_at: iso(f.createdAt),
    updated_at: iso(f.updatedAt),
    expires_at: iso(f.expiresAt),
  });

  function storageKeyFor(orgId: string, folder: string, name: string) {
    const inner = folder.replace(/^\/+|\/+$/g, '');
    const prefix = Buffer.from(randomBytes(4)).toString('hex');
    return inner ? `${orgId}/${inner}/${prefix}_${name}` : `${orgId}/${prefix}_${name}`;
  }

  const truthy = (value: string | undefined) => value === 'true' || value === '1';

  /** The active file `id` of the query's `org_id` (or of `orgId`), or a 404 answer. */
  async function findFile(c: Context, orgId = c.req.query('org_id')): Promise<FakeFile | Response> {
    await sweepExpired();
    if (!orgId) return unprocessable(c, ['query', 'org_id'], 'Field required', 'missing');
    const file = files.get(c.req.param('id') ?? '');
    if (!file || file.organizationId !== orgId || file.status !== 'active') {
      return detail(c, 404, 'File not found');
    }
    return file;
  }

  /** Receives the multipart part `file` into a new storage path, or answers the server's refusal. */
  async function receiveUpload(c: Context) {
    const id = randomUUID();
    const path = join(storageDir, id);
    let received: Awaited<ReturnType<typeof receiveMultipartFile>>;
    try {
      if (!c.req.raw.body) throw new MalformedMultipart('no body');
      received = await receiveMultipartFile(
        c.req.raw.body,
        c.req.header('content-type') ?? '',
        path,
        maxFileBytes,
      );
    } catch (error) {
      await rm(path, { force: true });
      if (error instanceof FileTooLarge) {
        return detail(c, 413, `File too large. Maximum size is ${maxFileBytes} bytes`);
      }
      if (error instanceof MalformedMultipart)
        return unprocessable(c, ['body', 'file'], 'Field required', 'missing');
      // The client went away mid-upload (e.g. it stopped an oversize stream): nothing stored, nobody to answer.
      return detail(c, 400, 'Upload aborted');
    }
    if (!received) {
      await rm(path, { force: true });
      return unprocessable(c, ['body', 'file'], 'Field required', 'missing');
    }
    return { ...received, path };
  }

  /** Answers a stored file (201), or the quota's 413 after removing the bytes. */
  async function stored(c: Context, result: FakeFile | { error: string }, path: string) {
    if (!('error' in result)) return c.json(fileJson(result), 201);
    await rm(path, { force: true });
    return result.error.startsWith('Storage quota')
      ? detail(c, 413, result.error)
      : detail(c, 500, 'Internal Server Error');
  }

  /** Copies a file as upstream's duplicate does (a new, permanent file; the quota checked first). */
  async function duplicateOf(c: Context, source: FakeFile, createdByAgent: string | null) {
    const org = orgs.get(source.organizationId)!;
    if (org.usedBytes + source.sizeBytes > org.quotaBytes)
      return detail(c, 413, `Storage quota exceeded. Cannot duplicate file of ${source.sizeBytes} bytes.`);
    const path = join(storageDir, randomUUID());
    await copyFile(source.path, path);
    const copy = await storeFile({
      organizationId: source.organizationId,
      name: c.req.query('new_name') || `Copy of ${source.name}`,
      contentType: source.contentType,
      size: source.sizeBytes,
      sha256: source.checksumSha256 ?? '',
      path,
      folderPath: c.req.query('new_folder') || source.folderPath,
      tags: [...source.tags],
      workflowId: null,
      createdByAgent,
      isTemporary: false,
      expiresInHours: undefined,
      isPublic: source.isPublic,
    });
    return stored(c, copy, path);
  }

  /**
   * Streams a file's bytes with the server's Content-Disposition and, as upstream's `StreamingResponse`, no
   * Content-Length (the answer is chunked).
   */
  function sendContent(file: FakeFile) {
    const stream = Readable.toWeb(createReadStream(file.path)) as unknown as ReadableStream<Uint8Array>;
    return new Response(stream, {
      headers: { 'content-type': file.contentType, 'content-disposition': contentDisposition(file.name) },
    });
  }

  /** Moves and/or renames a file as upstream's move does (an empty name renames nothing). */
  function moveFile(c: Context, file: FakeFile) {
    const newFolder = c.req.query('new_folder');
    const newName = c.req.query('new_name');
    if (newFolder === undefined && newName === undefined) {
      return detail(c, 400, 'At least one of new_folder or new_name must be provided');
    }
    if (newFolder !== undefined) {
      let folder = newFolder.startsWith('/') ? newFolder : `/${newFolder}`;
      if (folder.length > 1) folder = folder.replace(/\/+$/, '') || '/';
      file.folderPath = folder;
    }
    if (newName) file.name = newName;
    file.updatedAt = clock.now();
    return c.json(fileJson(file));
  }

  /** A list query's paging, or its 422. */
  function paging(c: Context): { limit: number; offset: number } | Response {
    const limit = Number(c.req.query('limit') ?? 100);
    const offset = Number(c.req.query('offset') ?? 0);
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
      return unprocessable(c, ['query', 'limit'], 'Input should be less than or equal to 1000');
    }
    if (!Number.isInteger(offset) || offset < 0) {
      return unprocessable(c, ['query', 'offset'], 'Input should be greater than or equal to 0');
    }
    return { limit, offset };
  }

  /** The active files of `orgId` matching the list query's filters, newest first, as a page. */
  function listOf(
    c: Context,
    orgId: string,
    page: { limit: number; offset: number },
    includeTemporary: boolean,
  ) {
    const folder = c.req.query('folder_path');
    const workflowId = c.req.query('workflow_id');
    const tags = c.req.queries('tags') ?? [];
    const search = c.req.query('search')?.toLowerCase();
    const matching = [...files.values()]
      .filter(
        (f) =>
          f.organizationId === orgId &&
          f.status === 'active' &&
          (folder === undefined || f.folderPath === folder) &&
          (workflowId === undefined || f.workflowId === workflowId) &&
          tags.every((t) => f.tags.includes(t)) &&
          (search === undefined || f.name.toLowerCase().includes(search)) &&
          (includeTemporary || !f.isTemporary),
      )
      .sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? -1 : 1));
    return c.json({
      files: matching.slice(page.offset, page.offset + page.limit).map((f) => fileJson(f)),
      total: matching.length,
      ...page,
    });
  }

  async function storeFile(input: {
    organizationId: string;
    name: string;
    contentType: string;
    size: number;
    sha256: string;
    path: string;
    folderPath: string;
    tags: string[];
    workflowId: string | null;
    createdByAgent: string | null;
    createdByUserId?: string | null;
    isTemporary: boolean;
    expiresInHours: number | undefined;
    isPublic: boolean;
  }): Promise<FakeFile | { error: string }> {
    const org = orgs.get(input.organizationId);
    if (!org) return { error: 'unknown organization' };
    if (org.usedBytes + input.size > org.quotaBytes) {
      return {
        error: `Storage quota exceeded. Used: ${org.usedBytes}, Quota: ${org.quotaBytes}, File: ${input.size}`,
      };
    }
    org.usedBytes += input.size;
    const file: FakeFile = {
      id: input.path.slice(input.path.lastIndexOf('/') + 1),
      organizationId: org.id,
      name: input.name,
      storageKey: storageKeyFor(org.id, input.folderPath, input.name),
      contentType: input.contentType,
      sizeBytes: input.size,
      checksumSha256: input.sha256,
      folderPath: input.folderPath,
      tags: input.tags,
      createdByAgent: input.createdByAgent,
      createdByUserId: input.createdByUserId ?? null,
      workflowId: input.workflowId,
      status: 'active',
      isTemporary: input.isTemporary,
      isPublic: input.isPublic,
      createdAt: clock.now(),
      updatedAt: clock.now(),
      expiresAt: input.expiresInHours === undefined ? null : clock.now() + input.expiresInHours * 3_600_000,
      deletedAt: null,
      path: input.path,
    };
    files.set(file.id, file);
    return file;
  }

  app.post('/api/v1/files/agent', async (c) => {
    const denied = await serviceAuth(c);
    if (denied) return denied;
    await sweepExpired();
    for (const name of ['org_id', 'workflow_id', 'agent_id']) {
      if (!c.req.query(name)) return unprocessable(c, ['query', name], 'Field required', 'missing');
    }
    const hoursText = c.req.query('expires_in_hours');
    const hours = hoursText === undefined ? undefined : Number(hoursText);
    if (hours !== undefined && (!Number.isInteger(hours) || hours < 1 || hours > 8760)) {
      return unprocessable(
        c,
        ['query', 'expires_in_hours'],
        'Input should be greater than or equal to 1 and less than or equal to 8760',
      );
    }
    const received = await receiveUpload(c);
    if (received instanceof Response) return received;
    const path = received.path;
    const folderPath = c.req.query('folder_path') ?? '/agent-outputs';
    const isPublic = truthy(c.req.query('is_public'));
    const result = await storeFile({
      organizationId: c.req.query('org_id')!,
      name: received.filename,
      contentType: received.contentType,
      size: received.size,
      sha256: received.sha256,
      path,
      folderPath,
      tags: c.req.queries('tags') ?? [],
      workflowId: c.req.query('workflow_id')!,
      createdByAgent: `workflow:${c.req.query('workflow_id')}:agent:${c.req.query('agent_id')}`,
      isTemporary: truthy(c.req.query('is_temporary')),
      expiresInHours: hours,
      isPublic,
    });
    return stored(c, result, path);
  });

  app.get('/api/v1/files/agent/list', async (c) => {
    const denied = await serviceAuth(c);
    if (denied) return denied;
    await sweepExpired();
    const orgId = c.req.query('org_id');
    if (!orgId) return unprocessable(c, ['query', 'org_id'], 'Field required', 'missing');
    const page = paging(c);
    if (page instanceof Response) return page;
    return listOf(c, orgId, page, c.req.query('include_temporary') !== 'false');
  });

  app.get('/api/v1/files/agent/:id/download', async (c) => {
    const denied = await serviceAuth(c);
    if (denied) return denied;
    const file = await findFile(c);
    if (file instanceof Response) return file;
    return sendContent(file);
  });

  app.get('/api/v1/files/agent/:id/url', async (c) => {
    const denied = await serviceAuth(c);
    if (denied) return denied;
    const expiresIn = Number(c.req.query('expires_in') ?? 3600);
    if (!Number.isInteger(expiresIn) || expiresIn < 1 || expiresIn > 86_400) {
      return unprocessable(c, ['query', 'expires_in'], 'Input should be less than or equal to 86400');
    }
    const file = await findFile(c);
    if (file instanceof Response) return file;
    // The local storage backend's URL: the path plus the expiry, not a signed URL.
    return c.json({ url: `file://${file.path}#expires=${nowS() + expiresIn}`, expires_in: expiresIn });
  });

  app.get('/api/v1/files/agent/:id', async (c) => {
    const denied = await serviceAuth(c);
    if (denied) return denied;
    const file = await findFile(c);
    if (file instanceof Response) return file;
    return c.json(fileJson(file));
  });

  app.delete('/api/v1/files/agent/:id', async (c) => {
    const denied = await serviceAuth(c);
    if (denied) return denied;
    const file = await findFile(c);
    if (file instanceof Response) return file;
    const agentId = c.req.query('agent_id');
    if (!agentId) return unprocessable(c, ['query', 'agent_id'], 'Field required', 'missing');
    if (!file.isTemporary && !file.createdByAgent?.includes(`:agent:${agentId}`)) {
      return detail(c, 403, 'Agent can only delete its own files or temporary files');
    }
    if (file.isTemporary) await hardDelete(file);
    else {
      file.status = 'deleted';
      file.deletedAt = clock.now();
    }
    return c.json({ deleted: true });
  });

  app.post('/api/v1/files/agent/:id/duplicate', async (c) => {
    const denied = await serviceAuth(c);
    if (denied) return denied;
    const source = await findFile(c);
    if (source instanceof Response) return source;
    const agentId = c.req.query('agent_id');
    if (!agentId) return unprocessable(c, ['query', 'agent_id'], 'Field required', 'missing');
    // Upstream quirk kept: no leading ':' here, so the delete rule refuses this agent its own copy.
    return duplicateOf(c, source, `agent:${agentId}`);
  });

  app.patch('/api/v1/files/agent/:id/move', async (c) => {
    const denied = await serviceAuth(c);
    if (denied) return denied;
    const file = await findFile(c);
    if (file instanceof Response) return file;
    return moveFile(c, file);
  });

  // ---- Den for users (bearer token, the token's organisation, files:* permissions) ----------------------
  app.post('/api/v1/files', async (c) => {
    const user = await permitted(c, 'files', 'create');
    if (user instanceof Response) return user;
    await sweepExpired();
    const received = await receiveUpload(c);
    if (received instanceof Response) return received;
    const result = await storeFile({
      organizationId: user.organizationId,
      name: received.filename,
      contentType: received.contentType,
      size: received.size,
      sha256: received.sha256,
      path: received.path,
      folderPath: c.req.query('folder_path') ?? '/',
      tags: c.req.queries('tags') ?? [],
      workflowId: null,
      createdByAgent: null,
      createdByUserId: user.id,
      isTemporary: false,
      expiresInHours: undefined,
      isPublic: truthy(c.req.query('is_public')),
    });
    return stored(c, result, received.path);
  });

  app.get('/api/v1/files', async (c) => {
    const user = await permitted(c, 'files', 'view');
    if (user instanceof Response) return user;
    await sweepExpired();
    const page = paging(c);
    if (page instanceof Response) return page;
    // The user list never shows temporary files (upstream's list default).
    return listOf(c, user.organizationId, page, false);
  });

  /** A user route's file: the permission first (as FastAPI runs the dependency), then the file. */
  async function userFile(c: Context, action: string): Promise<FakeFile | Response> {
    const user = await permitted(c, 'files', action);
    if (user instanceof Response) return user;
    return findFile(c, user.organizationId);
  }

  app.get('/api/v1/files/:id', async (c) => {
    const file = await userFile(c, 'view');
    return file instanceof Response ? file : c.json(fileJson(file));
  });

  app.get('/api/v1/files/:id/download', async (c) => {
    const file = await userFile(c, 'view');
    return file instanceof Response ? file : sendContent(file);
  });

  app.get('/api/v1/files/:id/url', async (c) => {
    const user = await permitted(c, 'files', 'view');
    if (user instanceof Response) return user;
    // Upstream bounds this one above only.
    const expiresIn = Number(c.req.query('expires_in') ?? 3600);
    if (!Number.isInteger(expiresIn) || expiresIn > 86_400) {
      return unprocessable(c, ['query', 'expires_in'], 'Input should be less than or equal to 86400');
    }
    const file = await findFile(c, user.organizationId);
    if (file instanceof Response) return file;
    return c.json({ url: `file://${file.path}#expires=${nowS() + expiresIn}`, expires_in: expiresIn });
  });

  app.post('/api/v1/files/:id/duplicate', async (c) => {
    const file = await userFile(c, 'create');
    return file instanceof Response ? file : duplicateOf(c, file, null);
  });

  app.delete('/api/v1/files/:id', async (c) => {
    const file = await userFile(c, 'delete');
    if (file instanceof Response) return file;
    if (truthy(c.req.query('hard_delete'))) await hardDelete(file);
    else {
      file.status = 'deleted';
      file.deletedAt = clock.now();
    }
    return c.json({ deleted: true });
  });

  app.patch('/api/v1/files/:id/move', async (c) => {
    const file = await userFile(c, 'manage');
    return file instanceof Response ? file : moveFile(c, file);
  });

  // ---- seeding --------------------------------------------------------------------------------------
  const seed: FakeInkPassSeed = {
    organization: ({ name, quotaBytes }) => createOrganization(name, quotaBytes),
    user(input) {
      const email = normaliseServerEmail(input.email);
      if (!email) throw new Error(`seed.user: inkPass refuses the email ${JSON.stringify(input.email)}`);
      if (userByEmail(email)) throw new Error(`seed.user: ${email} already exists`);
      let org = input.organizationId ? orgs.get(input.organizationId) : undefined;
      if (input.organizationId && !org) throw new Error(`seed.user: no organisation ${input.organizationId}`);
      const ownsNewOrg = !org;
      org ??= createOrganization(`${input.firstName ?? 'Test'}'s Organization`);
      const user: StoredUser = {
        id: randomUUID(),
        email,
        firstName: input.firstName ?? 'Test',
        lastName: input.lastName ?? 'User',
        organizationId: org.id,
        status: input.status ?? 'active',
        twoFaSecret: input.twoFaSecret ?? null,
        passwordHash: hashPassword(input.password ?? 'Password123!'),
        membership: {
          organizationId: org.id,
          role: input.role ?? (ownsNewOrg ? 'owner' : 'member'),
          ...(input.roleTemplate ? { roleTemplate: input.roleTemplate } : {}),
        },
      };
      users.set(user.id, user);
      if (input.roleTemplate) ensureTemplate(org.id);
      return user;
    },
    permission({ organizationId, resource, action, conditions }) {
      if (!orgs.has(organizationId)) throw new Error(`seed.permission: no organisation ${organizationId}`);
      const p = { id: randomUUID(), organizationId, resource, action, conditions: conditions ?? {} };
      permissions.set(p.id, p);
      return p;
    },
    role(userId, { role, roleTemplate }) {
      const user = users.get(userId);
      if (!user) throw new Error(`seed.role: no user ${userId}`);
      if (role !== undefined) user.membership.role = role;
      if (roleTemplate === null) delete user.membership.roleTemplate;
      else if (roleTemplate !== undefined) {
        user.membership.roleTemplate = roleTemplate;
        ensureTemplate(user.organizationId);
      }
    },
    template(organizationId, name) {
      if (!orgs.has(organizationId)) throw new Error(`seed.template: no organization ${organizationId}`);
      roles.apply(organizationId, name);
    },
    subscription(organizationId, subscription) {
      if (!orgs.has(organizationId)) throw new Error(`seed.subscription: no organization ${organizationId}`);
      billingOf(organizationId).subscription = { ...subscription };
    },
    grant(userId, permissionId) {
      if (!users.has(userId)) throw new Error(`seed.grant: no user ${userId}`);
      if (!permissions.has(permissionId)) throw new Error(`seed.grant: no permission ${permissionId}`);
      const set = directGrants.get(userId) ?? new Set<string>();
      directGrants.set(userId, set);
      set.add(permissionId);
    },
    group({ organizationId, name, members = [], permissions: perms = [] }) {
      const g: StoredGroup = {
        id: randomUUID(),
        organizationId,
        name,
        description: null,
        members: new Set(members),
        permissions: new Set(perms),
      };
      groups.set(g.id, g);
      return { id: g.id };
    },
    async file(input) {
      const id = randomUUID();
      const path = join(storageDir, id);
      const content = typeof input.content === 'string' ? utf8Encode(input.content) : input.content;
      await writeFile(path, content);
      const stored = await storeFile({
        organizationId: input.organizationId,
        name: input.name,
        contentType: input.contentType ?? 'application/octet-stream',
        size: content.byteLength,
        sha256: await sha256Hex(content),
        path,
        folderPath: input.folderPath ?? '/agent-outputs',
        tags: input.tags ?? [],
        workflowId: input.workflowId ?? null,
        createdByAgent: input.agentId
          ? `workflow:${input.workflowId ?? 'seed'}:agent:${input.agentId}`
          : null,
        isTemporary: input.isTemporary ?? false,
        expiresInHours: input.expiresInHours,
        isPublic: input.isPublic ?? false,
      });
      if ('error' in stored) throw new Error(`seed.file: ${stored.error}`);
      return stored;
    },
  };

  const server = await startTestServer(app);
  return closeable<FakeInkPass>({
    url: server.url,
    clock,
    faults,
    recorder,
    seed,
    serviceApiKey: Object.values(serviceKeys)[0] ?? '',
    storageDir,
    users,
    organizations: orgs,
    files,
    verificationCode: (email) => codes.get(normaliseServerEmail(email) ?? email)?.code,
    passwordResetCode: (email) => mailedCode(ctx, normaliseServerEmail, email, MAIL_RESET),
    emailChangeCode: (email) => mailedCode(ctx, normaliseServerEmail, email, MAIL_EMAIL_CHANGE),
    invitationToken: (email) => admin.invitationToken((normaliseServerEmail(email) ?? email).toLowerCase()),
    billing: (organizationId) => (orgs.has(organizationId) ? billingOf(organizationId) : undefined),
    async issueTokens(userId) {
      const user = users.get(userId);
      if (!user) throw new Error(`issueTokens: no user ${userId}`);
      return tokensFor(user);
    },
    async close() {
      await server.close();
      await rm(storageDir, { recursive: true, force: true });
    },
  });
}
