/**
 * `createArtifactGateway`: every route of the gateway as a Hono app, with token auth, scope checks, JSON
 * `{detail}` errors for every failure and one log line per request (user, route pattern, status,
 * duration; never tokens, bodies or query strings).
 *
 * @module
 */
import { join } from 'node:path';
import { closeable, type Logger } from '@x/http-core';
import { type Context, Hono } from 'hono';
import { cors } from 'hono/cors';
import * as v from 'valibot';
import { ArtifactGatewayError, invalidRequest, VersionConflictError } from '../errors.ts';
import { type AllowlistEntry, InternalProxy } from '../internal-proxy.ts';
import * as m from '../models.ts';
import { checkFilter, checkLimit, checkUpdate, collectionName } from '../mongo-filters.ts';
import type { RunResult } from '../results.ts';
import { type StorageScope, storageScopes } from '../scopes.ts';
import { type StateBackend, tenantKey } from '../state.ts';
import {
  type AppTokenClaims,
  refreshAppToken,
  SEALED_USER_JWT_CLAIM,
  type SecretKey,
  validateAppToken,
} from '../tokens.ts';
import { applyCredential, type CredentialPlacement, CredentialVault } from '../vault.ts';
import { DuckDbHandler, type DuckDbHandlerOptions } from './duckdb.ts';
import { ExternalProxy, type ExternalProxyOptions } from './external-proxy.ts';
import { FilesHandler } from './files.ts';
import { connectMongo, type MongoConnection, type MongoHandler, type MongoTarget } from './mongo.ts';
import { DuckDbStateStore } from './state-duckdb.ts';
import { MongoStateStore } from './state-mongo.ts';

/** A stored credential the external route can inject, found by `credential_id`. */
export interface StoredCredential {
  /** The vault ciphertext of the secret. */
  ciphertext: string;
  /** Where to place it (default `bearer`). */
  placement?: CredentialPlacement;
  /** Header or query parameter name for `header` / `query`. */
  name?: string;
}

/** What the `run` route's runner gets and returns (the gateway itself never runs code). */
export type CodeRunner = (request: CodeRunRequest, claims: AppTokenClaims) => Promise<RunResult>;

/** The `run` route's body. */
export interface CodeRunRequest {
  /** `python`, `javascript` or `bash`. */
  language: 'python' | 'javascript' | 'bash';
  /** The code. */
  code: string;
  /** Standard input (default empty). */
  stdin: string;
}

/** Where the internal API is. */
export interface InternalApiOptions {
  /** Its base URL. */
  baseUrl: string;
  /** The allowlist (default upstream's). */
  allowlist?: readonly AllowlistEntry[];
  /** Time per call in ms (default 30 000). */
  timeoutMs?: number;
  /** The fetch to use. */
  fetch?: typeof fetch;
}

/** A MongoDB server to connect to. */
export interface MongoConnectionOptions {
  /** The connection string. */
  url: string;
  /** The database (default `artifact_gateway`). */
  dbName?: string;
}

