/**
 * @x/artifact-gateway/client: the browser client artifact apps load in their iframe. Same surface and
 * postMessage protocol as the upstream `artifact-sdk` (spec §10), with these differences:
 * - init messages are accepted only from the parent (or opener) window and from an allowed origin
 *   (default: the embedding page's origin as the browser reports it);
 * - a 401 triggers one token refresh shared by every request waiting on it (single flight), then one replay;
 * - error statuses reject with the typed @x/http-core errors (`PermissionDeniedError`, …) carrying the
 *   gateway's `{detail}` in `body`, instead of resolving with the error body.
 *
 * @module
 */
import { type AuthStrategy, createHttpClient, type FetchLike, type HttpClient, refreshingBearer } from '@x/http-core';
import { ArtifactGatewayError } from '../errors.ts';

/** The default proxy base of the upstream SDK. */
export const DEFAULT_PROXY_BASE = '/api/app/';
/** The init message type, and the legacy one still accepted. */
export const INIT_MESSAGE_TYPES: readonly string[] = ['artifact-gateway:init', 'ohwise:init'];
/** The ready message the artifact sends until it gets an init. */
export const READY_MESSAGE_TYPE = 'artifact-gateway:ready';

/** `external` / `stream` request (fields as the upstream SDK sends them). */
export interface ExternalRequest {
  /** GET (default), POST, PUT, PATCH or DELETE. */
  method?: string;
  /** An `https://` URL. */
  url: string;
  /** Request headers (credential headers are dropped by the gateway: use `credentialId`). */
  headers?: Record<string, string>;
  /** JSON body. */
  body?: unknown;
  /** A stored credential the gateway injects. */
  credentialId?: string;
}
/** What `external` resolves with: the upstream answer as data. */
export interface ExternalResponse {
  /** Upstream status. */
  status: number;
  /** Upstream headers. */
  headers: Record<string, string>;
  /** Parsed JSON or text. */
  body: unknown;
}
/** `internal` request. */
export interface InternalRequest {
  /** GET (default), POST, PUT, PATCH or DELETE. */
  method?: string;
  /** Path starting with `/api/`. */
  path: string;
  /** JSON body. */
  body?: unknown;
  /** Query parameters. */
  query?: Record<string, string>;
}
/** A DuckDB query result. */
export interface QueryResult {
  /** Column names. */
  columns: string[];
  /** Rows of JSON-safe values. */
  rows: unknown[][];
  /** Row count. */
  rowcount: number;
}
/** What `run` resolves with (only when the host enables code execution). */
export interface RunResult {
  /** Standard output. */
  stdout: string;
  /** Standard error. */
  stderr: string;
  /** Exit code, `null` when killed. */
  exit_code: number | null;
  /** Whether it timed out. */
  timed_out: boolean;
}
/** A file listing entry. */
export interface FileEntry {
  /** Name. */
  name: string;
  /** Whether a folder. */
  is_dir: boolean;
  /** Size, `null` for folders. */
  bytes: number | null;
}

/** Options of {@link createClient}. */
export interface ArtifactClientOptions {
  /** The app token, if known already (usually it arrives by postMessage). */
  token?: string | null;
  /** The gateway base, ending with `/` (default `/api/app/`), absolute or relative to the page. */
  proxyBase?: string;
  /** The fetch to use (default the global one). */
  fetch?: FetchLike;
}

