/**
 * The HTTP client: one ky instance per client runs every request (retries and their waits, timeouts, hooks,
 * JSON bodies and parsing, search params, schema validation, size limits, progress). http-core adds what ky
 * does not do, as ky hooks and options: credentials with a single-flight refresh and one replay, the
 * fail-closed retry rule, `Retry-After` limits and deadlines, typed errors, redaction and logging.
 *
 * @module
 */

import ky, {
  isForceRetryError,
  isHTTPError,
  isNetworkError,
  isResponseSizeError,
  isTimeoutError,
  type Options as KyOptions,
  SchemaValidationError,
  type StandardSchemaV1,
} from 'ky';
import type { AuthStrategy } from './auth.ts';
import {
  AbortError,
  AuthenticationError,
  type ErrorContext,
  errorForStatus,
  InvalidRequestError,
  NetworkError,
  ResponseTooLargeError,
  ResponseValidationError,
  TimeoutError,
  XError,
} from './errors.ts';
import type { Logger, RedactOptions } from './logger.ts';
import { redactHeaders, redactUrl } from './logger.ts';
import { parseResponse, type ResponseData, type ResponseSchema, validationError } from './models.ts';
import { toFormData } from './multipart.ts';
import { type Query, type QueryOptions, serializeQuery } from './query.ts';
import {
  backoffDelay,
  parseRetryAfter,
  type ResolvedRetry,
  type RetryOptions,
  resolveRetry,
} from './retry.ts';
import { type BodyOptions, parseLenient, readTextCapped, watchStream } from './streaming.ts';
import { isBrowser, userAgent } from './user-agent.ts';

/** A fetch-compatible function (e.g. one that adds an undici dispatcher for mTLS). */
export type FetchLike = (input: string, init: RequestInit & { duplex?: 'half' }) => Promise<Response>;

/**
 * A request about to be sent. `beforeRequest` hooks may change its fields: headers in place, and a new
 * `method`, `url` or `body` is sent as given (the attempt is then rebuilt from them).
 */
export interface PreparedRequest {
  /** The HTTP method (upper case). */
  method: string;
  /** The full URL including the query. */
  url: string;
  /** The headers, credentials included. */
  headers: Headers;
  /** The body as the call gave it (`undefined` for a `json` body, which is already serialised). */
  body: BodyInit | undefined;
  /** 1 for the first attempt, then 2, 3, ... (a 401 replay counts as an attempt too). */
  attempt: number;
  /** Aborts this attempt (caller abort, attempt timeout or total timeout). */
  signal: AbortSignal;
}

/** What `beforeRetry` hooks are told. */
export interface RetryInfo {
  /** The attempt that failed. */
  request: PreparedRequest;
  /** Why it failed. */
  error: XError;
  /** 1 for the first retry. */
  retry: number;
  /** How long the client waits before the retry, in ms. */
  delayMs: number;
}

/** Functions the client calls at fixed points of every request, in array order. */
export interface Hooks {
  /** Before each attempt is sent, after auth: add headers, sign, log. */
  beforeRequest?: Array<(request: PreparedRequest) => void | Promise<void>>;
  /**
   * After each response arrives (any status); return a `Response` to replace it (the replaced one's body is
   * cancelled), anything else keeps it. The hook sees a copy of the response, so it may read the body.
   */
  afterResponse?: Array<(request: PreparedRequest, response: Response) => unknown>;
  /** Once a retry is decided, before its wait (not for the replay after a credential refresh). */
  beforeRetry?: Array<(info: RetryInfo) => void | Promise<void>>;
  /** Before an error is thrown to the caller; return an `XError` to replace it, anything else keeps it. */
  beforeError?: Array<(error: XError) => unknown>;
}

