/**
 * @x/artifact-gateway/client: the browser client artifact apps load in their iframe. Same surface and
 * postMessage protocol as the upstream `artifact-sdk`, with these differences:
 * - init messages are accepted only from the parent (or opener) window and from an allowed origin
 *   (default: the embedding page's origin as the browser reports it);
 * - a 401 triggers one token refresh shared by every request waiting on it (single flight), then one replay;
 * - error statuses reject with the typed @x/http-core errors (`PermissionDeniedError`, …) carrying the
 *   gateway's `{detail}` in `body`, instead of resolving with the error body.
 *
 * @module
 */
import {
  type AuthStrategy,
  createHttpClient,
  type FetchLike,
  type HttpClient,
  refreshingBearer,
} from '@x/http-core';
import { ArtifactGatewayError } from '../errors.ts';
import type {
  DeleteResult,
  ExecResult,
  FileDeleteResult,
  FileListResult,
  FileReadResult,
  FileWriteResult,
  FindResult,
  InternalResponse,
  ListResult,
  QueryResult,
  RunResult,
  StateDeleteResult,
  StateSetResult,
  UpsertResult,
} from '../results.ts';

export type * from '../results.ts';

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
/** Options of {@link createClient}. */
export interface ArtifactClientOptions {
  /** The app token, if known already (usually it arrives by postMessage). */
  token?: string | null;
  /** The gateway base, ending with `/` (default `/api/app/`), absolute or relative to the page. */
  proxyBase?: string;
  /** The fetch to use (default the global one). */
  fetch?: FetchLike;
  /** Per-call timeout in ms until the answer's headers and body arrive (default 30 000; `false` for none). */
  timeout?: number | false;
}

/** The options bag every call takes last. */
export interface ArtifactCallOptions {
  /** Aborts the call (rejects with `AbortError`); for `stream`, also stops reading the body. */
  signal?: AbortSignal;
  /** This call's timeout in ms (`false` for none); for `stream`, until the answer's headers arrive. */
  timeout?: number | false;
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
  /** The upstream SDK's name of {@link ArtifactGatewayClient.onReady}: setting either sets both. */
  _onReady: ((client: ArtifactGatewayClient) => void) | null;
  /** POSTs `payload` to `proxyBase + type` and resolves with the JSON answer. */
  fetch<T = unknown>(type: string, payload?: unknown, options?: ArtifactCallOptions): Promise<T>;
  /** Gets a fresh token now (joins a refresh under way). */
  refresh(): Promise<string>;
  /** Calls an external HTTPS API through the gateway. */
  external(request: ExternalRequest, options?: ArtifactCallOptions): Promise<ExternalResponse>;
  /** Streams an external call; `onChunk` gets each decoded text chunk. */
  stream(
    request: ExternalRequest,
    onChunk: (chunk: string) => void,
    options?: ArtifactCallOptions,
  ): Promise<void>;
  /** Calls an allowlisted internal API. */
  internal(request: InternalRequest, options?: ArtifactCallOptions): Promise<InternalResponse>;
  /** Runs code (only when the host enables it). */
  run(
    language: 'python' | 'javascript' | 'bash',
    code: string,
    stdin?: string,
    options?: ArtifactCallOptions,
  ): Promise<RunResult>;
  /** DuckDB and Mongo calls. */
  db: DbApi;
  /** User and session files. */
  files: FilesApi;
  /** Versioned shared state. */
  state: StateApi;
}

/** `client.db`: DuckDB (`…Query`, `…Exec`) and MongoDB (`find`, `upsert`, `delete`) calls. */
export interface DbApi {
  /** Runs one SELECT (or, with an rw scope, any allowed statement) on a user database. */
  userQuery(db: string, sql: string, params?: unknown[], options?: ArtifactCallOptions): Promise<QueryResult>;
  /** Runs one statement on a user database. */
  userExec(db: string, sql: string, params?: unknown[], options?: ArtifactCallOptions): Promise<ExecResult>;
  /** Like `userQuery`, on the current session's database. */
  sessionQuery(
    db: string,
    sql: string,
    params?: unknown[],
    options?: ArtifactCallOptions,
  ): Promise<QueryResult>;
  /** Like `userExec`, on the current session's database. */
  sessionExec(
    db: string,
    sql: string,
    params?: unknown[],
    options?: ArtifactCallOptions,
  ): Promise<ExecResult>;
  /** Finds documents (limit 1–10 000, default 100). */
  find(
    collection: string,
    filter?: Record<string, unknown>,
    limit?: number,
    options?: ArtifactCallOptions,
  ): Promise<FindResult>;
  /** Updates the first match or inserts one. */
  upsert(
    collection: string,
    filter: Record<string, unknown>,
    update: Record<string, unknown>,
    options?: ArtifactCallOptions,
  ): Promise<UpsertResult>;
  /** Deletes every match. */
  delete(
    collection: string,
    filter: Record<string, unknown>,
    options?: ArtifactCallOptions,
  ): Promise<DeleteResult>;
}