/** The client. */
export interface ArtifactGatewayClient {
  /** Replaces the token. */
  setToken(token: string | null): void;
  /** Replaces the proxy base (ignored when empty). */
  setProxyBase(base: string): void;
  /** The current token, if any. */
  readonly token: string | undefined;
  /** The current proxy base. */
  readonly proxyBase: string;
  /** Called after each accepted init message (upstream `_onReady`). */
  onReady: ((client: ArtifactGatewayClient) => void) | null;
  /** POSTs `payload` to `proxyBase + type` and resolves with the JSON answer. */
  fetch<T = unknown>(type: string, payload?: unknown): Promise<T>;
  /** Gets a fresh token now (joins a refresh under way). */
  refresh(): Promise<string>;
  /** Calls an external HTTPS API through the gateway. */
  external(request: ExternalRequest): Promise<ExternalResponse>;
  /** Streams an external call; `onChunk` gets each decoded text chunk. */
  stream(request: ExternalRequest, onChunk: (chunk: string) => void): Promise<void>;
  /** Calls an allowlisted internal API. */
  internal(request: InternalRequest): Promise<{ status: number; body: unknown }>;
  /** Runs code (only when the host enables it). */
  run(language: 'python' | 'javascript' | 'bash', code: string, stdin?: string): Promise<RunResult>;
  /** DuckDB and Mongo calls. */
  db: {
    userQuery(db: string, sql: string, params?: unknown[]): Promise<QueryResult>;
    userExec(db: string, sql: string, params?: unknown[]): Promise<{ ok: boolean; success: boolean }>;
    sessionQuery(db: string, sql: string, params?: unknown[]): Promise<QueryResult>;
    sessionExec(db: string, sql: string, params?: unknown[]): Promise<{ ok: boolean; success: boolean }>;
    find(collection: string, filter?: Record<string, unknown>, limit?: number): Promise<{ data: Record<string, unknown>[]; count: number }>;
    upsert(collection: string, filter: Record<string, unknown>, update: Record<string, unknown>): Promise<{ ok: boolean; matched: number; modified: number; upserted: boolean }>;
    delete(collection: string, filter: Record<string, unknown>): Promise<{ ok: boolean; deleted: number }>;
  };
  /** User and session files. */
  files: {
    write(path: string, content: string): Promise<{ ok: boolean; path: string; bytes: number }>;
    read(path: string): Promise<{ path: string; content: string }>;
    list(path?: string): Promise<{ entries: FileEntry[] }>;
    delete(path: string): Promise<{ ok: boolean; deleted: boolean }>;
    sessionWrite(path: string, content: string): Promise<{ ok: boolean; path: string; bytes: number }>;
    sessionRead(path: string): Promise<{ path: string; content: string }>;
    sessionList(path?: string): Promise<{ entries: FileEntry[] }>;
    sessionDelete(path: string): Promise<{ ok: boolean; deleted: boolean }>;
  };
  /** Versioned shared state. */
  state: {
    set(ns: string, id: string, patch?: Record<string, unknown>, expectedVersion?: number | null): Promise<{ ok: boolean; version: number }>;
    get<T = Record<string, unknown>>(ns: string, id: string): Promise<{ data: StateDoc<T> | null }>;
    list<T = Record<string, unknown>>(ns: string, filter?: Record<string, unknown>): Promise<{ data: StateDoc<T>[]; count: number }>;
    remove(ns: string, id: string): Promise<{ ok: boolean; deleted: number }>;
    history(ns: string, id?: string | null, limit?: number): Promise<{ data: Record<string, unknown>[]; count: number }>;
  };
}

/** A state document. */
export interface StateDoc<T> {
  /** Namespace. */
  ns: string;
  /** Resource id. */
  resource_id: string;
  /** The data. */
  data: T;
  /** Version. */
  version: number;
  /** ISO creation time. */
  created_at: string;
  /** ISO update time. */
  updated_at: string;
}

function absoluteBase(base: string): string {
  const here = (globalThis as { location?: { href: string } }).location?.href;
  return new URL(base, here).href;
}

/**
 * Creates a client.
 *
 * @example
 * ```ts
 * const client = createClient({ token, proxyBase: 'https://host.example/api/lab/app/' });
 * const { rows } = await client.db.userQuery('analytics', 'SELECT * FROM events WHERE val > ?', [10]);
 * ```
 */
export function createClient(options: ArtifactClientOptions = {}): ArtifactGatewayClient {
  let token = options.token ?? undefined;
  let proxyBase = options.proxyBase ?? DEFAULT_PROXY_BASE;
  let http: HttpClient | undefined;
  let auth: ReturnType<typeof refreshingBearer> | undefined;

  const newHttp = (strategy?: AuthStrategy) =>
    createHttpClient({ baseUrl: absoluteBase(proxyBase), retry: false, timeout: false, auth: strategy, fetch: options.fetch });
  const refreshWith = async (old: string): Promise<string> => {
    const answer = (await newHttp({
      apply({ headers }) {
        headers.set('authorization', `Bearer ${old}`);
      },
    }).post('token/refresh')) as { token?: unknown };
    if (typeof answer?.token !== 'string') throw new ArtifactGatewayError('invalid_token', 'token/refresh answered without a token');
    return answer.token;
  };
  const client = (): HttpClient => {
    if (token === undefined) throw new ArtifactGatewayError('invalid_token', 'artifact-gateway token not yet received');
    if (!http || auth?.token !== token) {
      auth = refreshingBearer({
        token,
        refresh: () => refreshWith(auth?.token ?? token!),
        onToken: (fresh) => {
          token = fresh;
        },
      });
      http = newHttp(auth);
    }
    return http;
  };
  const call = async <T>(type: string, payload?: unknown): Promise<T> =>
    (await client().post(type, payload === undefined ? {} : { json: payload })) as T;

  const self: ArtifactGatewayClient = {
    setToken(value) {
      token = value ?? undefined;
    },
    setProxyBase(base) {
      if (base) {
        proxyBase = base;
        http = undefined;
      }
    },
    get token() {
      return token;
    },
    get proxyBase() {
      return proxyBase;
    },
    onReady: null,
    fetch: call,
    async refresh() {
      client();
      return auth!.refresh();
    },
    external: (request) => call('external', request),
    async stream(request, onChunk) {
      const { body } = await client().stream('POST', 'external/stream', { json: request });
      const reader = body.getReader();
      const decoder = new TextDecoder();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) {
          const rest = decoder.decode();
          if (rest) onChunk(rest);
          return;
        }
        const text = decoder.decode(value, { stream: true });
        if (text) onChunk(text);
      }
    },
    internal: (request) => call('internal', request),
    run: (language, code, stdin) => call('run', { language, code, stdin: stdin || '' }),
    db: {
      userQuery: (db, sql, params) => call(`db/user/${db}/query`, { sql, params: params || [] }),
      userExec: (db, sql, params) => call(`db/user/${db}/exec`, { sql, params: params || [] }),
      sessionQuery: (db, sql, params) => call(`db/session/${db}/query`, { sql, params: params || [] }),
      sessionExec: (db, sql, params) => call(`db/session/${db}/exec`, { sql, params: params || [] }),
      find: (collection, filter, limit) => call(`db/user/${collection}/find`, { filter: filter || {}, limit: limit || 100 }),
      upsert: (collection, filter, update) => call(`db/user/${collection}/upsert`, { filter, update }),
      delete: (collection, filter) => call(`db/user/${collection}/delete`, { filter }),
    },
    files: {
      write: (path, content) => call('files/user/write', { path, content }),
      read: (path) => call('files/user/read', { path }),
      list: (path) => call('files/user/list', { path: path || '' }),
      delete: (path) => call('files/user/delete', { path }),
      sessionWrite: (path, content) => call('files/session/write', { path, content }),
      sessionRead: (path) => call('files/session/read', { path }),
      sessionList: (path) => call('files/session/list', { path: path || '' }),
      sessionDelete: (path) => call('files/session/delete', { path }),
    },
    state: {
      set: (ns, id, patch, expectedVersion) =>
        call(`state/${ns}/set`, {
          resource_id: id,
          patch: patch || {},
          ...(expectedVersion === undefined || expectedVersion === null ? {} : { expected_version: expectedVersion }),
        }),
      get: (ns, id) => call(`state/${ns}/get`, { resource_id: id }),
      list: (ns, filter) => call(`state/${ns}/list`, { filter: filter || {} }),
      remove: (ns, id) => call(`state/${ns}/delete`, { resource_id: id }),
      history: (ns, id, limit) => call(`state/${ns}/events`, { resource_id: id ?? null, limit: limit || 100 }),
    },
  };
  return self;
}