/** Options of {@link createHttpClient}. */
export interface HttpClientOptions {
  /** Prefixed to every relative path (`https://api.example.com/v1`). */
  baseUrl?: string | URL;
  /** Headers sent with every request. */
  headers?: HeadersInit;
  /** How requests are authenticated (default: none). Replace it later with `setAuth`. */
  auth?: AuthStrategy;
  /** Per-attempt timeout in ms (default 30 000), until the body is read; `false` for none. */
  timeout?: number | false;
  /** Overall timeout of a call in ms, retries and waits included (default: none). */
  totalTimeout?: number | false;
  /** Retries (default 2) or a full {@link RetryOptions}; `false` disables them. */
  retry?: number | false | RetryOptions;
  /**
   * The idempotency header the service accepts (e.g. `'Idempotency-Key'`). When set, POST, PUT, PATCH and
   * DELETE get a generated key, the same on every retry, which also makes POST and PATCH retryable.
   */
  idempotencyHeader?: string;
  /** Makes idempotency keys (default `crypto.randomUUID()`). */
  generateIdempotencyKey?: () => string;
  /** The fetch to use (default `globalThis.fetch`); inject one for mTLS, proxies or tests. */
  fetch?: FetchLike;
  /** A product token put before http-core's own in the User-Agent, e.g. `x-airlock/1.0.0`. */
  userAgent?: string;
  /** Hooks; see {@link Hooks}. */
  hooks?: Hooks;
  /** Where to log (default: nowhere). Secrets are redacted; see {@link RedactOptions}. */
  logger?: Logger;
  /** Extra header and query names to redact in logs and error messages. */
  redact?: RedactOptions;
  /** The response header holding the server's request id (default `x-request-id`, then `request-id`). */
  requestIdHeader?: string;
  /**
   * Maps a failed response to a service's own error (return `undefined` for the default mapping, see
   * {@link errorForStatus}). Branch on wire codes in `context.body`, never on message text.
   */
  mapError?: (context: ErrorContext) => XError | undefined;
  /** The most bytes of an error body read (default 65 536). */
  maxErrorBodyBytes?: number;
  /** The most bytes a response body may have (default: no limit); a larger one fails with {@link ResponseTooLargeError}. */
  maxResponseSize?: number;
  /** How arrays in `query` are written. */
  query?: QueryOptions;
  /** The clock for deadlines and `Retry-After` dates (default `Date.now`). */
  now?: () => number;
  /** The random source of backoff jitter, in [0, 1) (default `Math.random`). */
  random?: () => number;
  /** Waits between retries (default: a timer that rejects when the signal aborts). */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

/** The options bag of every call; client options are the defaults. */
export interface RequestOptions<S extends ResponseSchema | undefined = ResponseSchema | undefined>
  extends BodyOptions {
  /** Aborts the call: the request, the body read and any retry wait. Rejects with {@link AbortError}. */
  signal?: AbortSignal;
  /** Per-attempt timeout in ms for this call. */
  timeout?: number | false;
  /** Overall timeout in ms for this call. */
  totalTimeout?: number | false;
  /** Extra headers for this call (they override the client's). */
  headers?: HeadersInit;
  /** Query parameters, serialised with {@link serializeQuery}. */
  query?: Query;
  /** The valibot schema the response body is validated with; the call's return type follows it. */
  schema?: S;
  /** Retry policy for this call. */
  retry?: number | false | RetryOptions;
  /**
   * Whether repeating this call cannot change its outcome (default: by method, GET/HEAD/OPTIONS/PUT/DELETE
   * yes, POST/PATCH no; an idempotency key makes any call retryable). A call that is not idempotent is
   * retried only when it cannot have reached the server (connection refused, DNS failure, connect timeout).
   */
  idempotent?: boolean;
  /** This call's idempotency key (reuse it to make a repeat detectable); `false` sends none. */
  idempotencyKey?: string | false;
  /** Auth for this call instead of the client's. */
  auth?: AuthStrategy;
  /** The most bytes the response body may have (overrides the client's `maxResponseSize`). */
  maxResponseSize?: number;
  /**
   * Called as the request body is sent (the body is then streamed, so the runtime must support request
   * streams; Chromium needs HTTP/2 for it). The last call has `percent: 1`.
   */
  onUploadProgress?: (progress: TransferProgress, chunk: Uint8Array) => void;
  /**
   * Called as the response body arrives. With it, the body is read as it arrives rather than within the
   * attempt, so a connection that breaks while the body is read is not retried.
   */
  onDownloadProgress?: (progress: TransferProgress, chunk: Uint8Array) => void;
  /** How a success body is read: `'auto'` (default: JSON if the content type says so, else text), `'json'`, `'text'`, `'bytes'`. */
  parseAs?: 'auto' | 'json' | 'text' | 'bytes';
}

/** How far an upload or download has got. */
export interface TransferProgress {
  /** From 0 to 1 (1 only once the transfer has ended). */
  percent: number;
  /** Bytes sent or received so far. */
  transferredBytes: number;
  /** The expected total (0 when unknown, e.g. a compressed or chunked response). */
  totalBytes: number;
}

/** Data together with the response it came from. */
export interface ResponseWithData<T> {
  /** The parsed (and validated) body; `undefined` for 204/205 and HEAD. */
  data: T;
  /** The response (its body already read). */
  response: Response;
  /** The server's request id, if it sent one. */
  requestId: string | undefined;
}

/** A streamed response body. */
export interface StreamedResponse {
  /** The body; cancel it or read it to the end. The call's signal still aborts it. */
  body: ReadableStream<Uint8Array>;
  /** The response. */
  response: Response;
  /** The server's request id, if it sent one. */
  requestId: string | undefined;
}

/** A configured HTTP client. Every method takes one options bag last. */
export interface HttpClient {
  /** Sends a request and resolves with the (validated) body. */
  request<S extends ResponseSchema | undefined = undefined>(
    method: string,
    path: string,
    options?: RequestOptions<S>,
  ): Promise<ResponseData<S>>;
  /** Like `request`, and also gives the response and request id. */
  requestWithResponse<S extends ResponseSchema | undefined = undefined>(
    method: string,
    path: string,
    options?: RequestOptions<S>,
  ): Promise<ResponseWithData<ResponseData<S>>>;
  /** Sends a request and resolves once the headers arrive, with the body as a stream. */
  stream(method: string, path: string, options?: RequestOptions<undefined>): Promise<StreamedResponse>;
  /** GET `path`. */
  get<S extends ResponseSchema | undefined = undefined>(
    path: string,
    options?: RequestOptions<S>,
  ): Promise<ResponseData<S>>;
  /** POST `path`. */
  post<S extends ResponseSchema | undefined = undefined>(
    path: string,
    options?: RequestOptions<S>,
  ): Promise<ResponseData<S>>;
  /** PUT `path`. */
  put<S extends ResponseSchema | undefined = undefined>(
    path: string,
    options?: RequestOptions<S>,
  ): Promise<ResponseData<S>>;
  /** PATCH `path`. */
  patch<S extends ResponseSchema | undefined = undefined>(
    path: string,
    options?: RequestOptions<S>,
  ): Promise<ResponseData<S>>;
  /** DELETE `path`. */
  delete<S extends ResponseSchema | undefined = undefined>(
    path: string,
    options?: RequestOptions<S>,
  ): Promise<ResponseData<S>>;
  /** Replaces the auth strategy for later requests (`undefined` for none). */
  setAuth(auth: AuthStrategy | undefined): void;
  /** The full URL of `path` with `query`, as the client would send it. */
  url(path: string, query?: Query): string;
}

const unsafeMethods = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const idempotentMethods = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'TRACE']);
const defaultAccept = 'application/json, text/plain;q=0.9, */*;q=0.8';
// setTimeout's range: a longer wait would fire at once.
const maxTimer = 2 ** 31 - 1;
// Statuses whose responses have no body: a Response cannot be built with one.
const nullBodyStatuses = new Set([101, 103, 204, 205, 304]);
const replayCode = 'x-http-core.credential-replay';

