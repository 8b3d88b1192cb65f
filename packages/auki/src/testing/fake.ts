/**
 * A faithful fake of the Auki auth API and discovery service on two loopback servers, issuing
 * ES256 JWTs signed with jose whose lifetimes the test sets, on a clock the test controls. Node only.
 *
 * @module
 */
import { base64UrlEncode, randomBytes } from '@x/crypto';
import { closeable } from '@x/http-core';
import {
  createFaultInjector,
  createRequestRecorder,
  type FakeCors,
  type FaultInjector,
  fakeCors,
  type RequestRecorder,
  startTestServer,
  TestClock,
} from '@x/http-core/testing';
import { type Context, Hono } from 'hono';
import { type CryptoKey, generateKeyPair, type JWTPayload, jwtVerify, SignJWT } from 'jose';
import type { AukiConfig } from '../core/types.ts';

/** The fake's clock: the shared test clock of @x/http-core/testing under this package's name. */
export { TestClock as AukiFakeClock };

/** An account that can log in with email and password. */
export interface FakeAukiUser {
  /** The email. */
  email: string;
  /** The password. */
  password: string;
}

/** An app key the fake accepts. */
export interface FakeAukiAppKey {
  /** The key. */
  appKey: string;
  /** The secret. */
  appSecret: string;
}

/** A session handed over by an external identity provider: the inputs of opaque credentials. */
export interface FakeAukiOpaqueSession {
  /** A network JWT the fake accepts. */
  token: string;
  /** A refresh token the fake accepts (once). */
  refreshToken: string;
  /** When `token` expires, epoch ms. */
  expiryMs: number;
}

/** A domain the fake discovery service knows. */
export interface FakeAukiDomain {
  /** The domain id (the path segment). */
  id: string;
  /** Its name (default `Domain <id>`). */
  name?: string;
  /** Answer 402 (payment required) instead of granting access. */
  paymentRequired?: boolean;
  /** Answer 403 instead of granting access. */
  forbidden?: boolean;
}

/** Token lifetimes in seconds. */
export interface FakeAukiLifetimes {
  /** Network (login/refresh) access tokens (default 3600). */
  networkSeconds?: number;
  /** Discovery tokens (default 3600). */
  discoverySeconds?: number;
  /** Domain access tokens (default 3600). */
  domainSeconds?: number;
}

/** Options of {@link startFakeAuki}. */
export interface FakeAukiOptions {
  /** The clock (default: a new {@link TestClock}). */
  clock?: TestClock;
  /** Accounts (default one: `user@example.com` / `password`). */
  users?: FakeAukiUser[];
  /** App keys accepted as `Basic base64(key:secret)` on the discovery call. */
  appKeys?: FakeAukiAppKey[];
  /** Opaque network tokens accepted verbatim on the discovery call. */
  opaqueTokens?: string[];
  /** OIDC client ids accepted by the form-encoded refresh. */
  oidcClients?: string[];
  /** Domains (default `domain-1`, `domain-2`). */
  domains?: Array<string | FakeAukiDomain>;
  /** Token lifetimes. */
  lifetimes?: FakeAukiLifetimes;
  /**
   * Add `expires_in` to refresh answers: `true` the network lifetime, `'null'` the literal
   * `"expires_in": null` the upstream service sends at times (default false: no `expires_in`).
   */
  refreshExpiresIn?: boolean | 'null';
  /**
   * Answer CORS for browser code under test: `true` (default) allows any `http` origin on a loopback host,
   * a list allows exactly those origins, `false` sends no CORS headers.
   */
  cors?: FakeCors;
}

/** A client config pointing at the fake (the refresh URL always set). */
export interface FakeAukiConfig extends AukiConfig {
  /** `{apiUrl}/user/refresh`. */
  refreshUrl: string;
}

/** A running fake. */
export interface FakeAuki {
  /** The auth API base URL. */
  apiUrl: string;
  /** The refresh URL (`{apiUrl}/user/refresh`). */
  refreshUrl: string;
  /** The discovery service base URL. */
  ddsUrl: string;
  /** A client config pointing at this fake. */
  config(clientId?: string): FakeAukiConfig;
  /** The clock the fake issues and checks tokens with. */
  clock: TestClock;
  /** Fault injection for both servers (match on `path` to pick one endpoint). */
  faults: FaultInjector;
  /** Every request either server received, oldest first. */
  recorder: RequestRecorder;
  /** How many requests reached `path` (e.g. `/user/refresh`), faulted ones included. */
  count(path: string | RegExp): number;
  /** Changes the lifetimes of tokens issued from now on. */
  setLifetimes(lifetimes: FakeAukiLifetimes): void;
  /** Adds or replaces a domain. */
  addDomain(domain: string | FakeAukiDomain): void;
  /** Makes every refresh token issued so far unusable (as a server-side logout would). */
  revokeRefreshTokens(): void;
  /**
   * A session as an external identity provider would hand it over: a network JWT, a refresh token the
   * fake accepts and its expiry — the inputs of opaque credentials.
   */
  createOpaqueSession(subject?: string): Promise<FakeAukiOpaqueSession>;
  /** Stops both servers (again: the first call's outcome). */
  close(): Promise<void>;
  /** {@link FakeAuki.close}, for `await using fake = await startFakeAuki()`. */
  [Symbol.asyncDispose](): Promise<void>;
}