/** `client.files`: the user's files, and the session's (`session…`). */
export interface FilesApi {
  /** Writes a UTF-8 text file. */
  write(path: string, content: string, options?: ArtifactCallOptions): Promise<FileWriteResult>;
  /** Reads a UTF-8 text file. */
  read(path: string, options?: ArtifactCallOptions): Promise<FileReadResult>;
  /** Lists a folder (default the root). */
  list(path?: string, options?: ArtifactCallOptions): Promise<FileListResult>;
  /** Deletes a file or folder (never the root). */
  delete(path: string, options?: ArtifactCallOptions): Promise<FileDeleteResult>;
  /** `write` in the session's folder. */
  sessionWrite(path: string, content: string, options?: ArtifactCallOptions): Promise<FileWriteResult>;
  /** `read` in the session's folder. */
  sessionRead(path: string, options?: ArtifactCallOptions): Promise<FileReadResult>;
  /** `list` in the session's folder. */
  sessionList(path?: string, options?: ArtifactCallOptions): Promise<FileListResult>;
  /** `delete` in the session's folder. */
  sessionDelete(path: string, options?: ArtifactCallOptions): Promise<FileDeleteResult>;
}

/** `client.state`: versioned documents with history, per account. */
export interface StateApi {
  /** Merges `patch`; with `expectedVersion`, fails with a 409 when the version moved on. */
  set(
    ns: string,
    id: string,
    patch?: Record<string, unknown>,
    expectedVersion?: number | null,
    options?: ArtifactCallOptions,
  ): Promise<StateSetResult>;
  /** The document (`data: null` when missing). */
  get<T = Record<string, unknown>>(
    ns: string,
    id: string,
    options?: ArtifactCallOptions,
  ): Promise<StateGetResult<T>>;
  /** Documents matching `filter`. */
  list<T = Record<string, unknown>>(
    ns: string,
    filter?: Record<string, unknown>,
    options?: ArtifactCallOptions,
  ): Promise<ListResult<StateDoc<T>>>;
  /** Deletes the document. */
  remove(ns: string, id: string, options?: ArtifactCallOptions): Promise<StateDeleteResult>;
  /** Events of one document (or of the namespace), newest first. */
  history(
    ns: string,
    id?: string | null,
    limit?: number,
    options?: ArtifactCallOptions,
  ): Promise<ListResult<Record<string, unknown>>>;
}