/** Options of {@link autoInstall}. */
export interface AutoInstallOptions {
  /**
   * Origins whose init messages are accepted. Default: the embedding page's origin as the browser reports
   * it (`location.ancestorOrigins[0]`, else the referrer's origin); with neither, no init is accepted.
   */
  allowedOrigins?: readonly string[];
  /** The window to install into (default `globalThis.window`). */
  window?: Window;
  /** How often to announce readiness until an init arrives, in ms (default 150), and how many times (default 41). */
  readyIntervalMs?: number;
  /** How many ready messages to send at most (default 41: one now and 40 retries, as upstream). */
  readyAttempts?: number;
}

function embedderOrigins(win: Window): string[] {
  const ancestors = (win.location as Location & { ancestorOrigins?: DOMStringList }).ancestorOrigins;
  if (ancestors && ancestors.length > 0) return [ancestors[0]!];
  try {
    if (win.document.referrer) return [new URL(win.document.referrer).origin];
  } catch {
    // An unparsable referrer gives no origin.
  }
  return [];
}

/**
 * Creates a client, exposes it as `window.artifactGateway` and `window.ohwise`, accepts init messages from
 * the parent/opener on an allowed origin, and announces `artifact-gateway:ready` until one arrives.
 * Returns `null` outside a browser.
 *
 * @example
 * ```ts
 * const gateway = autoInstall({ allowedOrigins: ['https://host.example'] });
 * gateway!.onReady = async (client) => render(await client.db.userQuery('notes', 'SELECT * FROM notes'));
 * ```
 */
export function autoInstall(options: AutoInstallOptions = {}): ArtifactGatewayClient | null {
  const win = options.window ?? (globalThis as { window?: Window }).window;
  if (!win) return null;
  const client = createClient();
  const allowed = new Set(options.allowedOrigins ?? embedderOrigins(win));
  Object.assign(win, { artifactGateway: client, ohwise: client });
  let initialised = false;
  win.addEventListener('message', (event: MessageEvent) => {
    const data = event.data as { type?: unknown; token?: unknown; proxyBase?: unknown } | null;
    if (!data || typeof data !== 'object' || !INIT_MESSAGE_TYPES.includes(data.type as string)) return;
    const fromEmbedder = event.source !== null && (event.source === win.parent || event.source === win.opener);
    if (!fromEmbedder || event.source === win || !allowed.has(event.origin)) return;
    if (typeof data.token !== 'string') return;
    client.setToken(data.token);
    if (typeof data.proxyBase === 'string') client.setProxyBase(data.proxyBase);
    initialised = true;
    client.onReady?.(client);
  });
  const targets = [win.parent !== win ? win.parent : null, win.opener as Window | null].filter(
    (t): t is Window => t !== null && t !== undefined,
  );
  let attempts = options.readyAttempts ?? 41;
  const announce = () => {
    if (initialised || attempts-- <= 0) return;
    // The ready message carries nothing secret, so any origin may see it.
    for (const target of targets) target.postMessage({ type: READY_MESSAGE_TYPE }, '*');
    setTimeout(announce, options.readyIntervalMs ?? 150);
  };
  announce();
  return client;
}
