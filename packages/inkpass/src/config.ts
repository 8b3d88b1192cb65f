/**
 * Client configuration, validated once at construction, and the http-core client built from it.
 *
 * @module
 */
import {
  createHttpClient,
  createLogger,
  type FetchLike,
  type HttpClient,
  type Logger,
  sleep,
} from '@x/http-core';
import { inkPassErrorFor, invalidInput, unavailableFrom } from './errors.ts';
import { VERSION } from './version.ts';

/** Options of {@link InkPassClient} (and, with `serviceApiKey`, of `FileClient`). Times are in milliseconds. */
export interface InkPassConfig {
  /** The inkPass service URL (default `http://localhost:8002`); trailing slashes are dropped. */
  baseUrl?: string;
  /** A service API key, sent as `X-API-Key` on calls made without a user token. */
  apiKey?: string;
  /** Per-attempt timeout in ms (default 5 000; must be > 0). */
  timeout?: number;
  /** Retries after the first attempt for transport errors, 429 and 503 (default 3; must be ≥ 0). */
  maxRetries?: number;
  /** The shortest wait between retries in ms (default 1 000; must be ≥ 0). */
  retryMinWait?: number;
  /** The longest backoff between retries in ms (default 10 000; must be ≥ retryMinWait). A longer `Retry-After` is still honoured. */
  retryMaxWait?: number;
  /**
   * Verify TLS certificates (default true). `fetch` cannot switch verification off by itself, so `false`
   * needs a `fetch` that does: in Node, `insecureTlsFetch()` from `@x/inkpass/node`. Development only.
   */
  verifyTls?: boolean;
  /** The fetch to use (default `globalThis.fetch`). */
  fetch?: FetchLike;
  /** Where failures are logged (default: `console`, warnings and errors only). */
  logger?: Logger;
}

/** The configuration with every default filled in. */
export interface ResolvedConfig {
  /** The service URL without trailing slashes. */
  baseUrl: string;
  /** The API key, if any. */
  apiKey: string | undefined;
  /** Per-attempt timeout, ms. */
  timeout: number;
  /** Retries after the first attempt. */
  maxRetries: number;
  /** Shortest wait between attempts, ms. */
  retryMinWait: number;
  /** Longest backoff, ms. */
  retryMaxWait: number;
  /** Whether TLS certificates are verified. */
  verifyTls: boolean;
  /** The injected fetch, if any. */
  fetch: FetchLike | undefined;
  /** Where failures are logged. */
  logger: Logger;
  /** Whether the caller gave the logger (only then does http-core log each request to it too). */
  loggerGiven: boolean;
}

const isFiniteAtLeast = (value: unknown, min: number) =>
  typeof value === 'number' && Number.isFinite(value) && value >= min;

/** Validates a configuration and fills in the defaults; throws `ValidationError` naming the bad option. */
export function resolveConfig(config: InkPassConfig, defaults: { timeout: number }): ResolvedConfig {
  const baseUrl = (config.baseUrl ?? 'http://localhost:8002').replace(/\/+$/, '');
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw invalidInput('baseUrl', `"${baseUrl}" is not an absolute URL; use e.g. "http://inkpass:8000".`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw invalidInput('baseUrl', `must be an http(s) URL, got "${url.protocol}".`);
  }
  const timeout = config.timeout ?? defaults.timeout;
  if (!isFiniteAtLeast(timeout, 0) || timeout <= 0) {
    throw invalidInput('timeout', `must be a number of milliseconds > 0, got ${timeout}.`);
  }
  const maxRetries = config.maxRetries ?? 3;
  if (!Number.isInteger(maxRetries) || maxRetries < 0) {
    throw invalidInput('maxRetries', `must be an integer ≥ 0, got ${maxRetries}.`);
  }
  const retryMinWait = config.retryMinWait ?? 1000;
  if (!isFiniteAtLeast(retryMinWait, 0)) {
    throw invalidInput('retryMinWait', `must be a number of milliseconds ≥ 0, got ${retryMinWait}.`);
  }
  const retryMaxWait = config.retryMaxWait ?? Math.max(10_000, retryMinWait);
  if (!isFiniteAtLeast(retryMaxWait, retryMinWait)) {
    throw invalidInput('retryMaxWait', `must be ≥ retryMinWait (${retryMinWait} ms), got ${retryMaxWait}.`);
  }
  const verifyTls = config.verifyTls ?? true;
  if (!verifyTls && !config.fetch) {
    throw invalidInput(
      'verifyTls',
      'false needs a `fetch` that skips certificate checks (fetch cannot do it alone): in Node pass `fetch: await insecureTlsFetch()` from @x/inkpass/node.',
    );
  }
  if (config.apiKey !== undefined && !isHeaderSafe(config.apiKey)) {
    throw invalidInput('apiKey', 'must be a non-empty string without spaces or control characters.');
  }
  return {
    baseUrl,
    apiKey: config.apiKey,
    timeout,
    maxRetries,
    retryMinWait,
    retryMaxWait,
    verifyTls,
    fetch: config.fetch,
    logger: config.logger ?? createLogger('warn'),
    loggerGiven: config.logger !== undefined,
  };
}

