/**
 * The inkPass error family on top of the @x/http-core classes. Every error the SDK raises for an
 * inkPass answer passes `InkPassError.isInstance()` and carries `statusCode` and the server's `detail`.
 *
 * @module
 */
import {
  type ErrorContext,
  AuthenticationError as HttpAuthenticationError,
  NotFoundError as HttpNotFoundError,
  PermissionDeniedError as HttpPermissionDeniedError,
  RateLimitError as HttpRateLimitError,
  ServiceUnavailableError as HttpServiceUnavailableError,
  UnprocessableEntityError as HttpUnprocessableEntityError,
  XError,
  type XErrorOptions,
} from '@x/http-core';

/** One field problem of a 422 answer (FastAPI / pydantic `detail` list), or of a check made before sending. */
export interface FieldError {
  /** The field, e.g. `email` (the last element of the server's `loc`). */
  field: string;
  /** What was wrong with it. */
  message: string;
  /** The validator's type tag, e.g. `value_error` (or `client` for checks made before sending). */
  type: string;
}

/** Options of every inkPass error: the http-core ones plus the field details of a 422. */
export interface InkPassErrorOptions extends XErrorOptions {
  /** Field problems (422 answers and client-side checks). */
  fieldErrors?: FieldError[];
}

const MARK = Symbol.for('@x/inkpass.InkPassError');

/** What every inkPass error carries besides the http-core fields. */
export interface InkPassErrorFields {
  /** The HTTP status (the Python SDK's `status_code`), or `undefined` when no response came. */
  readonly statusCode: number | undefined;
  /** Field problems of a 422 (empty otherwise). */
  readonly fieldErrors: readonly FieldError[];
}

function mark(self: XError, options: InkPassErrorOptions): void {
  Object.defineProperty(self, MARK, { value: true });
  Object.defineProperty(self, 'fieldErrors', { value: options.fieldErrors ?? [], enumerable: true });
}

function statusCodeOf(this: XError): number | undefined {
  return this.status;
}

// One getter shared by every class: `statusCode` mirrors `status`.
const statusCodeDescriptor: PropertyDescriptor = { get: statusCodeOf, configurable: true };

/** True for every inkPass error class, from any copy of this package. */
function isInkPassError(value: unknown): boolean {
  return typeof value === 'object' && value !== null && MARK in value;
}

/**
 * An inkPass answer with no more specific class (e.g. 409, 413, 500), and the base of the family:
 * `InkPassError.isInstance(e)` is true for every error below, whatever its http-core base class.
 *
 * @example
 * ```ts
 * try {
 *   await client.login({ email, password });
 * } catch (error) {
 *   if (AuthenticationError.isInstance(error)) console.log(error.message); // "Invalid email or password"
 *   else if (InkPassError.isInstance(error)) console.log(error.statusCode, error.message);
 * }
 * ```
 */
// biome-ignore lint/suspicious/noUnsafeDeclarationMerging: fields are set in the constructor and on the prototype.
export class InkPassError extends XError {
  /** The brand (a `Symbol.for`, so checks work across package copies). */
  static override readonly brand: symbol = Symbol.for('@x/inkpass.InkPassError');
  /** True for any inkPass error (any copy of the package), whatever its http-core base class. */
  static override isInstance<T extends abstract new (...args: any) => XError>(
    this: T,
    value: unknown,
  ): value is InstanceType<T> {
    // biome-ignore lint/complexity/noThisInStatic: subclasses use the brand walk.
    if (this !== (InkPassError as unknown)) return XError.isInstance.call(this as never, value);
    return isInkPassError(value);
  }
  /** Creates the error; see {@link InkPassErrorOptions}. */
  constructor(message: string, options: InkPassErrorOptions = {}) {
    super(message, options);
    mark(this, options);
  }
}
export interface InkPassError extends InkPassErrorFields {}

/** 401: missing, invalid or expired credentials, or wrong email/password/2FA code. */
// biome-ignore lint/suspicious/noUnsafeDeclarationMerging: see InkPassError.
export class AuthenticationError extends HttpAuthenticationError {
  /** The brand. */
  static override readonly brand: symbol = Symbol.for('@x/inkpass.AuthenticationError');
  /** Creates the error. */
  constructor(message = 'Authentication failed', options: InkPassErrorOptions = {}) {
    super(message, { status: 401, ...options });
    mark(this, options);
  }
}
export interface AuthenticationError extends InkPassErrorFields {}

/** 403: authenticated but not allowed (e.g. `Permission denied: api_keys:create`). */
// biome-ignore lint/suspicious/noUnsafeDeclarationMerging: see InkPassError.
export class PermissionDeniedError extends HttpPermissionDeniedError {
  /** The brand. */
  static override readonly brand: symbol = Symbol.for('@x/inkpass.PermissionDeniedError');
  /** Creates the error. */
  constructor(message = 'Permission denied', options: InkPassErrorOptions = {}) {
    super(message, { status: 403, ...options });
    mark(this, options);
  }
}
export interface PermissionDeniedError extends InkPassErrorFields {}

/** 404: the user, key or file does not exist (or belongs to another organisation). */
// biome-ignore lint/suspicious/noUnsafeDeclarationMerging: see InkPassError.
export class ResourceNotFoundError extends HttpNotFoundError {
  /** The brand. */
  static override readonly brand: symbol = Symbol.for('@x/inkpass.ResourceNotFoundError');
  /** Creates the error. */
  constructor(message = 'Resource not found', options: InkPassErrorOptions = {}) {
    super(message, { status: 404, ...options });
    mark(this, options);
  }
}
export interface ResourceNotFoundError extends InkPassErrorFields {}

