import type { MiddlewareHandler } from 'hono';

/** One request as the server received it. */
export interface RecordedRequest {
  /** HTTP method. */
  method: string;
  /** The path, without the query. */
  path: string;
  /** Query parameters; repeated names become arrays. */
  query: Record<string, string | string[]>;
  /** Headers, names in lower case. */
  headers: Record<string, string>;
  /** The body decoded as UTF-8 (empty when none). */
  body: string;
  /** The body's size in bytes. */
  bodyBytes: number;
}

/** Request recording as Hono middleware. */
export interface RequestRecorder {
  /** Install with `app.use(recorder.middleware)` first, so faulted requests are recorded too. */
  middleware: MiddlewareHandler;
  /** Every request so far, oldest first. */
  readonly requests: RecordedRequest[];
  /** The most recent request. */
  last(): RecordedRequest | undefined;
  /** Forgets every request. */
  clear(): void;
}

/**
 * Creates a request recorder. It reads each body from a clone, so the app still sees it.
 *
 * @example
 * ```ts
 * const recorder = createRequestRecorder();
 * app.use(recorder.middleware);
 * // ... after the calls ...
 * expect(recorder.requests.map((r) => r.headers['idempotency-key'])).toEqual([key, key]);
 * ```
 */
export function createRequestRecorder(): RequestRecorder {
  const requests: RecordedRequest[] = [];
  const middleware: MiddlewareHandler = async (c, next) => {
    const raw = c.req.raw;
    const url = new URL(raw.url);
    const query: Record<string, string | string[]> = {};
    for (const [name, value] of url.searchParams) {
      const prev = query[name];
      query[name] = prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [prev, value];
    }
    const bytes = raw.body ? new Uint8Array(await raw.clone().arrayBuffer()) : new Uint8Array();
    requests.push({
      method: raw.method,
      path: url.pathname,
      query,
      headers: Object.fromEntries(raw.headers),
      body: new TextDecoder().decode(bytes),
      bodyBytes: bytes.byteLength,
    });
    return next();
  };
  return {
    middleware,
    requests,
    last: () => requests.at(-1),
    clear() {
      requests.length = 0;
    },
  };
}