/** True for a credential that can go into a header as is. */
export function isHeaderSafe(value: unknown): value is string {
  return typeof value === 'string' && /^[\x21-\x7e]+$/.test(value);
}

let acceptsRedirectError: boolean | undefined;

/** Whether this runtime's `Request` takes `redirect: 'error'` (workerd's does not: it throws a TypeError). */
function redirectErrorAccepted(): boolean {
  if (acceptsRedirectError === undefined) {
    try {
      new Request('http://redirect.invalid/', { redirect: 'error' });
      acceptsRedirectError = true;
    } catch {
      acceptsRedirectError = false;
    }
  }
  return acceptsRedirectError;
}

/**
 * Builds the one http-core client of an inkPass or Den client: inkPass error mapping, transport errors as
 * `ServiceUnavailableError` (a request the runtime refused to send stays an `InvalidRequestError`), retries of transport errors, 429 and 503 with backoff between
 * `retryMinWait` and `retryMaxWait` and `Retry-After` honoured.
 */
export function buildHttpClient(
  config: ResolvedConfig,
  options: { uploads?: boolean; jsonContentType?: boolean } = {},
): HttpClient {
  const baseFetch: FetchLike = config.fetch ?? ((input, init) => globalThis.fetch(input, init));
  // Node's fetch (undici) clones a request to be able to follow redirects, teeing its body: the unread copy
  // of a streamed or multipart upload then holds every byte sent. With `redirect: 'error'` it does not
  // clone, so uploads stream in flat memory (a redirect could not replay a stream anyway). workerd refuses
  // `redirect: 'error'` (a TypeError before anything is sent) and does not clone: there uploads go as they are.
  const uploadFetch: FetchLike = (input, init) =>
    baseFetch(
      input,
      (init.body instanceof ReadableStream || init.body instanceof FormData) && redirectErrorAccepted()
        ? { ...init, redirect: 'error' }
        : init,
    );
  return createHttpClient({
    baseUrl: config.baseUrl,
    // The inkPass SDK sends `Content-Type: application/json` on every call; Den calls do not.
    // inkPass honours no idempotency key: calls safe to repeat say so with `idempotent: true`, every other
    // write is retried only when it cannot have reached the server (http-core's rule).
    headers: options.jsonContentType ? { 'content-type': 'application/json' } : {},
    timeout: config.timeout,
    retry: {
      limit: config.maxRetries,
      statuses: [429, 503],
      baseDelay: Math.min(config.retryMaxWait, config.retryMinWait * 2),
      maxDelay: config.retryMaxWait,
    },
    // Full jitter may draw below the minimum; the Python SDK promises at least retryMinWait between attempts.
    sleep: (ms, signal) => sleep(Math.max(ms, config.retryMinWait), signal),
    userAgent: `x-inkpass/${VERSION}`,
    // http-core prepares its debug records (redacted headers and URL) whenever it has a logger, which costs
    // on every call; the default logger only serves the fail-safe warnings, so http-core gets none then.
    ...(config.loggerGiven ? { logger: config.logger } : {}),
    hooks: { beforeError: [unavailableFrom] },
    mapError: inkPassErrorFor,
    ...(options.uploads ? { fetch: uploadFetch } : config.fetch ? { fetch: config.fetch } : {}),
  });
}
