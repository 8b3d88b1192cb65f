/**
 * The typed errors of every @x SDK. Callers branch on `code` or `isInstance()`, never on message text.
 *
 * @module
 */

import { redactBody, redactedHeaders, redactIssues, redactText } from './redact.ts';

/**
 * The stable codes of the built-in errors. Service packages may add their own (the type stays open so a
 * subclass can carry e.g. `'quota_exceeded'`), but these never change meaning.
 *
 * | code | class |
 * |---|---|
 * | `bad_request` | {@link BadRequestError} (400) |
 * | `authentication_failed` | {@link AuthenticationError} (401) |
 * | `permission_denied` | {@link PermissionDeniedError} (403) |
 * | `not_found` | {@link NotFoundError} (404) |
 * | `conflict` | {@link ConflictError} (409) |
 * | `unprocessable_entity` | {@link UnprocessableEntityError} (422) |
 * | `rate_limited` | {@link RateLimitError} (429) |
 * | `server_error` | {@link ServerError} (5xx) |
 * | `service_unavailable` | {@link ServiceUnavailableError} (503) |
 * | `http_error` | {@link XError} (any other non-2xx status) |
 * | `network_error` | {@link NetworkError} |
 * | `invalid_request` | {@link InvalidRequestError} |
 * | `timeout` | {@link TimeoutError} |
 * | `aborted` | {@link AbortError} |
 * | `response_validation` | {@link ResponseValidationError} |
 * | `response_too_large` | `ResponseTooLargeError` |
 */
export type XErrorCode =
  | 'bad_request'
  | 'authentication_failed'
  | 'permission_denied'
  | 'not_found'
  | 'conflict'
  | 'unprocessable_entity'
  | 'rate_limited'
  | 'server_error'
  | 'service_unavailable'
  | 'http_error'
  | 'network_error'
  | 'invalid_request'
  | 'timeout'
  | 'aborted'
  | 'response_validation'
  | 'response_too_large'
  | (string & {});

/** What every {@link XError} constructor accepts besides the message. */
export interface XErrorOptions {
  /** Overrides the class's default code (service subclasses use their wire code here). */
  code?: XErrorCode;
  /** HTTP status, when the error comes from a response. */
  status?: number;
  /** The server's request id (from `x-request-id` / `request-id` or the client's configured header). */
  requestId?: string;
  /** Whether repeating the same request may succeed. Defaults to the class's default. */
  retryable?: boolean;
  /** How long the server asked us to wait (`Retry-After` / `retry-after-ms`), even when no retry happens. */
  retryAfterMs?: number;
  /** The parsed error body: JSON when it parses, else text (read with a size cap). */
  body?: unknown;
  /** The response headers, when there was a response. */
  headers?: Headers;
  /** The underlying error. */
  cause?: unknown;
}

/** A class of the error family: what `isInstance` and the brand lookup need. */
interface BrandedClass {
  readonly brand: symbol;
}

function hasBrand(value: unknown, brand: symbol): boolean {
  // Walk the prototype chain by brand rather than by identity so errors from a second copy of this
  // package (or of a service package) still match.
  if (typeof value !== 'object' || value === null) return false;
  for (let p = Object.getPrototypeOf(value); p; p = Object.getPrototypeOf(p)) {
    if ((p.constructor as Partial<BrandedClass> | undefined)?.brand === brand) return true;
  }
  return false;
}

/** The {@link XErrorOptions} an error keeps as fields of the same name when they are given. */
const OPTIONAL_FIELDS = ['status', 'requestId', 'retryAfterMs', 'body', 'headers'] as const;

/**
 * The base of every error thrown by the @x SDKs.
 *
 * Subclass it (or one of its subclasses) with your own `Symbol.for` brand so `isInstance` keeps working
 * across duplicate package copies:
 *
 * @example
 * ```ts
 * class AirlockQuotaError extends RateLimitError {
 *   static override readonly brand: symbol = Symbol.for('@x/airlock.AirlockQuotaError');
 *   static override readonly defaultCode: string = 'quota_exceeded';
 * }
 * AirlockQuotaError.isInstance(err); // true only for quota errors
 * RateLimitError.isInstance(err); // also true: brands respect inheritance
 * ```
 */
export class XError extends Error {
  /** The brand `isInstance` looks for; every subclass must declare its own. Its description names the class. */
  static readonly brand: symbol = Symbol.for('@x/http-core.XError');
  /** The code used when the constructor is given none. */
  static readonly defaultCode: XErrorCode = 'http_error';
  /** Whether errors of this class are retryable when the constructor does not say. */
  static readonly defaultRetryable: boolean = false;

  /**
   * True when `value` is an instance of this class or a subclass, from any copy of the package.
   */
  static isInstance<T extends abstract new (...args: any) => XError>(
    this: T,
    value: unknown,
  ): value is InstanceType<T> {
    // biome-ignore lint/complexity/noThisInStatic: `this` is the subclass the check is called on.
    return hasBrand(value, (this as unknown as BrandedClass).brand);
  }

