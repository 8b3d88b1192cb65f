/**
 * CORS for the fakes, so browser code under test (a page on another loopback port) can call them as it would
 * call the real, browser-facing services.
 *
 * @module
 */
import type { MiddlewareHandler } from 'hono';

/** Which browser origins a fake answers with CORS headers (the `cors` option of the fakes). */
export interface FakeCorsOptions {
  /**
   * The origins allowed, exactly as browsers send them (`http://127.0.0.1:5173`), or a predicate. Default:
   * any `http` origin on a loopback host (`127.0.0.1`, `localhost`, `[::1]`), any port.
   */
  origins?: readonly string[] | ((origin: string) => boolean);
}

/**
 * The `cors` option of the fakes: `true` or omitted allows loopback origins, a list of origins (or
 * {@link FakeCorsOptions}) names others, `false` sends no CORS headers at all (browsers then refuse to read
 * any response).
 */
export type FakeCors = boolean | readonly string[] | FakeCorsOptions;

/** True for an `http` origin on `127.0.0.1`, `localhost` or `[::1]` (any port). */
export function isLoopbackOrigin(origin: string): boolean {
  try {
    const url = new URL(origin);
    return (
      url.protocol === 'http:' &&
      ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname) &&
      url.origin === origin
    );
  } catch {
    return false;
  }
}

/** Response headers a browser script may always read (Fetch's CORS-safelisted response header names). */
const SAFELISTED = new Set([
  'cache-control',
  'content-language',
  'content-length',
  'content-type',
  'expires',
  'last-modified',
  'pragma',
]);

/**
 * A Hono middleware, installed first: a preflight from an allowed origin is answered at once with 204 (the
 * requested method and headers allowed, cached 10 minutes), before the recorder and the fault injector see
 * it; an actual request from an allowed origin gets `Access-Control-Allow-Origin` and every non-safelisted
 * header of its response exposed (`Retry-After` of a 429, …). Requests without an `Origin`, or from other
 * origins, pass untouched. No credentials mode: the fakes authenticate with headers, not cookies.
 */
export function fakeCors(option: FakeCors | undefined): MiddlewareHandler {
  const origins =
    option === false
      ? []
      : option === true || option === undefined
        ? undefined
        : Array.isArray(option)
          ? option
          : (option as FakeCorsOptions).origins;
  const allowed =
    option === false
      ? () => false
      : typeof origins === 'function'
        ? origins
        : origins
          ? (origin: string) => origins.includes(origin)
          : isLoopbackOrigin;
  return async (c, next) => {
    const origin = c.req.header('origin');
    if (origin === undefined || !allowed(origin)) return next();
    const requestedMethod = c.req.header('access-control-request-method');
    if (c.req.method === 'OPTIONS' && requestedMethod !== undefined) {
      const headers: Record<string, string> = {
        'Access-Control-Allow-Origin': origin,
        'Access-Control-Allow-Methods': requestedMethod,
        'Access-Control-Max-Age': '600',
        Vary: 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers',
      };
      const requestedHeaders = c.req.header('access-control-request-headers');
      if (requestedHeaders) headers['Access-Control-Allow-Headers'] = requestedHeaders;
      if (c.req.header('access-control-request-private-network') === 'true') {
        headers['Access-Control-Allow-Private-Network'] = 'true';
      }
      return c.body(null, 204, headers);
    }
    await next();
    const exposed = [...c.res.headers.keys()].filter((name) => !SAFELISTED.has(name));
    c.res.headers.set('Access-Control-Allow-Origin', origin);
    c.res.headers.append('Vary', 'Origin');
    if (exposed.length > 0) c.res.headers.set('Access-Control-Expose-Headers', exposed.join(', '));
  };
}