/** `state/{ns}/get`. */
export interface StateGetResult<T> {
  /** The document, or null. */
  data: StateDoc<T> | null;
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

/** A call's options as http-core takes them; anything but an object is refused, saying what to pass. */
function callOptions(opts: ArtifactCallOptions | undefined): {
  signal?: AbortSignal;
  timeout?: number | false;
} {
  if (opts === undefined) return {};
  if (typeof opts !== 'object' || opts === null || Array.isArray(opts))
    throw new TypeError(
      `The last argument of a gateway call is an options object { signal, timeout }, got ${typeof opts}.`,
    );
  return {
    ...(opts.signal === undefined ? {} : { signal: opts.signal }),
    ...(opts.timeout === undefined ? {} : { timeout: opts.timeout }),
  };
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
    createHttpClient({
      baseUrl: absoluteBase(proxyBase),
      retry: false,
      timeout: options.timeout ?? 30_000,
      auth: strategy,
      fetch: options.fetch,
    });
  const refreshWith = async (old: string): Promise<string> => {
    const answer = (await newHttp({
      apply({ headers }) {
        headers.set('authorization', `Bearer ${old}`);
      },
    }).post('token/refresh')) as { token?: unknown };
    if (typeof answer?.token !== 'string')
      throw new ArtifactGatewayError('token/refresh answered without a token', { code: 'invalid_token' });
    return answer.token;
  };
  const client = (): HttpClient => {
    if (token === undefined)
      throw new ArtifactGatewayError('artifact-gateway token not yet received', { code: 'invalid_token' });
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
  const call = async <T>(type: string, payload?: unknown, opts: ArtifactCallOptions = {}): Promise<T> =>
    (await client().post(type, {
      ...callOptions(opts),
      ...(payload === undefined ? {} : { json: payload }),
    })) as T;

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
    // Artifacts written for the upstream SDK set `_onReady`; it is the same callback.
    get _onReady() {
      return self.onReady;
    },
    set _onReady(callback) {
      self.onReady = callback;
    },
    fetch: (type, payload, opts) => call(type, payload, opts),
    async refresh() {
      client();
      return auth!.refresh();
    },
    external: (request, opts) => call('external', request, opts),
    async stream(request, onChunk, opts) {
      const { body } = await client().stream('POST', 'external/stream', {
        ...callOptions(opts),
        json: request,
      });
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
    internal: (request, opts) => call('internal', request, opts),
    run: (language, code, stdin, opts) => call('run', { language, code, stdin: stdin || '' }, opts),
    db: {
      userQuery: (db, sql, params, opts) => call(`db/user/${db}/query`, { sql, params: params || [] }, opts),
      userExec: (db, sql, params, opts) => call(`db/user/${db}/exec`, { sql, params: params || [] }, opts),
      sessionQuery: (db, sql, params, opts) =>
        call(`db/session/${db}/query`, { sql, params: params || [] }, opts),
      sessionExec: (db, sql, params, opts) =>
        call(`db/session/${db}/exec`, { sql, params: params || [] }, opts),
      find: (collection, filter, limit, opts) =>
        call(`db/user/${collection}/find`, { filter: filter || {}, limit: limit || 100 }, opts),
      upsert: (collection, filter, update, opts) =>
        call(`db/user/${collection}/upsert`, { filter, update }, opts),
      delete: (collection, filter, opts) => call(`db/user/${collection}/delete`, { filter }, opts),
    },
    files: {
      write: (path, content, opts) => call('files/user/write', { path, content }, opts),
      read: (path, opts) => call('files/user/read', { path }, opts),
      list: (path, opts) => call('files/user/list', { path: path || '' }, opts),
      delete: (path, opts) => call('files/user/delete', { path }, opts),
      sessionWrite: (path, content, opts) => call('files/session/write', { path, content }, opts),
      sessionRead: (path, opts) => call('files/session/read', { path }, opts),
      sessionList: (path, opts) => call('files/session/list', { path: path || '' }, opts),
      sessionDelete: (path, opts) => call('files/session/delete', { path }, opts),
    },
    state: {
      set: (ns, id, patch, expectedVersion, opts) =>
        call(
          `state/${ns}/set`,
          {
            resource_id: id,
            patch: patch || {},
            ...(expectedVersion === undefined || expectedVersion === null
              ? {}
              : { expected_version: expectedVersion }),
          },
          opts,
        ),
      get: (ns, id, opts) => call(`state/${ns}/get`, { resource_id: id }, opts),
      list: (ns, filter, opts) => call(`state/${ns}/list`, { filter: filter || {} }, opts),
      remove: (ns, id, opts) => call(`state/${ns}/delete`, { resource_id: id }, opts),
      history: (ns, id, limit, opts) =>
        call(`state/${ns}/events`, { resource_id: id ?? null, limit: limit || 100 }, opts),
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
    const fromEmbedder =
      event.source !== null && (event.source === win.parent || event.source === win.opener);
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

/**
 * The upstream SDK's default export, `{ createClient, autoInstall }`, so an artifact written for it
 * (`import sdk from 'artifact-sdk'`) runs unchanged once an import map points `artifact-sdk` here.
 */
const upstreamSdk: {
  /** {@link createClient}. */
  createClient: typeof createClient;
  /** {@link autoInstall}. */
  autoInstall: typeof autoInstall;
} = {
  createClient,
  autoInstall,
};
export default upstreamSdk;