  /** A stable, documented code; see {@link XErrorCode}. */
  readonly code: XErrorCode;
  /** HTTP status, when the error comes from a response. */
  readonly status?: number;
  /** The server's request id, when it sent one. */
  readonly requestId?: string;
  /** Whether repeating the same request may succeed. */
  readonly retryable: boolean;
  /** How long the server asked us to wait, in ms, even when no retry happened. */
  readonly retryAfterMs?: number;
  /** The parsed error body (JSON or text, size-capped). */
  readonly body?: unknown;
  /** The response headers, when there was a response. */
  readonly headers?: Headers;

  /**
   * Creates an error; see {@link XErrorOptions}. The message, `body` and `headers` are redacted here, by
   * the one rule of `redactBody`, `redactedHeaders` and `redactText`: whatever logs or
   * serialises the error sees no token, password, API key or cookie.
   */
  constructor(message: string, options: XErrorOptions = {}) {
    super(redactText(message), options.cause === undefined ? undefined : { cause: options.cause });
    const cls = new.target as unknown as typeof XError;
    this.code = options.code ?? cls.defaultCode;
    this.retryable = options.retryable ?? cls.defaultRetryable;
    // Only the fields that were given become own properties.
    for (const key of OPTIONAL_FIELDS) {
      const value = options[key];
      if (value === undefined) continue;
      (this as Record<string, unknown>)[key] =
        key === 'body' ? redactBody(value) : key === 'headers' ? redactedHeaders(value as Headers) : value;
    }
  }

  /** What `JSON.stringify` writes: the documented fields (already redacted), headers as a plain object. */
  toJSON(): Record<string, unknown> {
    const out: Record<string, unknown> = { name: this.name, code: this.code, message: this.message };
    for (const key of OPTIONAL_FIELDS) {
      const value = (this as Record<string, unknown>)[key];
      if (value !== undefined) out[key] = key === 'headers' ? Object.fromEntries(value as Headers) : value;
    }
    out.retryable = this.retryable;
    return out;
  }

  /** The class name, read from the brand so it survives minification. */
  override get name(): string {
    const d = (this.constructor as unknown as BrandedClass).brand.description ?? 'XError';
    return d.slice(d.lastIndexOf('.') + 1);
  }
}

/** HTTP 400: the request was malformed. */
export class BadRequestError extends XError {
  static override readonly brand: symbol = Symbol.for('@x/http-core.BadRequestError');
  static override readonly defaultCode: XErrorCode = 'bad_request';
}

/** HTTP 401: credentials missing, invalid or expired (after any refresh and replay). */
export class AuthenticationError extends XError {
  static override readonly brand: symbol = Symbol.for('@x/http-core.AuthenticationError');
  static override readonly defaultCode: XErrorCode = 'authentication_failed';
}

/** HTTP 403: authenticated, but not allowed. */
export class PermissionDeniedError extends XError {
  static override readonly brand: symbol = Symbol.for('@x/http-core.PermissionDeniedError');
  static override readonly defaultCode: XErrorCode = 'permission_denied';
}

/** HTTP 404: the resource does not exist. */
export class NotFoundError extends XError {
  static override readonly brand: symbol = Symbol.for('@x/http-core.NotFoundError');
  static override readonly defaultCode: XErrorCode = 'not_found';
}

/** HTTP 409: the request conflicts with the resource's state (e.g. a duplicate idempotency key). */
export class ConflictError extends XError {
  static override readonly brand: symbol = Symbol.for('@x/http-core.ConflictError');
  static override readonly defaultCode: XErrorCode = 'conflict';
}

/** HTTP 422: the request was well-formed but its content was rejected. */
export class UnprocessableEntityError extends XError {
  static override readonly brand: symbol = Symbol.for('@x/http-core.UnprocessableEntityError');
  static override readonly defaultCode: XErrorCode = 'unprocessable_entity';
}

/** HTTP 429: too many requests; see `retryAfterMs`. */
export class RateLimitError extends XError {
  static override readonly brand: symbol = Symbol.for('@x/http-core.RateLimitError');
  static override readonly defaultCode: XErrorCode = 'rate_limited';
  static override readonly defaultRetryable: boolean = true;
}

/** HTTP 5xx: the server failed. */
export class ServerError extends XError {
  static override readonly brand: symbol = Symbol.for('@x/http-core.ServerError');
  static override readonly defaultCode: XErrorCode = 'server_error';
}

/** HTTP 503: the service is temporarily unavailable; see `retryAfterMs`. */
export class ServiceUnavailableError extends ServerError {
  static override readonly brand: symbol = Symbol.for('@x/http-core.ServiceUnavailableError');
  static override readonly defaultCode: XErrorCode = 'service_unavailable';
  static override readonly defaultRetryable: boolean = true;
}