/** Options of {@link createArtifactGateway}. */
export interface ArtifactGatewayOptions {
  /** The service secret that signs app tokens. */
  secretKey: SecretKey;
  /** The workspace root for files and DuckDB (upstream `LAB_WORKSPACE_ROOT`). */
  workspace: string;
  /** Where the app is mounted, e.g. `/api/lab/app` (default: the root; or mount it with `parent.route`). */
  basePath?: string;
  /** Master key of the credential vault (upstream `ENCRYPTION_KEY`); needed for credentials and user JWTs. */
  vaultKey?: string;
  /** Finds a stored credential by id for the caller (check ownership here); `undefined` when unknown. */
  resolveCredential?: (credentialId: string, claims: AppTokenClaims) => Promise<StoredCredential | undefined>;
  /** The internal API (routes answer 501 without it). */
  internal?: InternalApiOptions;
  /**
   * Finds the user's platform JWT for internal calls. Default: decrypts the token's sealed
   * `user_jwt_enc` claim with the vault.
   */
  resolveUserJwt?: (claims: AppTokenClaims) => Promise<string | undefined>;
  /** The external proxy, or its options. */
  external?: ExternalProxy | ExternalProxyOptions;
  /** DuckDB options besides the workspace. */
  duckdb?: Omit<DuckDbHandlerOptions, 'workspace'>;
  /** Largest file in bytes (default 8 MiB). */
  maxFileBytes?: number;
  /** MongoDB: a handler, or a URL and database (default `MONGODB_URL` / `MONGODB_DB`, else no Mongo routes). */
  mongo?: MongoHandler | MongoConnectionOptions;
  /**
   * The state store: any {@link StateBackend}, e.g. an in-memory `StateStore` for tests. Default: a
   * `MongoStateStore` on upstream's `app_state` / `app_events` collections when `mongo` is a URL (or
   * `MONGODB_URL` is set), else a `DuckDbStateStore` in `{dataDir}/state.duckdb` that survives restarts.
   */
  state?: StateBackend;
  /** The gateway's own files, e.g. the state database (default `{workspace}/.gateway`; user ids cannot start with a dot). */
  dataDir?: string;
  /** Answers the `run` route (501 without it). */
  runner?: CodeRunner;
  /** Largest request body in bytes (default 10 MiB). */
  maxBodyBytes?: number;
  /** Lifetime of refreshed tokens in seconds (default 4 h). */
  refreshTtl?: number;
  /** Request log (default: none). Gets `info('artifact-gateway request', {method, route, user, status, durationMs})`. */
  logger?: Logger;
  /** The clock for token checks (default `Date.now`); for tests. */
  now?: () => number;
  /** Verified tokens remembered so repeat requests skip the signature check (default 1000; 0 = off). */
  verifiedTokenCacheSize?: number;
  /**
   * Cross-origin access, for artifacts served from another origin than the gateway's (default: none, so
   * browsers let only same-origin pages call it). See {@link GatewayCorsOptions}.
   */
  cors?: GatewayCorsOptions;
}

/**
 * Which browser origins may call the gateway. The app token travels in `Authorization`, never in cookies, so
 * no credentials mode is allowed; preflights are answered before the token check.
 */
export interface GatewayCorsOptions {
  /** Exact origins (`https://apps.example.com`, scheme and host and any port), or a function deciding. */
  origins: readonly string[] | ((origin: string) => boolean);
  /**
   * Also allow the opaque origin `null` of artifacts in a sandboxed iframe without `allow-same-origin`
   * (default false: any sandboxed page or `file:` page sends `null` too, so only its token then tells callers
   * apart).
   */
  allowOpaqueOrigin?: boolean;
  /** How long browsers may keep a preflight answer, in seconds (default 600). */
  maxAgeSeconds?: number;
}

function corsMiddleware(options: GatewayCorsOptions) {
  const { origins } = options;
  if (Array.isArray(origins)) {
    for (const origin of origins) {
      let parsed: URL | undefined;
      try {
        parsed = new URL(origin);
      } catch {}
      if (!parsed || parsed.origin !== origin || origin === 'null')
        throw invalidRequest(
          `cors.origins: ${JSON.stringify(origin)} is not an origin like https://apps.example.com (no path, no trailing slash)`,
        );
    }
  }
  const allowed = (origin: string) =>
    origin === 'null'
      ? options.allowOpaqueOrigin === true
      : typeof origins === 'function'
        ? origins(origin)
        : origins.includes(origin);
  return cors({
    origin: (origin) => (origin && allowed(origin) ? origin : null),
    allowMethods: ['POST'],
    allowHeaders: ['content-type', 'authorization'],
    maxAge: options.maxAgeSeconds ?? 600,
  });
}

/** The gateway: a Hono app plus `close()` to release databases and pooled connections. */
export type ArtifactGateway = Hono<GatewayEnv> & {
  /** Closes DuckDB files, the Mongo client and pooled connections (again: the first call's outcome). */
  close(): Promise<void>;
  /** {@link ArtifactGateway.close}, for `await using gateway = createArtifactGateway(…)`. */
  [Symbol.asyncDispose](): Promise<void>;
};

type GatewayEnv = { Variables: { claims: AppTokenClaims; body: Uint8Array } };

/**
 * Reads the request body into the `body` variable, counting bytes as they arrive and refusing at `max`:
 * a chunked body has no Content-Length to trust, so only counting while reading bounds memory. On refusal
 * the chunks read so far are dropped and the stream is left unread (not cancelled: cancelling destroys the
 * socket before the 413 is written); the server then discards the rest and closes the connection. Chunks
 * are kept in a list and joined once, so the peak is about `max`, not the doubling buffer of a growing
 * array. A declared Content-Length over `max` is refused before reading (Node's parser never delivers more
 * than the declared length).
 */
