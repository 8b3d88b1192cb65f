/** Log levels, lowest first. `'silent'` logs nothing. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

/** What the client logs to. Any object with these four methods works (console, pino, a test spy). */
export interface Logger {
  /** Each request and response (method, redacted URL and headers, status, duration). */
  debug(message: string, data?: Record<string, unknown>): void;
  /** Retries and credential refreshes. */
  info(message: string, data?: Record<string, unknown>): void;
  /** Recoverable trouble. */
  warn(message: string, data?: Record<string, unknown>): void;
  /** Requests that failed for good. */
  error(message: string, data?: Record<string, unknown>): void;
  /**
   * Whether messages of `level` would be written (pino has it under this name). When present, the client
   * skips building the records of levels that are off: redacting headers and URLs on every request costs
   * more than the rest of the client's own work on a fast loopback call. Without it, every level is built.
   */
  isLevelEnabled?(level: Exclude<LogLevel, 'silent'>): boolean;
}

const levels: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3, silent: 4 };

/**
 * A logger that writes to `sink` (default `console`) at `level` and above.
 *
 * @example
 * ```ts
 * createHttpClient({ baseUrl, logger: createLogger('debug') });
 * ```
 */
export function createLogger(level: LogLevel = 'warn', sink: Logger = console): Logger {
  const isLevelEnabled = (name: Exclude<LogLevel, 'silent'>) => levels[name] >= levels[level];
  const at =
    (name: Exclude<LogLevel, 'silent'>) =>
    (message: string, data?: Record<string, unknown>): void => {
      if (isLevelEnabled(name)) sink[name](message, ...(data ? [data] : []));
    };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), isLevelEnabled };
}

/** The replacement for redacted values. */
export const REDACTED = '[REDACTED]';

/** Header names redacted by default (lowercase). Names containing `secret`, `token` or `password` are too. */
export const defaultRedactedHeaders: readonly string[] = [
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'x-pat',
  'x-api-key',
  'x-service-api-key',
  'x-client-secret',
];

/** Query parameter names redacted by default (lowercase). Names containing `secret`, `token` or `password` are too. */
export const defaultRedactedQuery: readonly string[] = [
  'access_token',
  'refresh_token',
  'id_token',
  'token',
  'client_secret',
  'code',
  'code_verifier',
  'password',
  'api_key',
  'apikey',
  'key',
  'signature',
  'sig',
];

const sensitive = /secret|token|password|passwd/i;

/** Extra names to redact on top of the defaults. */
export interface RedactOptions {
  /** Header names (any case). */
  headers?: readonly string[];
  /** Query parameter names (any case). */
  query?: readonly string[];
}

function matcher(defaults: readonly string[], extra: readonly string[] = []): (name: string) => boolean {
  const names = new Set([...defaults, ...extra.map((n) => n.toLowerCase())]);
  return (name) => names.has(name.toLowerCase()) || sensitive.test(name);
}

/**
 * Returns a plain object of `headers` with secret values replaced by `[REDACTED]`: safe to log.
 */
export function redactHeaders(
  headers: Headers | Record<string, string>,
  extra?: readonly string[],
): Record<string, string> {
  const isSecret = matcher(defaultRedactedHeaders, extra);
  const out: Record<string, string> = {};
  const entries = headers instanceof Headers ? headers.entries() : Object.entries(headers);
  for (const [name, value] of entries) out[name] = isSecret(name) ? REDACTED : value;
  return out;
}

/**
 * Returns `url` as a string with secret query values (and any userinfo password) replaced by `[REDACTED]`.
 */
export function redactUrl(url: string | URL, extra?: readonly string[]): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return String(url);
  }
  if (u.password) u.password = REDACTED;
  if (!u.search) return u.href;
  const isSecret = matcher(defaultRedactedQuery, extra);
  const entries = [...new URLSearchParams(u.search)];
  if (!entries.some(([name]) => isSecret(name))) return u.href;
  // Built by hand so the marker stays readable instead of percent-encoded.
  u.search = entries
    .map(
      ([name, value]) =>
        `${encodeURIComponent(name)}=${isSecret(name) ? REDACTED : encodeURIComponent(value)}`,
    )
    .join('&');
  return u.href;
}