/** A timeout as a timer delay, or `false` for none; beyond setTimeout's range (~24.8 days) means none. */
function timerMs(value: number | false): number | false {
  return value === false || !(value <= maxTimer) ? false : Math.max(0, value);
}

// Failures before a connection existed: the request cannot have reached the server.
const notConnectedCodes = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EAI_NONAME',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/**
 * True when `error` is a network failure that happened before any byte could reach the server, judged by
 * the error codes in its cause chain. Browsers hide the cause, so there it is always false (fail closed:
 * a write that may have happened is not repeated).
 */
function neverSent(error: XError): boolean {
  if (!NetworkError.isInstance(error)) return false;
  let cause: unknown = error.cause;
  for (let depth = 0; depth < 5 && typeof cause === 'object' && cause !== null; depth++) {
    const c = cause as { code?: unknown; errors?: unknown[]; cause?: unknown };
    if (typeof c.code === 'string' && notConnectedCodes.has(c.code)) return true;
    // Happy eyeballs reports one error per address tried.
    if (Array.isArray(c.errors) && c.errors.length > 0)
      return c.errors.every((e) => notConnectedCodes.has((e as { code?: string })?.code ?? ''));
    cause = c.cause;
  }
  return false;
}

/**
 * When `fetch` threw a `TypeError`, whether the runtime refused the request itself, before sending anything:
 * building the same `Request` throws too (a header value, method, URL or option it does not accept). Returns
 * that error's message, or `undefined` for a failure of the network (fetch rejects those with `TypeError` too,
 * so the class alone does not tell). A runtime that checks more in `fetch` than in `Request` (Bun) is known by
 * Node's `ERR_INVALID_*` argument codes. A stream body is stood in for by an empty stream, the caller's being used.
 */
function refusedBeforeSending(url: string, init: RequestInit, error: unknown): string | undefined {
  if ((error as Error | undefined)?.name !== 'TypeError') return undefined;
  // Bun checks some options in fetch only, not in Request, and says so with Node's argument error codes.
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && code.startsWith('ERR_INVALID_')) return (error as Error).message;
  try {
    new Request(url, init.body instanceof ReadableStream ? { ...init, body: new ReadableStream() } : init);
    return undefined;
  } catch (refusal) {
    return (refusal as Error)?.message ?? String(refusal);
  }
}

let streamsUploads: boolean | undefined;

/**
 * Whether this browser streams a `ReadableStream` request body: one that does not reads the `duplex` option
 * and sends the stream as the text `[object ReadableStream]` (with a text content type) instead.
 */
function browserStreamsUploads(): boolean {
  if (streamsUploads === undefined) {
    let duplexRead = false;
    try {
      const probe = new Request('https://streaming.invalid/', {
        method: 'POST',
        body: new ReadableStream(),
        get duplex() {
          duplexRead = true;
          return 'half' as const;
        },
      } as RequestInit);
      streamsUploads = duplexRead && !probe.headers.has('content-type');
    } catch {
      streamsUploads = false;
    }
  }
  return streamsUploads;
}

/**
 * A random identifier: `crypto.randomUUID()`, or where it is missing (insecure browser contexts) 128 random
 * bits in hex. What idempotency keys default to; service clients use it for request and message ids too.
 *
 * @example
 * ```ts
 * const requestId = `req-${randomId()}`;
 * ```
 */