function limitBody(max: number) {
  return async (c: Context<GatewayEnv>, next: () => Promise<void>) => {
    const stream = c.req.raw.body;
    if (!stream) {
      c.set('body', new Uint8Array());
      return next();
    }
    const declared = c.req.header('content-length');
    if (declared !== undefined && Number(declared) > max) throw bodyTooLarge(max);
    const reader = stream.getReader();
    let chunks: Uint8Array[] = [];
    let size = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > max) {
        chunks = [];
        reader.releaseLock();
        throw bodyTooLarge(max);
      }
      chunks.push(value);
    }
    const body = new Uint8Array(size);
    let at = 0;
    for (const chunk of chunks) {
      body.set(chunk, at);
      at += chunk.byteLength;
    }
    c.set('body', body);
    return next();
  };
}

function bodyTooLarge(max: number): ArtifactGatewayError {
  return new ArtifactGatewayError(`the request body exceeds ${max} bytes`, { code: 'payload_too_large' });
}

async function readJson<S extends v.GenericSchema>(
  c: Context<GatewayEnv>,
  schema: S,
  max: number,
): Promise<v.InferOutput<S>> {
  // Only ever the body `limitBody` read; a route reached without it fails closed instead of reading the
  // stream unbounded.
  const buffer = c.get('body');
  if (!buffer) throw new Error('the request body was not read through limitBody');
  if (buffer.byteLength > max) throw bodyTooLarge(max);
  let json: unknown;
  try {
    json = buffer.byteLength === 0 ? {} : JSON.parse(new TextDecoder().decode(buffer));
  } catch {
    throw invalidRequest('the request body is not valid JSON');
  }
  const parsed = v.safeParse(schema, json);
  if (!parsed.success) {
    const issue = parsed.issues[0];
    const at = v.getDotPath(issue);
    throw new ArtifactGatewayError(`${at ? `${at}: ` : ''}${issue.message}`, {
      code: 'invalid_request',
      status: 422,
    });
  }
  return parsed.output;
}

function requireScope(claims: AppTokenClaims, storage: StorageScope, access: 'read' | 'rw'): void {
  const needed = storageScopes(storage, access);
  if (!needed.some((s) => claims.scope.includes(s)))
    throw new ArtifactGatewayError(`Scope '${needed.at(-1)}' is required for this call`, {
      code: 'permission_denied',
    });
}

/** Checks a Mongo call's input before any connection, so bad input is a 400 even without a server. */
function checkMongoInput(target: MongoTarget, filter: unknown, update?: unknown): void {
  collectionName(
    target.scope,
    target.scope === 'session' ? target.sessionId : target.userId,
    target.collection,
  );
  checkFilter(filter);
  if (update !== undefined) checkUpdate(update);
}

/**
 * Tokens already verified, by their exact text (signature included), so a request with a token seen
 * before skips the HMAC. A hit still checks `exp` and `iat` against the clock, so a cached token expires
 * exactly like a fresh one; a token differing in any byte is a miss and fully verified.
 */
class VerifiedTokens {
  readonly #claims = new Map<string, AppTokenClaims>();
  readonly #max: number;

  constructor(max: number) {
    this.#max = max;
  }