/** The request never got a complete response: DNS, refused or reset connection, truncated body. */
export class NetworkError extends XError {
  static override readonly brand: symbol = Symbol.for('@x/http-core.NetworkError');
  static override readonly defaultCode: XErrorCode = 'network_error';
  static override readonly defaultRetryable: boolean = true;
}

/**
 * The runtime's `fetch` refused the request before sending anything: an option or header it does not accept
 * (workerd rejects `redirect: 'error'`, for one), or a body it cannot send (a browser without streaming
 * uploads). A mistake on the client's side, never a server outage: not retryable, since the same request
 * fails the same way again. `cause` holds the runtime's error.
 */
export class InvalidRequestError extends XError {
  static override readonly brand: symbol = Symbol.for('@x/http-core.InvalidRequestError');
  static override readonly defaultCode: XErrorCode = 'invalid_request';
}

/** A per-attempt `timeout` or the overall `totalTimeout` elapsed. Never raised for a caller's abort. */
export class TimeoutError extends XError {
  static override readonly brand: symbol = Symbol.for('@x/http-core.TimeoutError');
  static override readonly defaultCode: XErrorCode = 'timeout';
}

/** The caller's `AbortSignal` fired. `cause` holds the signal's reason. */
export class AbortError extends XError {
  static override readonly brand: symbol = Symbol.for('@x/http-core.AbortError');
  static override readonly defaultCode: XErrorCode = 'aborted';
}

/** The response arrived but its body did not match the schema (or was not JSON). Not an HTTP error. */
export class ResponseValidationError extends XError {
  static override readonly brand: symbol = Symbol.for('@x/http-core.ResponseValidationError');
  static override readonly defaultCode: XErrorCode = 'response_validation';

  /** The valibot issues (empty when the body was not JSON at all; then `cause` holds the parse error). */
  readonly issues: readonly unknown[];

  /**
   * Creates the error: the message, then `{ issues, …XErrorOptions }` with the schema's issues (their input
   * values left out: they may be secrets).
   */
  constructor(message: string, options: XErrorOptions & { issues?: readonly unknown[] } = {}) {
    const { issues = [], ...rest } = options;
    super(message, rest);
    this.issues = redactIssues(issues);
  }
}

/** The response body was larger than the call's `maxResponseSize`. Not retried. */
export class ResponseTooLargeError extends XError {
  static override readonly brand: symbol = Symbol.for('@x/http-core.ResponseTooLargeError');
  static override readonly defaultCode: XErrorCode = 'response_too_large';
}

/** What {@link errorForStatus} and a client's `mapError` are given about a failed response. */
export interface ErrorContext {
  /** The HTTP status. */
  status: number;
  /** The parsed error body: JSON when it parses, else text, `undefined` when empty. */
  body: unknown;
  /** The error body as the server sent it, read as text (size-capped like `body`); `''` when empty. */
  text?: string;
  /** The response headers. */
  headers: Headers;
  /** The server's request id, if any. */
  requestId?: string;
  /** `Retry-After` / `retry-after-ms` in ms, if sent. */
  retryAfterMs?: number;
  /** The request's method. */
  method: string;
  /** The request's URL, with secrets redacted (safe to put in a message). */
  url: string;
  /** Whether the client's retry policy considers this status retryable. */
  retryable: boolean;
}

const statusClasses: Record<number, typeof XError> = {
  400: BadRequestError,
  401: AuthenticationError,
  403: PermissionDeniedError,
  404: NotFoundError,
  409: ConflictError,
  422: UnprocessableEntityError,
  429: RateLimitError,
  503: ServiceUnavailableError,
};

/** Picks a human-readable detail out of common error body shapes without trusting any of them. */
function detailOf(body: unknown): string | undefined {
  if (typeof body === 'string') return body.slice(0, 200) || undefined;
  if (typeof body !== 'object' || body === null) return undefined;
  const b = body as Record<string, unknown>;
  for (const key of ['message', 'detail', 'error_description', 'error']) {
    const value = b[key];
    if (typeof value === 'string') return value.slice(0, 200);
    if (typeof value === 'object' && value !== null) {
      const nested = detailOf(value);
      if (nested) return nested;
    }
  }
  return undefined;
}

/**
 * The default mapping of a failed response to an error class: 400/401/403/404/409/422/429/503 to their
 * classes, other 5xx to {@link ServerError}, anything else to {@link XError} with code `http_error`.
 * Service packages call it as the fallback of their own `mapError`.
 */
export function errorForStatus(context: ErrorContext): XError {
  const cls = statusClasses[context.status] ?? (context.status >= 500 ? ServerError : XError);
  const detail = detailOf(context.body);
  return new cls(
    `${context.method} ${context.url} failed with HTTP ${context.status}${detail ? `: ${detail}` : ''}`,
    {
      status: context.status,
      body: context.body,
      headers: context.headers,
      retryable: context.retryable,
      requestId: context.requestId,
      retryAfterMs: context.retryAfterMs,
    },
  );
}