/**
 * Bad input: a 422 (with `fieldErrors`), a 400 business rule (`statusCode` 400, e.g. "Registration could
 * not be completed"), or a rule checked before any request was sent (`statusCode` undefined).
 */
// biome-ignore lint/suspicious/noUnsafeDeclarationMerging: see InkPassError.
export class ValidationError extends HttpUnprocessableEntityError {
  /** The brand. */
  static override readonly brand: symbol = Symbol.for('@x/inkpass.ValidationError');
  /** Creates the error. */
  constructor(message = 'Validation failed', options: InkPassErrorOptions = {}) {
    super(message, options);
    mark(this, options);
  }
}
export interface ValidationError extends InkPassErrorFields {}

/** 429: too many requests; `retryAfterMs` is set when the server said how long to wait. */
// biome-ignore lint/suspicious/noUnsafeDeclarationMerging: see InkPassError.
export class RateLimitError extends HttpRateLimitError {
  /** The brand. */
  static override readonly brand: symbol = Symbol.for('@x/inkpass.RateLimitError');
  /** Creates the error. */
  constructor(message = 'Rate limit exceeded', options: InkPassErrorOptions = {}) {
    super(message, { status: 429, ...options });
    mark(this, options);
  }
}
export interface RateLimitError extends InkPassErrorFields {}

/**
 * 503, or no answer at all (connection refused or reset, timeout) after the retries: inkPass is
 * unreachable. `cause` holds the transport error; `statusCode` is undefined when no response came.
 */
// biome-ignore lint/suspicious/noUnsafeDeclarationMerging: see InkPassError.
export class ServiceUnavailableError extends HttpServiceUnavailableError {
  /** The brand. */
  static override readonly brand: symbol = Symbol.for('@x/inkpass.ServiceUnavailableError');
  /** Creates the error. */
  constructor(message = 'inkPass service unavailable', options: InkPassErrorOptions = {}) {
    super(message, options);
    mark(this, options);
  }
}
export interface ServiceUnavailableError extends InkPassErrorFields {}

for (const cls of [
  InkPassError,
  AuthenticationError,
  PermissionDeniedError,
  ResourceNotFoundError,
  ValidationError,
  RateLimitError,
  ServiceUnavailableError,
]) {
  Object.defineProperty(cls.prototype, 'statusCode', statusCodeDescriptor);
}

/** Reads the FastAPI `detail` list of a 422 into field errors. */
function fieldErrorsOf(detail: unknown): FieldError[] {
  if (!Array.isArray(detail)) return [];
  return detail.flatMap((item) => {
    if (typeof item !== 'object' || item === null) return [];
    const { loc, msg, type } = item as { loc?: unknown; msg?: unknown; type?: unknown };
    const path = Array.isArray(loc) ? loc.filter((p) => p !== 'body' && p !== 'query') : [];
    return [
      {
        field: path.length ? path.map(String).join('.') : 'request',
        message: typeof msg === 'string' ? msg : 'invalid',
        type: typeof type === 'string' ? type : 'value_error',
      },
    ];
  });
}

/** The server's `detail` as a message: the string itself, field errors joined, or the raw text. */
function messageOf(body: unknown, fieldErrors: FieldError[], fallback: string): string {
  if (fieldErrors.length) return fieldErrors.map((f) => `${f.field}: ${f.message}`).join('; ');
  if (typeof body === 'object' && body !== null && 'detail' in body) {
    const detail = (body as { detail: unknown }).detail;
    return typeof detail === 'string' ? detail : JSON.stringify(detail);
  }
  if (typeof body === 'string' && body) return body.slice(0, 500);
  return fallback;
}

/**
 * Maps an inkPass error answer to its class: 400 and 422 → {@link ValidationError}, 401, 403,
 * 404, 429, 503 → their classes, anything else → {@link InkPassError} with the real status. The message is
 * the server's `detail`.
 */
export function inkPassErrorFor(context: ErrorContext): XError {
  const detail = (context.body as { detail?: unknown } | undefined)?.detail;
  const fieldErrors = context.status === 422 ? fieldErrorsOf(detail) : [];
  const options: InkPassErrorOptions = {
    status: context.status,
    body: context.body,
    headers: context.headers,
    retryable: context.retryable,
    fieldErrors,
    ...(context.requestId === undefined ? {} : { requestId: context.requestId }),
    ...(context.retryAfterMs === undefined ? {} : { retryAfterMs: context.retryAfterMs }),
  };
  const message = (fallback: string) => messageOf(context.body, fieldErrors, fallback);
  switch (context.status) {
    case 400:
    case 422:
      return new ValidationError(message('Validation failed'), options);
    case 401:
      return new AuthenticationError(message('Authentication failed'), options);
    case 403:
      return new PermissionDeniedError(message('Permission denied'), options);
    case 404:
      return new ResourceNotFoundError(message('Resource not found'), options);
    case 429:
      return new RateLimitError(message('Rate limit exceeded'), options);
    case 503:
      return new ServiceUnavailableError(message('inkPass service unavailable'), options);
    default:
      return new InkPassError(message(`inkPass answered HTTP ${context.status}`), options);
  }
}

/** Turns a transport failure (no complete answer, or a timeout) into a {@link ServiceUnavailableError}. */
export function unavailableFrom(error: XError): XError {
  if (error.code !== 'network_error' && error.code !== 'timeout') return error;
  return new ServiceUnavailableError(`inkPass service unavailable: ${error.message}`, {
    cause: error,
    retryable: true,
  });
}

/** A rule broken before any request was sent. */
export function invalidInput(field: string, message: string): ValidationError {
  return new ValidationError(`${field}: ${message}`, {
    fieldErrors: [{ field, message, type: 'client' }],
  });
}
