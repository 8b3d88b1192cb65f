/**
 * The HTTP client: one function prepares a request, one turns a response into data or a typed error, and
 * a loop around them owns retries, timeouts, aborts and credential refresh.
 *
 * @module
 */

import type { AuthStrategy } from './auth.ts';
import {
  AbortError,
  AuthenticationError,
  type ErrorContext,
  errorForStatus,
  InvalidRequestError,
  NetworkError,
  ResponseValidationError,
  TimeoutError,
  XError,
} from './errors.ts';
import type { Logger, RedactOptions } from './logger.ts';
import { redactHeaders, redactUrl } from './logger.ts';
import { parseResponse, type ResponseData, type ResponseSchema } from './models.ts';
import { type Query, type QueryOptions, serializeQuery } from './query.ts';
import {
  abortReason,
  backoffDelay,
  sleep as defaultSleep,
  idempotentMethods,
  parseRetryAfter,
  type ResolvedRetry,
  type RetryOptions,
  resolveRetry,
} from './retry.ts';
import { type BodyOptions, parseLenient, prepareBody, readTextCapped, watchStream } from './streaming.ts';
import { isBrowser, userAgent } from './user-agent.ts';

/** A fetch-compatible function (e.g. one that adds an undici dispatcher for mTLS). */
export type FetchLike = (input: string, init: RequestInit & { duplex?: 'half' }) => Promise<Response>;