const ISSUER = 'auki-fake';

/**
 * Starts the fake auth API and discovery service on two loopback ports.
 *
 * @example
 * ```ts
 * const fake = await startFakeAuki({ users: [{ email: 'ada@example.test', password: 'pw' }] });
 * const client = new AukiClient({ ...fake.config(), now: () => fake.clock.now() });
 * // ...
 * await fake.close();
 * ```
 */
export async function startFakeAuki(options: FakeAukiOptions = {}): Promise<FakeAuki> {
  const clock = options.clock ?? new TestClock();
  const users = new Map(
    (options.users ?? [{ email: 'user@example.com', password: 'password' }]).map((u) => [
      u.email,
      u.password,
    ]),
  );
  const appKeys = new Map(
    (options.appKeys ?? []).map((k) => [
      `Basic ${Buffer.from(`${k.appKey}:${k.appSecret}`).toString('base64')}`,
      k.appKey,
    ]),
  );
  const opaqueTokens = new Set(options.opaqueTokens ?? []);
  const oidcClients = new Set(options.oidcClients ?? []);
  const domains = new Map<string, FakeAukiDomain>();
  const addDomain = (d: string | FakeAukiDomain) => {
    const domain = typeof d === 'string' ? { id: d } : d;
    domains.set(domain.id, domain);
  };
  for (const d of options.domains ?? ['domain-1', 'domain-2']) addDomain(d);
  let lifetimes = { networkSeconds: 3600, discoverySeconds: 3600, domainSeconds: 3600, ...options.lifetimes };
  const refreshTokens = new Map<string, string>(); // refresh token → subject
  const { privateKey, publicKey } = await generateKeyPair('ES256');

  const seconds = () => Math.floor(clock.now() / 1000);
  const sign = (claims: JWTPayload, subject: string, lifetime: number) =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: 'ES256', typ: 'JWT' })
      .setIssuer(ISSUER)
      .setSubject(subject)
      .setIssuedAt(seconds())
      .setExpirationTime(seconds() + lifetime)
      .sign(privateKey as CryptoKey);
  const verify = async (token: string, type: string): Promise<JWTPayload | undefined> => {
    try {
      const { payload } = await jwtVerify(token, publicKey as CryptoKey, {
        issuer: ISSUER,
        currentDate: new Date(clock.now()),
      });
      return payload.type === type ? payload : undefined;
    } catch {
      return undefined;
    }
  };
  const newRefreshToken = (subject: string) => {
    const token = `rt_${base64UrlEncode(randomBytes(24))}`;
    refreshTokens.set(token, subject);
    return token;
  };
  const networkSession = async (subject: string) => ({
    access_token: await sign({ type: 'network' }, subject, lifetimes.networkSeconds),
    refresh_token: newRefreshToken(subject),
  });
  const fail = (c: Context, status: 400 | 401 | 402 | 403 | 404, error: string, message: string) =>
    c.json({ error, message }, status);
  const bearer = (c: Context) => {
    const header = c.req.header('authorization') ?? '';
    return header.startsWith('Bearer ') ? header.slice(7) : undefined;
  };

  const recorder = createRequestRecorder();
  const faults = createFaultInjector();
  // Installed first, so preflights are answered before the recorder and the fault injector see them.
  const corsMiddleware = fakeCors(options.cors);

  const api = new Hono();
  api.use(corsMiddleware);
  api.use(recorder.middleware);
  api.use(faults.middleware);
  api.post('/user/login', async (c) => {
    const body = await c.req.json().catch(() => undefined);
    if (typeof body?.email !== 'string' || typeof body?.password !== 'string')
      return fail(c, 400, 'invalid_request', 'email and password are required');
    if (users.get(body.email) !== body.password)
      return fail(c, 401, 'invalid_credentials', 'wrong email or password');
    return c.json(await networkSession(body.email));
  });
  api.post('/user/refresh', async (c) => {
    const form = (c.req.header('content-type') ?? '').startsWith('application/x-www-form-urlencoded');
    let presented: string | undefined;
    if (form) {
      const params = new URLSearchParams(await c.req.text());
      if (params.get('grant_type') !== 'refresh_token')
        return fail(c, 400, 'unsupported_grant_type', 'grant_type must be refresh_token');
      if (!oidcClients.has(params.get('client_id') ?? ''))
        return fail(c, 401, 'invalid_client', 'unknown client_id');
      presented = params.get('refresh_token') ?? undefined;
    } else presented = bearer(c);
    const subject = presented === undefined ? undefined : refreshTokens.get(presented);
    if (subject === undefined)
      return fail(c, 401, 'invalid_grant', 'the refresh token is unknown, used or revoked');
    refreshTokens.delete(presented!); // rotation: each refresh token works once
    const session = await networkSession(subject);
    if (options.refreshExpiresIn === 'null') return c.json({ ...session, expires_in: null });
    return c.json(options.refreshExpiresIn ? { ...session, expires_in: lifetimes.networkSeconds } : session);
  });
  api.post('/service/domains-access-token', async (c) => {
    const header = c.req.header('authorization') ?? '';
    let subject: string | undefined = appKeys.get(header);
    const token = bearer(c);
    if (subject === undefined && token !== undefined)
      subject = opaqueTokens.has(token)
        ? `opaque:${token.slice(0, 8)}`
        : (await verify(token, 'network'))?.sub;
    if (subject === undefined) return fail(c, 401, 'unauthorized', 'a valid network token is required');
    return c.json({ access_token: await sign({ type: 'discovery' }, subject, lifetimes.discoverySeconds) });
  });

  const dds = new Hono();
  dds.use(corsMiddleware);
  dds.use(recorder.middleware);
  dds.use(faults.middleware);
  dds.post('/api/v1/domains/:id/auth', async (c) => {
    const token = bearer(c);
    const claims = token === undefined ? undefined : await verify(token, 'discovery');
    if (!claims) return fail(c, 401, 'unauthorized', 'a valid discovery token is required');
    if (!c.req.header('posemesh-client-id'))
      return fail(c, 400, 'invalid_request', 'posemesh-client-id is required');
    const domain = domains.get(c.req.param('id'));
    if (!domain) return fail(c, 404, 'not_found', 'no such domain');
    if (domain.paymentRequired) return fail(c, 402, 'payment_required', 'this domain requires payment');
    if (domain.forbidden) return fail(c, 403, 'forbidden', 'no access to this domain');
    const accessToken = await sign(
      { type: 'user-access', domain_id: domain.id, scopes: 'domain:rw', org: 'org-fake', aud: ['dds'] },
      claims.sub!,
      lifetimes.domainSeconds,
    );
    return c.json({
      id: domain.id,
      name: domain.name ?? `Domain ${domain.id}`,
      organization_id: 'org-fake',
      domain_server_id: `ds-${domain.id}`,
      access_token: accessToken,
      owner_wallet_address: '0x0000000000000000000000000000000000000000',
      domain_server: {
        id: `ds-${domain.id}`,
        organization_id: 'org-fake',
        name: `server for ${domain.id}`,
        url: `https://${domain.id}.domains.example.test`,
        version: '1.0.0',
        status: 'online',
        mode: 'public',
        variants: ['default'],
        ip: '127.0.0.1',
        latitude: 59.33,
        longitude: 18.06,
        cloud_region: 'us-east-1',
      },
    });
  });

  const apiServer = await startTestServer(api);
  const ddsServer = await startTestServer(dds).catch(async (error) => {
    await apiServer.close();
    throw error;
  });
  const refreshUrl = `${apiServer.url}/user/refresh`;
  return closeable<FakeAuki>({
    apiUrl: apiServer.url,
    refreshUrl,
    ddsUrl: ddsServer.url,
    config: (clientId = 'test-app') => ({
      apiUrl: apiServer.url,
      refreshUrl,
      ddsUrl: ddsServer.url,
      clientId,
    }),
    clock,
    faults,
    recorder,
    count: (path) =>
      recorder.requests.filter((r) => (typeof path === 'string' ? r.path === path : path.test(r.path)))
        .length,
    setLifetimes(next) {
      lifetimes = { ...lifetimes, ...next };
    },
    addDomain,
    revokeRefreshTokens() {
      refreshTokens.clear();
    },
    async createOpaqueSession(subject = 'sso-user') {
      const session = await networkSession(subject);
      return {
        token: session.access_token,
        refreshToken: session.refresh_token,
        expiryMs: (seconds() + lifetimes.networkSeconds) * 1000,
      };
    },
    async close() {
      await Promise.all([apiServer.close(), ddsServer.close()]);
    },
  });
}