export function randomId(): string {
  const c = (globalThis as { crypto?: Crypto }).crypto;
  if (c?.randomUUID) return c.randomUUID();
  // Insecure contexts lack randomUUID; 128 random bits in hex serve the same purpose.
  const bytes = c
    ? c.getRandomValues(new Uint8Array(16))
    : Uint8Array.from({ length: 16 }, () => Math.random() * 256);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** What http-core keeps about one call while ky runs it; ky's hooks find it in `options.context`. */
interface Call {
  method: string;
  /** The redacted URL, for logs and messages. */
  safe: () => string;
  strategy: AuthStrategy | undefined;
  policy: ResolvedRetry;
  timeout: number | false;
  totalTimeout: number | false;
  /** When the total timeout passes, by `now()`. */
  deadline: number;
  /** When the total timeout passes, by the real clock ky uses. */
  realDeadline: number;
  signal: AbortSignal | undefined;
  idempotent: boolean;
  /** False for a stream body: it can be sent once only, so it is neither retried nor replayed. */
  replayable: boolean;
  /** The body the call gave (not for `json`), handed to an injected fetch as it is. */
  body: BodyInit | undefined;
  /** Whether the body is read within the attempt (so its timeout and retries cover it). */
  buffer: boolean;
  uploadProgress: boolean;
  attempt: number;
  /** Whether the current attempt's timeout is the total deadline's. */
  attemptBoundByTotal: boolean;
  retries: number;
  replayed: boolean;
  /** The wait chosen for the coming retry. */
  delay: number;
  prepared: PreparedRequest | undefined;
  /** ky's errors already turned into ours, so a retry decision and the final error agree. */
  mapped: WeakMap<object, unknown>;
  /** The JSON value of the success body, for a validation error. */
  json: unknown;
  /** The success response, once it arrived. */
  response?: Response;
}

/**
 * The schema handed to ky's `.json()`: the call's schema (or none), recording the parsed value for a
 * validation error. With a schema, ky reads an empty body as `undefined` rather than failing.
 */
function recording(call: Call, schema: ResponseSchema | undefined): StandardSchemaV1 {
  return {
    '~standard': {
      version: 1,
      vendor: 'x-http-core',
      validate(value: unknown) {
        call.json = value;
        return schema ? schema['~standard'].validate(value) : { value };
      },
    },
  };
}

const callOf = (options: { context: Record<string, unknown> }) => options.context.call as Call;

/**
 * Creates an HTTP client: one ky instance, configured from these options, with http-core's hooks for
 * credentials, retry decisions, logging and typed errors.
 *
 * @example
 * ```ts
 * const client = createHttpClient({ baseUrl: 'https://api.example.com', auth: bearer(token) });
 * const user = await client.get('/me', { schema: v.object({ id: v.string() }), signal });
 * ```
 */
export function createHttpClient(options: HttpClientOptions = {}): HttpClient {
  const base = options.baseUrl === undefined ? '' : String(options.baseUrl).replace(/\/+$/, '');
  const userFetch = options.fetch;
  const retryDefaults = resolveRetry(options.retry);
  const clientTimeout = options.timeout ?? 30_000;
  const clientTotalTimeout = options.totalTimeout ?? false;
  const clientMaxResponseSize = options.maxResponseSize;
  const queryOptions = options.query;
  const now = options.now ?? Date.now;
  const random = options.random ?? Math.random;
  const sleep = options.sleep;
  const log = options.logger;
  // Asked per call: a logger's level may change while the client lives (pino's can).
  const logs = (level: 'debug' | 'info') => log !== undefined && (log.isLevelEnabled?.(level) ?? true);
  const hooks = options.hooks ?? {};
  const maxErrorBody = options.maxErrorBodyBytes ?? 65_536;
  const idempotencyHeader = options.idempotencyHeader;
  const newKey = options.generateIdempotencyKey ?? randomId;
  const redactQuery = options.redact?.query;
  const redactHeaderNames = options.redact?.headers;
  // Error bodies as read (capped) by `send`.
  const errorTexts = new WeakMap<Response, string>();
  let auth = options.auth;

  // Browsers refuse to set User-Agent, so there the identification travels in X-Client-Info.
  const defaultHeaders = new Headers(options.headers);
  const uaHeader = isBrowser() ? 'x-client-info' : 'user-agent';
  if (!defaultHeaders.has(uaHeader)) defaultHeaders.set(uaHeader, userAgent(options.userAgent));
  if (!defaultHeaders.has('accept')) defaultHeaders.set('accept', defaultAccept);

  const buildUrl = (path: string, query?: Query): string => {
    const url = /^[a-z][a-z\d+.-]*:/i.test(path) || !base ? path : `${base}/${path.replace(/^\/+/, '')}`;
    const qs = query ? serializeQuery(query, options.query) : '';
    return qs ? `${url}${url.includes('?') ? '&' : '?'}${qs}` : url;
  };

  const requestIdOf = (headers: Headers): string | undefined =>
    (options.requestIdHeader
      ? headers.get(options.requestIdHeader)
      : (headers.get('x-request-id') ?? headers.get('request-id'))) ?? undefined;

  /** Credentials and `beforeRequest` hooks, before every attempt (ky's `beforeRequest`, then `beforeRetry`). */
  async function prepare(call: Call, request: Request): Promise<Request | undefined> {
    const prepared: PreparedRequest = {
      method: request.method,
      url: request.url,
      headers: request.headers,
      body: call.body,
      attempt: ++call.attempt,
      signal: request.signal,
    };
    call.prepared = prepared;
    try {
      await call.strategy?.apply({
        headers: prepared.headers,
        method: prepared.method,
        url: prepared.url,
        signal: request.signal,
      });
    } catch (error) {
      if (XError.isInstance(error)) throw error;
      throw new AuthenticationError(`${call.method} ${call.safe()}: obtaining credentials failed.`, {
        cause: error,
      });
    }
    for (const hook of hooks.beforeRequest ?? []) await hook(prepared);
    if (prepared.method === request.method && prepared.url === request.url && prepared.body === call.body)
      return undefined;
    // A hook asked for another request: ky sends the one returned here.
    call.method = prepared.method.toUpperCase();
    call.body = prepared.body;
    const init: RequestInit & { duplex?: 'half' } = {
      method: call.method,
      headers: prepared.headers,
      signal: request.signal,
      body: prepared.body === undefined ? request.body : prepared.body,
    };
    if (init.body) init.duplex = 'half';
    return new Request(prepared.url, init);
  }

  /**
   * ky's `fetch`: sends through the injected fetch (as `(url, init)`) or the global one, and reads an error
   * body (capped) and, for `request()`, the success body within the attempt, so the attempt's timeout and
   * the retry decision cover them.
   */
  async function send(call: Call, request: Request, extra: Record<string, unknown>): Promise<Response> {
    const remaining = call.realDeadline - Date.now();
    call.attemptBoundByTotal = call.timeout === false || remaining <= call.timeout;
    const debug = logs('debug');
    if (debug)
      log!.debug('http request', {
        method: request.method,
        url: call.safe(),
        attempt: call.attempt,
        headers: redactHeaders(request.headers, redactHeaderNames),
      });
    const started = now();
    let response: Response;
    // What was asked of fetch, to tell afterwards whether the runtime refused it before sending.
    let asked: RequestInit & { duplex?: 'half' } = {
      ...extra,
      method: request.method,
      headers: request.headers,
      ...(request.body ? { body: request.body, duplex: 'half' as const } : {}),
    };
    const streamed = request.body !== null && (call.uploadProgress || call.body instanceof ReadableStream);
    if (streamed && isBrowser() && !browserStreamsUploads())
      throw new InvalidRequestError(
        `${call.method} ${call.safe()} was not sent: this browser cannot stream a request body; send a Blob instead.`,
      );
    try {
      if (userFetch) {
        const init: RequestInit & { duplex?: 'half' } & Record<string, unknown> = {
          ...extra,
          method: request.method,
          headers: request.headers,
          signal: request.signal,
        };
        if (request.body) {
          // The call's own body when it is what ky sends (an injected fetch may treat strings and bytes
          // specially, and browsers stream no upload over HTTP/1.1), else the request's stream (an upload
          // with progress, a stream body). A FormData gets a new boundary, so the old one goes.
          const raw = call.body;
          if (call.uploadProgress || raw instanceof ReadableStream) {
            init.body = request.body;
            init.duplex = 'half';
          } else if (raw instanceof FormData) {
            init.body = raw;
            const headers = new Headers(request.headers);
            headers.delete('content-type');
            init.headers = headers;
          } else init.body = raw ?? new Uint8Array(await request.arrayBuffer());
        }
        asked = init;
        response = await userFetch(request.url, init);
      } else response = await globalThis.fetch(request, extra);
    } catch (error) {
      if (request.signal.aborted) throw error;
      const refused = refusedBeforeSending(request.url, asked, error);
      if (refused !== undefined)
        throw new InvalidRequestError(`${call.method} ${call.safe()} was not sent: ${refused}`, {
          cause: error,
        });
      const hint = streamed && isBrowser() ? ' (a browser streams uploads over HTTP/2 only)' : '';
      throw new NetworkError(
        `${call.method} ${call.safe()} failed: ${(error as Error)?.message ?? error}${hint}.`,
        { cause: error },
      );
    }
    if (debug)
      log!.debug('http response', {
        method: request.method,
        url: call.safe(),
        status: response.status,
        ms: now() - started,
        requestId: requestIdOf(response.headers),
      });
    if (!response.ok || call.buffer) {
      try {
        response = await settle(response, !response.ok);
      } catch (error) {
        if (request.signal.aborted) throw error;
        throw new NetworkError(
          `${call.method} ${call.safe()}: reading the response body failed: ${(error as Error)?.message}.`,
          { cause: error },
        );
      }
    }
    return response;
  }

  /** The response with its body read: an error body up to the cap, a success body in full. */
  async function settle(response: Response, failed: boolean): Promise<Response> {
    if (nullBodyStatuses.has(response.status) || !response.body) return response;
    const text = failed ? await readTextCapped(response, maxErrorBody) : undefined;
    const settled = new Response(text ?? (await response.arrayBuffer()), {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    });
    Object.defineProperties(settled, {
      url: { value: response.url },
      redirected: { value: response.redirected },
    });
    if (text !== undefined) errorTexts.set(settled, text);
    return settled;
  }

  /** ky's error (or anything thrown while it ran) as the typed error the caller gets. */
  function toXError(call: Call, thrown: unknown): unknown {
    if (typeof thrown !== 'object' || thrown === null) return abortedError(call) ?? thrown;
    if (call.mapped.has(thrown)) return call.mapped.get(thrown);
    const mapped = mapThrown(call, thrown);
    call.mapped.set(thrown, mapped);
    return mapped;
  }

  function abortedError(call: Call): XError | undefined {
    const signal = call.signal;
    if (!signal?.aborted) return undefined;
    // A TimeoutError as the reason is a deadline of ours (e.g. longPoll's) and stays one.
    const reason: unknown = signal.reason;
    if (TimeoutError.isInstance(reason) || AbortError.isInstance(reason)) return reason as XError;
    return new AbortError(`${call.method} ${call.safe()} was aborted by the caller.`, { cause: reason });
  }

  function mapThrown(call: Call, thrown: object): unknown {
    const aborted = abortedError(call);
    if (aborted) return aborted;
    if (XError.isInstance(thrown)) return thrown;
    if (isHTTPError(thrown)) return errorFor(call, thrown.response, thrown.data);
    if (isTimeoutError(thrown)) {
      const total = call.attemptBoundByTotal && call.totalTimeout !== false;
      return total || Date.now() >= call.realDeadline
        ? new TimeoutError(`${call.method} ${call.safe()} did not complete within ${call.totalTimeout} ms.`)
        : new TimeoutError(
            `${call.method} ${call.safe()} timed out after ${call.timeout} ms (attempt ${call.attempt}).`,
            { retryable: true },
          );
    }
    if (isNetworkError(thrown))
      return new NetworkError(
        `${call.method} ${call.safe()} failed: ${(thrown.cause as Error)?.message ?? thrown.message}.`,
        { cause: thrown.cause },
      );
    if (isResponseSizeError(thrown))
      return new ResponseTooLargeError(`${call.method} ${call.safe()}: ${thrown.message}`, { cause: thrown });
    if (thrown instanceof SchemaValidationError)
      return validationError(thrown.issues, call.json, source(call, call.response)());
    if (thrown instanceof SyntaxError)
      return new ResponseValidationError(
        `${call.method} ${call.safe()}: the response body is not valid JSON.`,
        {
          cause: thrown,
        },
      );
    // ky builds the Request before any attempt: a TypeError then is the runtime refusing it (a GET with a
    // body, a header value or option it does not accept), nothing was sent.
    if ((thrown as Error).name === 'TypeError' && call.attempt === 0)
      return new InvalidRequestError(
        `${call.method} ${call.safe()} was not sent: ${(thrown as Error).message}`,
        {
          cause: thrown,
        },
      );
    // Anything else is a bug in a hook or strategy: it surfaces as it is.
    return thrown;
  }

  function errorFor(call: Call, response: Response, data: unknown): XError {
    const text =
      errorTexts.get(response) ??
      (typeof data === 'string' ? data : data === undefined ? '' : JSON.stringify(data));
    const requestId = requestIdOf(response.headers);
    const retryAfterMs = parseRetryAfter(response.headers, now());
    const context: ErrorContext = {
      status: response.status,
      body: parseLenient(text),
      text,
      headers: response.headers,
      method: call.method,
      url: call.safe(),
      retryable: call.policy.statuses.includes(response.status),
      ...(requestId === undefined ? {} : { requestId }),
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    };
    return options.mapError?.(context) ?? errorForStatus(context);
  }

  const source = (call: Call, response: Response | undefined) => () => ({
    method: call.method,
    url: call.safe(),
    status: response?.status ?? 200,
    requestId: response ? requestIdOf(response.headers) : undefined,
  });

  /** ky's `retry.shouldRetry`: the fail-closed rule, the retry budget, waits the server asks for, the deadline. */
  async function shouldRetry(call: Call, thrown: Error): Promise<boolean> {
    const error = toXError(call, thrown);
    // A bug in a hook or strategy is not retried.
    if (!XError.isInstance(error)) return false;
    const policy = call.policy;
    const wait = error.retryAfterMs;
    if (
      call.retries >= policy.limit ||
      !call.replayable ||
      !(call.idempotent || neverSent(error)) ||
      !error.retryable ||
      call.signal?.aborted ||
      // A wait beyond the timer's range could not be kept: it would fire at once.
      (wait !== undefined && wait > Math.min(policy.maxRetryAfter, maxTimer))
    )
      return false;
    const delay = wait ?? backoffDelay(call.retries + 1, policy, random);
    // No wait starts that would pass the deadline: the caller gets the error that is worth knowing.
    if (now() + delay > call.deadline) return false;
    call.retries++;
    call.delay = delay;
    for (const hook of hooks.beforeRetry ?? [])
      await hook({ request: call.prepared!, error, retry: call.retries, delayMs: delay });
    if (logs('info'))
      log!.info('http retry', {
        method: call.method,
        url: call.safe(),
        retry: call.retries,
        delayMs: delay,
        code: error.code,
        status: error.status,
      });
    return true;
  }

  const api = ky.create({
    throwHttpErrors: true,
    hooks: {
      beforeRequest: [({ request, options }) => prepare(callOf(options), request)],
      beforeRetry: [
        async ({ request, options, error }) => {
          const call = callOf(options);
          // An injected sleep waits here; ky was told to wait 0 ms.
          if (sleep && !(isForceRetryError(error) && error.code === replayCode))
            await sleep(call.delay, request.signal);
          return prepare(call, request);
        },
      ],
      afterResponse: [
        ...(hooks.afterResponse ?? []).map(
          (hook) =>
            async ({
              response,
              options,
            }: {
              response: Response;
              options: { context: Record<string, unknown> };
            }) => {
              const replaced = await hook(callOf(options).prepared!, response);
              return replaced instanceof Response ? replaced : undefined;
            },
        ),
        // Single-flight credential refresh with one replay: the strategy decides, ky resends.
        async ({ response, options }) => {
          const call = callOf(options);
          const strategy = call.strategy;
          if (response.status !== 401 || !strategy?.onUnauthorized || call.replayed || !call.replayable)
            return undefined;
          const prepared = call.prepared!;
          let again: boolean;
          try {
            again = await strategy.onUnauthorized({
              headers: prepared.headers,
              method: call.method,
              url: prepared.url,
              signal: prepared.signal,
            });
          } catch (error) {
            if (XError.isInstance(error) || call.signal?.aborted) throw error;
            throw new AuthenticationError(`${call.method} ${call.safe()}: refreshing credentials failed.`, {
              status: 401,
              cause: error,
              requestId: requestIdOf(response.headers),
            });
          }
          if (!again) return undefined;
          call.replayed = true;
          if (logs('info'))
            log!.info('http replay after credential refresh', { method: call.method, url: call.safe() });
          return ky.retry({ delay: 0, code: replayCode });
        },
      ],
    },
  });

  function start(method: string, path: string, options: RequestOptions, streaming: boolean) {
    method = method.toUpperCase();
    const url = buildUrl(path);
    const fullUrl = buildUrl(path, options.query);
    let redacted: string | undefined;
    // Redacting parses the URL; only logs and errors need it.
    const safe = () => (redacted ??= redactUrl(fullUrl, redactQuery));
    const policy = resolveRetry(options.retry, retryDefaults);
    const timeout = timerMs(options.timeout ?? clientTimeout);
    const totalTimeout = timerMs(options.totalTimeout ?? clientTotalTimeout);

    const headers = new Headers(defaultHeaders);
    if (options.headers) for (const [name, value] of new Headers(options.headers)) headers.set(name, value);
    if (streaming && headers.get('accept') === defaultAccept) headers.set('accept', '*/*');
    if (unsafeMethods.has(method)) {
      const keyHeader = idempotencyHeader ?? 'idempotency-key';
      if (options.idempotencyKey === false) headers.delete(keyHeader);
      else if (options.idempotencyKey) headers.set(keyHeader, options.idempotencyKey);
      else if (idempotencyHeader && !headers.has(keyHeader)) headers.set(keyHeader, newKey());
    }
    const hasKey = headers.has(idempotencyHeader ?? 'idempotency-key');
    let body: BodyInit | undefined;
    if (options.json === undefined)
      body =
        options.form !== undefined
          ? options.form instanceof FormData
            ? options.form
            : toFormData(options.form)
          : ((options.body ?? undefined) as BodyInit | undefined);
    const strategy = options.auth ?? auth;
    const replayable = !(body instanceof ReadableStream);
    const maxResponseSize = options.maxResponseSize ?? clientMaxResponseSize;
    const call: Call = {
      method,
      safe,
      strategy,
      policy,
      timeout,
      totalTimeout,
      deadline: totalTimeout === false ? Number.POSITIVE_INFINITY : now() + totalTimeout,
      realDeadline: totalTimeout === false ? Number.POSITIVE_INFINITY : Date.now() + totalTimeout,
      signal: options.signal,
      idempotent: hasKey || (options.idempotent ?? idempotentMethods.has(method)),
      replayable,
      body,
      buffer: !streaming && !options.onDownloadProgress && maxResponseSize === undefined,
      uploadProgress: options.onUploadProgress !== undefined,
      attempt: 0,
      attemptBoundByTotal: false,
      retries: 0,
      replayed: false,
      delay: 0,
      prepared: undefined,
      mapped: new WeakMap(),
      json: undefined,
    };
    const kyOptions: KyOptions = {
      method,
      headers,
      timeout,
      totalTimeout,
      context: { call },
      fetch: (request, extra) => send(call, request as Request, extra as Record<string, unknown>),
      retry: {
        // One more for the replay after a credential refresh, which is no retry of ours.
        limit: replayable ? policy.limit + (strategy?.onUnauthorized ? 1 : 0) : 0,
        // Which calls may be repeated is shouldRetry's decision.
        methods: [method.toLowerCase(), method],
        statusCodes: [...policy.statuses],
        afterStatusCodes: [],
        retryOnTimeout: true,
        maxRetryAfter: Number.POSITIVE_INFINITY,
        backoffLimit: Number.POSITIVE_INFINITY,
        shouldRetry: ({ error }) => shouldRetry(call, error),
        delay: () => (sleep ? 0 : call.delay),
      },
    };
    if (options.query) {
      const qs = serializeQuery(options.query, queryOptions);
      if (qs) kyOptions.searchParams = qs;
    }
    if (options.json !== undefined) kyOptions.json = options.json;
    else if (body !== undefined) kyOptions.body = body;
    if (options.signal) kyOptions.signal = options.signal;
    if (maxResponseSize !== undefined) kyOptions.maxResponseSize = maxResponseSize;
    if (options.onUploadProgress) kyOptions.onUploadProgress = options.onUploadProgress;
    if (options.onDownloadProgress) kyOptions.onDownloadProgress = options.onDownloadProgress;
    return { call, promise: api(url, kyOptions) };
  }

  async function fail(call: Call, thrown: unknown): Promise<never> {
    const mapped = toXError(call, thrown);
    if (!XError.isInstance(mapped)) throw mapped;
    let error: XError = mapped;
    for (const hook of hooks.beforeError ?? []) {
      const replaced = await hook(error);
      if (XError.isInstance(replaced)) error = replaced;
    }
    if (logs('debug'))
      log!.debug('http error', {
        method: call.method,
        url: call.safe(),
        code: error.code,
        status: error.status,
      });
    throw error;
  }

  async function execute(
    method: string,
    path: string,
    options: RequestOptions,
  ): Promise<ResponseWithData<unknown>> {
    const { call, promise } = start(method, path, options, false);
    try {
      const response = await promise;
      call.response = response;
      const requestId = requestIdOf(response.headers);
      const schema = options.schema;
      const parseAs = options.parseAs ?? 'auto';
      let data: unknown;
      if (nullBodyStatuses.has(response.status) || call.method === 'HEAD') {
        await response.body?.cancel().catch(() => {});
        data = undefined;
      } else if (parseAs === 'bytes') data = new Uint8Array(await promise.arrayBuffer());
      else if (
        parseAs === 'json' ||
        (parseAs === 'auto' && (response.headers.get('content-type') ?? '').includes('json'))
      )
        return { data: await promise.json(recording(call, schema)), response, requestId };
      else {
        const text = await promise.text();
        data = text === '' && parseAs === 'auto' ? undefined : text;
      }
      return {
        data: schema ? parseResponse(schema, data, source(call, response)) : data,
        response,
        requestId,
      };
    } catch (thrown) {
      return fail(call, thrown);
    }
  }

  async function stream(method: string, path: string, options: RequestOptions): Promise<StreamedResponse> {
    const { call, promise } = start(method, path, options, true);
    try {
      const response = await promise;
      // Timeouts stop at the headers for streams; the caller's signal keeps reaching the body.
      const body = watchStream(
        response.body,
        (error) =>
          abortedError(call) ??
          new NetworkError(`${call.method} ${call.safe()}: reading the response stream failed.`, {
            cause: error,
          }),
      );
      return { body, response, requestId: requestIdOf(response.headers) };
    } catch (thrown) {
      return fail(call, thrown);
    }
  }

  const request = async (method: string, path: string, call: RequestOptions = {}) =>
    (await execute(method, path, call)).data;

  return {
    request: request as HttpClient['request'],
    requestWithResponse: ((method: string, path: string, call: RequestOptions = {}) =>
      execute(method, path, call)) as HttpClient['requestWithResponse'],
    stream: (method, path, call = {}) => stream(method, path, call),
    get: ((path: string, call?: RequestOptions) => request('GET', path, call)) as HttpClient['get'],
    post: ((path: string, call?: RequestOptions) => request('POST', path, call)) as HttpClient['post'],
    put: ((path: string, call?: RequestOptions) => request('PUT', path, call)) as HttpClient['put'],
    patch: ((path: string, call?: RequestOptions) => request('PATCH', path, call)) as HttpClient['patch'],
    delete: ((path: string, call?: RequestOptions) => request('DELETE', path, call)) as HttpClient['delete'],
    setAuth(next) {
      auth = next;
    },
    url: buildUrl,
  };
}