  async validate(secretKey: SecretKey, token: string, nowMs: number): Promise<AppTokenClaims> {
    const seconds = Math.floor(nowMs / 1000);
    const hit = this.#claims.get(token);
    if (hit && hit.exp > seconds && hit.iat <= seconds) return hit;
    if (hit) this.#claims.delete(token);
    const claims = await validateAppToken({ secretKey, token, now: nowMs });
    if (this.#max > 0) {
      if (this.#claims.size >= this.#max) this.#claims.delete(this.#claims.keys().next().value as string);
      this.#claims.set(token, claims);
    }
    return claims;
  }
}

function storageOf(value: string): StorageScope {
  if (value !== 'user' && value !== 'session')
    throw new ArtifactGatewayError('Not found', { code: 'not_found' });
  return value;
}

/**
 * Creates the gateway app.
 *
 * @example
 * ```ts
 * const gateway = createArtifactGateway({ secretKey: process.env.SECRET_KEY!, workspace: '/var/workspaces', basePath: '/api/lab/app' });
 * serve({ fetch: gateway.fetch, port: 8080 });
 * ```
 */
export function createArtifactGateway(options: ArtifactGatewayOptions): ArtifactGateway {
  const env = (globalThis as { process?: { env: Record<string, string | undefined> } }).process?.env ?? {};
  const maxBody = options.maxBodyBytes ?? 10 * 1024 * 1024;
  const now = options.now ?? Date.now;
  const vault = options.vaultKey ? new CredentialVault(options.vaultKey) : undefined;
  const external =
    options.external instanceof ExternalProxy ? options.external : new ExternalProxy(options.external);
  const internal = options.internal ? new InternalProxy(options.internal) : undefined;
  const duck = new DuckDbHandler({ ...options.duckdb, workspace: options.workspace });
  const files = new FilesHandler({ root: options.workspace, maxFileBytes: options.maxFileBytes });
  const mongoSetting =
    options.mongo ??
    (env['MONGODB_URL'] ? { url: env['MONGODB_URL'], dbName: env['MONGODB_DB'] } : undefined);
  let mongoConnection: Promise<MongoConnection> | undefined;
  const connection = (url: string, dbName: string | undefined): Promise<MongoConnection> => {
    mongoConnection ??= connectMongo(url, dbName ?? 'artifact_gateway').catch((error: unknown) => {
      throw ArtifactGatewayError.isInstance(error)
        ? error
        : new ArtifactGatewayError('MongoDB is unreachable', {
            code: 'upstream_error',
            status: 503,
            cause: error,
          });
    });
    mongoConnection.catch(() => {
      mongoConnection = undefined;
    });
    return mongoConnection;
  };
  const mongo = async (): Promise<MongoHandler> => {
    if (!mongoSetting)
      throw new ArtifactGatewayError('MongoDB is not configured on this gateway (set MONGODB_URL)', {
        code: 'not_configured',
        status: 503,
      });
    if (!('url' in mongoSetting)) return mongoSetting;
    return (await connection(mongoSetting.url, mongoSetting.dbName)).handler;
  };
  const ownState: StateBackend | undefined = options.state
    ? undefined
    : mongoSetting && 'url' in mongoSetting
      ? undefined
      : new DuckDbStateStore({
          path: join(options.dataDir ?? join(options.workspace, '.gateway'), 'state.duckdb'),
        });
  let mongoState: MongoStateStore | undefined;
  const stateStore = async (): Promise<StateBackend> => {
    const chosen = options.state ?? ownState;
    if (chosen) return chosen;
    const setting = mongoSetting as MongoConnectionOptions;
    mongoState ??= new MongoStateStore({ db: (await connection(setting.url, setting.dbName)).db });
    return mongoState;
  };
  const verifiedTokens = new VerifiedTokens(options.verifiedTokenCacheSize ?? 1000);
  const resolveUserJwt =
    options.resolveUserJwt ??
    (async (claims: AppTokenClaims) => {
      const sealed = claims.raw[SEALED_USER_JWT_CLAIM];
      if (typeof sealed !== 'string' || !vault) return undefined;
      return vault.decrypt(sealed);
    });

  const app = new Hono<GatewayEnv>();
  const base = options.basePath ? app.basePath(options.basePath.replace(/\/+$/, '')) : app;

  app.use('*', async (c, next) => {
    const started = performance.now();
    await next();
    options.logger?.info('artifact-gateway request', {
      method: c.req.method,
      route: c.req.routePath,
      user: c.get('claims')?.userId,
      status: c.res.status,
      durationMs: Math.round((performance.now() - started) * 10) / 10,
    });
  });
  // Before the token check: a preflight carries no Authorization header.
  if (options.cors) app.use('*', corsMiddleware(options.cors));
  app.use('*', async (c, next) => {
    const header = c.req.header('authorization');
    if (!header)
      throw new ArtifactGatewayError('Authorization header with the app token is required', {
        code: 'invalid_token',
      });
    const token = header.replace(/^Bearer\s+/i, '');
    c.set('claims', await verifiedTokens.validate(options.secretKey, token, now()));
    await next();
  });
  // After the token check (a caller without a valid token gets its 401 without any body being read) and
  // before every route, so no route can read a body uncounted.
  app.use('*', limitBody(maxBody));
  app.onError((error, c) => {
    if (ArtifactGatewayError.isInstance(error)) {
      const body: Record<string, unknown> = { detail: error.message };
      if (VersionConflictError.isInstance(error)) body['current_version'] = error.currentVersion;
      return c.json(body, error.status as 400);
    }
    options.logger?.error('artifact-gateway internal error', {
      route: c.req.routePath,
      error: (error as Error)?.name,
    });
    return c.json({ detail: 'Internal gateway error' }, 500);
  });
  app.notFound((c) => c.json({ detail: 'Not found' }, 404));

  base.post('/token/refresh', async (c) => {
    const header = c.req.header('authorization') ?? '';
    const token = await refreshAppToken({
      secretKey: options.secretKey,
      token: header.replace(/^Bearer\s+/i, ''),
      ttl: options.refreshTtl,
      now: now(),
    });
    return c.json({ token });
  });

  const externalCall = async (c: Context<GatewayEnv>) => {
    const claims = c.get('claims');
    const req = await readJson(c, m.ExternalCallRequest, maxBody);
    let credentialHeaders: Record<string, string> = {};
    let query: Record<string, string> = {};
    const credentialId = req.credential_id ?? req.credentialId;
    if (credentialId) {
      if (!options.resolveCredential || !vault)
        throw new ArtifactGatewayError('This gateway has no credential store', { code: 'not_configured' });
      const stored = await options.resolveCredential(credentialId, claims);
      if (!stored)
        throw new ArtifactGatewayError(`No credential ${JSON.stringify(credentialId)}`, {
          code: 'not_found',
        });
      const secret = await vault.decrypt(stored.ciphertext);
      ({ headers: credentialHeaders, query } = applyCredential({
        secret,
        placement: stored.placement,
        name: stored.name,
      }));
    }
    return {
      scope: claims.scope,
      method: req.method,
      url: req.url,
      headers: req.headers ?? {},
      credentialHeaders,
      body: req.body,
      query,
    };
  };
  base.post('/external', async (c) => {
    return c.json(await external.call(await externalCall(c)));
  });
  base.post('/external/stream', async (c) => {
    const upstream = await external.stream(await externalCall(c));
    return new Response(upstream.body, {
      status: 200,
      headers: {
        'content-type': upstream.headers['content-type'] ?? 'application/octet-stream',
        'x-upstream-status': String(upstream.status),
      },
    });
  });

  base.post('/internal', async (c) => {
    const claims = c.get('claims');
    const req = await readJson(c, m.InternalCallRequest, maxBody);
    if (!internal)
      throw new ArtifactGatewayError('This gateway has no internal API configured', {
        code: 'not_configured',
      });
    internal.authorize(claims.scope, req.method, req.path);
    const userJwt = await resolveUserJwt(claims);
    if (!userJwt)
      throw new ArtifactGatewayError('This app token carries no user JWT for internal calls', {
        code: 'permission_denied',
      });
    return c.json(
      await internal.call({
        scope: claims.scope,
        userJwt,
        path: req.path,
        method: req.method,
        body: req.body,
        query: req.query ?? {},
      }),
    );
  });

  base.post('/run', async (c) => {
    const claims = c.get('claims');
    const req = await readJson(c, m.RunRequest, maxBody);
    if (!options.runner)
      throw new ArtifactGatewayError('Code execution is not enabled on this gateway', {
        code: 'not_configured',
      });
    return c.json(await options.runner(req, claims));
  });

  base.post('/db/:scope/:name/:op', async (c) => {
    const claims = c.get('claims');
    const storage = storageOf(c.req.param('scope'));
    const name = c.req.param('name');
    const op = c.req.param('op');
    const owner = { scope: storage, userId: claims.userId, sessionId: claims.sessionId };
    if (op === 'query' || op === 'exec') {
      const req = await readJson(c, m.DbQueryRequest, maxBody);
      const target = { ...owner, database: name };
      if (op === 'exec') {
        requireScope(claims, storage, 'rw');
        await duck.exec(target, req.sql, req.params ?? []);
        return c.json({ ok: true, success: true });
      }
      requireScope(claims, storage, 'read');
      const access = storageScopes(storage, 'rw').some((s) => claims.scope.includes(s)) ? 'write' : 'read';
      return c.json(await duck.query(target, req.sql, req.params ?? [], access));
    }
    const target = { ...owner, collection: name };
    if (op === 'find') {
      requireScope(claims, storage, 'read');
      const req = await readJson(c, m.MongoFindRequest, maxBody);
      checkMongoInput(target, req.filter ?? {});
      checkLimit(req.limit ?? undefined);
      const data = await (await mongo()).find(target, req.filter ?? {}, req.limit ?? undefined);
      return c.json({ data, count: data.length });
    }
    if (op === 'upsert') {
      requireScope(claims, storage, 'rw');
      const req = await readJson(c, m.MongoUpsertRequest, maxBody);
      checkMongoInput(target, req.filter, req.update);
      return c.json({ ok: true, ...(await (await mongo()).upsert(target, req.filter, req.update)) });
    }
    if (op === 'delete') {
      requireScope(claims, storage, 'rw');
      const req = await readJson(c, m.MongoDeleteRequest, maxBody);
      checkMongoInput(target, req.filter);
      return c.json({ ok: true, ...(await (await mongo()).delete(target, req.filter)) });
    }
    throw new ArtifactGatewayError('Not found', { code: 'not_found' });
  });

  base.post('/files/:scope/:op', async (c) => {
    const claims = c.get('claims');
    const storage = storageOf(c.req.param('scope'));
    const target = { scope: storage, userId: claims.userId, sessionId: claims.sessionId };
    switch (c.req.param('op')) {
      case 'write': {
        requireScope(claims, storage, 'rw');
        const req = await readJson(c, m.FileWriteRequest, maxBody);
        return c.json({ ok: true, ...(await files.write(target, req.path, req.content)) });
      }
      case 'read': {
        requireScope(claims, storage, 'read');
        const req = await readJson(c, m.FilePathRequest, maxBody);
        return c.json(await files.read(target, req.path));
      }
      case 'list': {
        requireScope(claims, storage, 'read');
        const req = await readJson(c, m.FileListRequest, maxBody);
        return c.json(await files.list(target, req.path ?? ''));
      }
      case 'delete': {
        requireScope(claims, storage, 'rw');
        const req = await readJson(c, m.FilePathRequest, maxBody);
        return c.json({ ok: true, ...(await files.delete(target, req.path)) });
      }
      default:
        throw new ArtifactGatewayError('Not found', { code: 'not_found' });
    }
  });

  base.post('/state/:ns/:op', async (c) => {
    const claims = c.get('claims');
    const state = await stateStore();
    const ns = c.req.param('ns');
    const tenant = tenantKey({ accountId: claims.accountId, userId: claims.userId });
    switch (c.req.param('op')) {
      case 'set': {
        requireScope(claims, 'user', 'rw');
        const req = await readJson(c, m.StateSetRequest, maxBody);
        return c.json(await state.set(tenant, ns, req.resource_id, req.patch ?? {}, req.expected_version));
      }
      case 'get': {
        requireScope(claims, 'user', 'read');
        const req = await readJson(c, m.StateResourceRequest, maxBody);
        return c.json({ data: await state.get(tenant, ns, req.resource_id) });
      }
      case 'list': {
        requireScope(claims, 'user', 'read');
        const req = await readJson(c, m.StateListRequest, maxBody);
        const data = await state.list(tenant, ns, req.filter ?? {}, req.limit ?? 200, req.skip ?? 0);
        return c.json({ data, count: data.length });
      }
      case 'delete': {
        requireScope(claims, 'user', 'rw');
        const req = await readJson(c, m.StateResourceRequest, maxBody);
        return c.json(await state.delete(tenant, ns, req.resource_id));
      }
      case 'events': {
        requireScope(claims, 'user', 'read');
        const req = await readJson(c, m.StateEventsRequest, maxBody);
        const data = await state.history(tenant, ns, req.resource_id ?? null, req.limit ?? 100);
        return c.json({ data, count: data.length });
      }
      default:
        throw new ArtifactGatewayError('Not found', { code: 'not_found' });
    }
  });

  return closeable(
    Object.assign(app, {
      async close() {
        await Promise.all([
          duck.close(),
          ownState?.close?.(),
          options.external instanceof ExternalProxy ? undefined : external.close(),
          mongoConnection?.then(({ client }) => client.close()).catch(() => {}),
        ]);
      },
    }),
  );
}