/** A request about to be sent; `beforeRequest` hooks may change its fields. */
export interface PreparedRequest {
  /** The HTTP method (upper case). */
  method: string;
  /** The full URL including the query. */
  url: string;
  /** The headers, credentials included. */
  headers: Headers;
  /** The body, if any. */
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
  /** After each response arrives (any status); return a `Response` to replace it, anything else keeps it. */
  afterResponse?: Array<(request: PreparedRequest, response: Response) => unknown>;
  /** Before waiting for a retry. */
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
  /** How a success body is read: `'auto'` (default: JSON if the content type says so, else text), `'json'`, `'text'`, `'bytes'`. */
  parseAs?: 'auto' | 'json' | 'text' | 'bytes';
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
const defaultAccept = 'application/json, text/plain;q=0.9, */*;q=0.8';

/** A timeout as a timer delay, or `false` for none; beyond setTimeout's range (~24.8 days) means none. */
function timerMs(value: number | false): number | false {
  return value === false || !(value < 2 ** 31) ? false : Math.max(0, value);
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

/** Thrown inside an attempt to ask the loop for a replay after a credential refresh. */
const replay = Symbol('replay');

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

/**
 * Creates an HTTP client.
 *
 * @example
 * ```ts
 * const client = createHttpClient({ baseUrl: 'https://api.example.com', auth: bearer(token) });
 * const user = await client.get('/me', { schema: v.object({ id: v.string() }), signal });
 * ```
 */
export function createHttpClient(options: HttpClientOptions = {}): HttpClient {
  const base = options.baseUrl === undefined ? '' : String(options.baseUrl).replace(/\/+$/, '');
  const fetchImpl: FetchLike = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const retryDefaults = resolveRetry(options.retry);
  const now = options.now ?? Date.now;
  const random = options.random ?? Math.random;
  const sleep = options.sleep ?? defaultSleep;
  const log = options.logger;
  // Asked per call: a logger's level may change while the client lives (pino's can).
  const logs = (level: 'debug' | 'info') => log !== undefined && (log.isLevelEnabled?.(level) ?? true);
  const hooks = options.hooks ?? {};
  const maxErrorBody = options.maxErrorBodyBytes ?? 65_536;
  const idempotencyHeader = options.idempotencyHeader;
  const newKey = options.generateIdempotencyKey ?? randomId;
  const redactQuery = options.redact?.query;
  const redactHeaderNames = options.redact?.headers;
  let auth = options.auth;

  // Browsers refuse to set User-Agent, so there the identification travels in X-Client-Info.
  const defaultHeaders = new Headers(options.headers);
  const uaHeader = isBrowser() ? 'x-client-info' : 'user-agent';
  if (!defaultHeaders.has(uaHeader)) defaultHeaders.set(uaHeader, userAgent(options.userAgent));
  if (!defaultHeaders.has('accept')) defaultHeaders.set('accept', defaultAccept);
  // Strategies and hooks may change an attempt's headers, so only then does each attempt get its own copy.
  const copyPerAttempt = (hooks: Hooks, strategy: AuthStrategy | undefined) =>
    strategy !== undefined || Object.values(hooks).some((list) => list?.length);

  const buildUrl = (path: string, query?: Query): string => {
    const url = /^[a-z][a-z\d+.-]*:/i.test(path) || !base ? path : `${base}/${path.replace(/^\/+/, '')}`;
    const qs = query ? serializeQuery(query, options.query) : '';
    return qs ? `${url}${url.includes('?') ? '&' : '?'}${qs}` : url;
  };

  const requestIdOf = (headers: Headers): string | undefined =>
    (options.requestIdHeader
      ? headers.get(options.requestIdHeader)
      : (headers.get('x-request-id') ?? headers.get('request-id'))) ?? undefined;

  async function execute(
    method: string,
    path: string,
    call: RequestOptions,
    streaming: boolean,
  ): Promise<ResponseWithData<unknown> | StreamedResponse> {
    method = method.toUpperCase();
    const url = buildUrl(path, call.query);
    let redacted: string | undefined;
    // Redacting parses the URL; only logs and errors need it.
    const safe = () => (redacted ??= redactUrl(url, redactQuery));
    const policy: ResolvedRetry = resolveRetry(call.retry, retryDefaults);
    const timeout = timerMs(call.timeout ?? options.timeout ?? 30_000);
    const totalTimeout = timerMs(call.totalTimeout ?? options.totalTimeout ?? false);
    const strategy = call.auth ?? auth;

    // Copy-on-write: a plain call sends the client's headers without copying them.
    let headers = defaultHeaders;
    const edit = () => {
      if (headers === defaultHeaders) headers = new Headers(defaultHeaders);
      return headers;
    };
    if (call.headers) for (const [name, value] of new Headers(call.headers)) edit().set(name, value);
    const prepared = prepareBody(call);
    if (prepared.contentType && !headers.has('content-type'))
      edit().set('content-type', prepared.contentType);
    if (streaming && headers.get('accept') === defaultAccept) edit().set('accept', '*/*');
    if (unsafeMethods.has(method)) {
      const keyHeader = idempotencyHeader ?? 'idempotency-key';
      if (call.idempotencyKey === false) edit().delete(keyHeader);
      else if (call.idempotencyKey) edit().set(keyHeader, call.idempotencyKey);
      else if (idempotencyHeader && !headers.has(keyHeader)) edit().set(keyHeader, newKey());
    }
    const hasKey = headers.has(idempotencyHeader ?? 'idempotency-key');
    const idempotent = hasKey || (call.idempotent ?? idempotentMethods.has(method));

    // The caller's signal and the total timeout abort one call-wide controller with the error the caller
    // should see, and each attempt's controller follows it. It is made only when needed: every
    // AbortController costs, and most calls have neither.
    let callCtl: AbortController | undefined;
    const callController = () => (callCtl ??= new AbortController());
    const userSignal = call.signal;
    // A TimeoutError as the reason is a deadline of ours (e.g. longPoll's) and stays one.
    const onUserAbort = () =>
      callController().abort(
        TimeoutError.isInstance(userSignal!.reason)
          ? userSignal!.reason
          : new AbortError(`${method} ${safe()} was aborted by the caller.`, { cause: userSignal!.reason }),
      );
    if (userSignal) {
      callController();
      if (userSignal.aborted) onUserAbort();
      else userSignal.addEventListener('abort', onUserAbort, { once: true });
    }
    const deadline = totalTimeout === false ? Number.POSITIVE_INFINITY : now() + totalTimeout;
    const totalTimer =
      totalTimeout === false
        ? undefined
        : setTimeout(
            () =>
              callController().abort(
                new TimeoutError(`${method} ${safe()} did not complete within ${totalTimeout} ms.`),
              ),
            totalTimeout,
          );
    if (totalTimer !== undefined) callController();
    const ownHeaders = copyPerAttempt(hooks, strategy);
    let keepLinked = false;
    let lastRequest: PreparedRequest | undefined;

    async function attempt(number: number, authReplayed: boolean) {
      const ctl = new AbortController();
      const signal = ctl.signal;
      const callSignal = callCtl?.signal;
      const follow = () => ctl.abort(callSignal!.reason);
      if (callSignal?.aborted) follow();
      else callSignal?.addEventListener('abort', follow, { once: true });
      const timer =
        timeout === false
          ? undefined
          : setTimeout(
              () =>
                ctl.abort(
                  new TimeoutError(`${method} ${safe()} timed out after ${timeout} ms (attempt ${number}).`, {
                    retryable: true,
                  }),
                ),
              timeout,
            );
      let linked = false;
      const request: PreparedRequest = {
        method,
        url,
        headers: ownHeaders ? new Headers(headers) : headers,
        body: prepared.body,
        attempt: number,
        signal,
      };
      lastRequest = request;
      try {
        try {
          await strategy?.apply({ headers: request.headers, method, url, signal });
        } catch (error) {
          if (XError.isInstance(error)) throw error;
          throw new AuthenticationError(`${method} ${safe()}: obtaining credentials failed.`, {
            cause: error,
          });
        }
        for (const hook of hooks.beforeRequest ?? []) await hook(request);
        if (signal.aborted) throw abortReason(signal);
        const debug = logs('debug');
        if (debug)
          log!.debug('http request', {
            method,
            url: safe(),
            attempt: number,
            headers: redactHeaders(request.headers, redactHeaderNames),
          });
        const started = now();
        let response: Response;
        const init: RequestInit & { duplex?: 'half' } = { method, headers: request.headers, signal };
        if (request.body !== undefined) {
          init.body = request.body;
          if (request.body instanceof ReadableStream) init.duplex = 'half';
        }
        try {
          if (init.duplex && isBrowser() && !browserStreamsUploads()) {
            throw new InvalidRequestError(
              `${method} ${safe()} was not sent: this browser cannot stream a request body; send a Blob instead.`,
            );
          }
          response = await fetchImpl(request.url, init);
        } catch (error) {
          if (signal.aborted) throw abortReason(signal);
          if (InvalidRequestError.isInstance(error)) throw error;
          const refused = refusedBeforeSending(request.url, init, error);
          if (refused !== undefined) {
            throw new InvalidRequestError(`${method} ${safe()} was not sent: ${refused}`, { cause: error });
          }
          const hint = init.duplex && isBrowser() ? ' (a browser streams uploads over HTTP/2 only)' : '';
          throw new NetworkError(
            `${method} ${safe()} failed: ${(error as Error)?.message ?? error}${hint}.`,
            {
              cause: error,
            },
          );
        }
        for (const hook of hooks.afterResponse ?? []) {
          const replaced = await hook(request, response);
          if (replaced instanceof Response) response = replaced;
        }
        const requestId = requestIdOf(response.headers);
        if (debug)
          log!.debug('http response', {
            method,
            url: safe(),
            status: response.status,
            ms: now() - started,
            requestId,
          });

        if (!response.ok) {
          if (response.status === 401 && strategy?.onUnauthorized && !authReplayed && prepared.replayable) {
            await response.body?.cancel().catch(() => {});
            let again: boolean;
            try {
              again = await strategy.onUnauthorized({ headers: request.headers, method, url, signal });
            } catch (error) {
              if (XError.isInstance(error)) throw error;
              throw new AuthenticationError(`${method} ${safe()}: refreshing credentials failed.`, {
                status: 401,
                cause: error,
                requestId,
              });
            }
            if (again) {
              if (logs('info')) log!.info('http replay after credential refresh', { method, url: safe() });
              throw replay;
            }
          }
          const text = await readBody(() => readTextCapped(response, maxErrorBody), signal);
          const retryAfterMs = parseRetryAfter(response.headers, now());
          const context: ErrorContext = {
            status: response.status,
            body: parseLenient(text),
            text,
            headers: response.headers,
            method,
            url: safe(),
            retryable: policy.statuses.includes(response.status),
            ...(requestId === undefined ? {} : { requestId }),
            ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
          };
          throw options.mapError?.(context) ?? errorForStatus(context);
        }

        if (streaming) {
          // Timeouts stop at the headers for streams; the caller's signal keeps reaching the body.
          linked = true;
          const release = () => {
            callSignal?.removeEventListener('abort', follow);
            userSignal?.removeEventListener('abort', onUserAbort);
          };
          const body = watchStream(response.body, release, (error) =>
            signal.aborted
              ? abortReason(signal)
              : new NetworkError(`${method} ${safe()}: reading the response stream failed.`, {
                  cause: error,
                }),
          );
          return { body, response, requestId };
        }
        const data = await readBody(
          () => readData(response, method, call.parseAs ?? 'auto'),
          signal,
          () =>
            new ResponseValidationError(`${method} ${safe()}: the response body is not valid JSON.`, [], {
              status: response.status,
              requestId,
            }),
        );
        const result = call.schema
          ? parseResponse(call.schema, data, () => ({
              method,
              url: safe(),
              status: response.status,
              requestId,
            }))
          : data;
        return { data: result, response, requestId };
      } catch (error) {
        if (error === replay || XError.isInstance(error)) throw error;
        if (signal.aborted) throw abortReason(signal);
        throw error;
      } finally {
        clearTimeout(timer);
        if (!linked) callSignal?.removeEventListener('abort', follow);
        else keepLinked = true;
      }

      async function readBody<T>(
        read: () => Promise<T>,
        sig: AbortSignal,
        onSyntax?: () => XError,
      ): Promise<T> {
        try {
          return await read();
        } catch (error) {
          if (sig.aborted) throw abortReason(sig);
          if (onSyntax && error instanceof SyntaxError) {
            const e = onSyntax();
            (e as { cause?: unknown }).cause = error;
            throw e;
          }
          throw new NetworkError(
            `${method} ${safe()}: reading the response body failed: ${(error as Error)?.message}.`,
            {
              cause: error,
            },
          );
        }
      }
    }

    let retries = 0;
    let authReplayed = false;
    try {
      for (let number = 1; ; number++) {
        try {
          return await attempt(number, authReplayed);
        } catch (thrown) {
          if (thrown === replay) {
            authReplayed = true;
            continue;
          }
          // Transport failures are already XErrors; anything else is a bug in a hook or strategy: no retry.
          if (!XError.isInstance(thrown)) throw thrown;
          let error: XError = thrown;
          const delay = error.retryAfterMs ?? backoffDelay(retries + 1, policy, random);
          const retry =
            retries < policy.limit &&
            prepared.replayable &&
            (idempotent || neverSent(error)) &&
            error.retryable &&
            !callCtl?.signal.aborted &&
            (error.retryAfterMs === undefined || error.retryAfterMs <= policy.maxRetryAfter) &&
            now() + delay <= deadline;
          if (retry) {
            retries++;
            for (const hook of hooks.beforeRetry ?? [])
              await hook({ request: lastRequest!, error, retry: retries, delayMs: delay });
            if (logs('info'))
              log!.info('http retry', {
                method,
                url: safe(),
                retry: retries,
                delayMs: delay,
                code: error.code,
                status: error.status,
              });
            try {
              await sleep(delay, callController().signal);
            } catch (sleepError) {
              const callSignal = callController().signal;
              error = callSignal.aborted ? (abortReason(callSignal) as XError) : (sleepError as XError);
              throw await finalError(error);
            }
            continue;
          }
          error = await finalError(error);
          if (logs('debug'))
            log!.debug('http error', { method, url: safe(), code: error.code, status: error.status });
          throw error;
        }
      }
    } finally {
      clearTimeout(totalTimer);
      // A stream's body still needs the caller's signal; everything else lets go of it now.
      if (!keepLinked) userSignal?.removeEventListener('abort', onUserAbort);
    }
  }

  async function finalError(error: XError): Promise<XError> {
    for (const hook of hooks.beforeError ?? []) {
      const replaced = await hook(error);
      if (XError.isInstance(replaced)) error = replaced;
    }
    return error;
  }

  async function readData(
    response: Response,
    method: string,
    parseAs: NonNullable<RequestOptions['parseAs']>,
  ) {
    if (response.status === 204 || response.status === 205 || method === 'HEAD') {
      await response.body?.cancel().catch(() => {});
      return undefined;
    }
    if (parseAs === 'bytes') return new Uint8Array(await response.arrayBuffer());
    const text = await response.text();
    const json =
      parseAs === 'json' ||
      (parseAs === 'auto' && (response.headers.get('content-type') ?? '').includes('json'));
    if (parseAs === 'text' || !json) return text === '' && parseAs === 'auto' ? undefined : text;
    return text === '' ? undefined : JSON.parse(text);
  }

  const request = async (method: string, path: string, call: RequestOptions = {}) =>
    ((await execute(method, path, call, false)) as ResponseWithData<unknown>).data;

  return {
    request: request as HttpClient['request'],
    requestWithResponse: ((method: string, path: string, call: RequestOptions = {}) =>
      execute(method, path, call, false)) as HttpClient['requestWithResponse'],
    stream: (method, path, call = {}) => execute(method, path, call, true) as Promise<StreamedResponse>,
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
