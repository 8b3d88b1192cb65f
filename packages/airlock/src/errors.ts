/**
 * The Airlock error family: gateway errors on top of the @x/http-core classes, plus the errors
 * raised before any request (bad input) and by decision verification.
 *
 * @module
 */
import {
  AuthenticationError,
  BadRequestError,
  ConflictError,
  type ErrorContext,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
  ServerError,
  ServiceUnavailableError,
  UnprocessableEntityError,
  XError,
  type XErrorOptions,
} from '@x/http-core';

/** Options of every gateway error: the http-core ones plus the Airlock wire fields. */
export interface AirlockErrorOptions extends XErrorOptions {
  /** The gateway's error code (`body.code` or `error`), as sent. */
  errorCode?: string;
  /** The raw response text. */
  responseBody?: string;
}

/** What every gateway error carries besides the http-core fields. */
export interface AirlockErrorFields {
  /** The gateway's error code as sent (`quota_exceeded`, `NotFound`, …); compare with {@link hasErrorCode}. */
  readonly errorCode: string | undefined;
  /** The raw response text (size-capped). */
  readonly responseBody: string;
  /** HTTP status (same as `status`). */
  readonly statusCode: number | undefined;
  /** 429, or code `quota_exceeded` / `workspace_limit_exceeded`. */
  readonly isQuotaExceeded: boolean;
  /** Code `pairing_revoked`: the routing token's pairing was revoked; pair again. */
  readonly isPairingRevoked: boolean;
  /** 410, or code `expired`. */
  readonly isExpired: boolean;
  /** 409 with any code (`AlreadyExistsConflict`, `already_resolved`). */
  readonly isConflict: boolean;
  /** True when the error code equals `code`, ignoring case (the gateway's codes vary in case). */
  hasErrorCode(code: string): boolean;
}

const MARK = Symbol.for('@x/airlock.AirlockError');

function init(self: object, options: AirlockErrorOptions): void {
  Object.defineProperty(self, MARK, { value: true });
  Object.assign(self, { errorCode: options.errorCode, responseBody: options.responseBody ?? '' });
}

const lower = (s: string | undefined) => s?.toLowerCase();

// The predicates live once on a shared descriptor set and are copied to each class's prototype.
const predicates: PropertyDescriptorMap = {
  statusCode: {
    get(this: XError) {
      return this.status;
    },
  },
  isQuotaExceeded: {
    get(this: XError & AirlockErrorFields) {
      const c = lower(this.errorCode);
      return this.status === 429 || c === 'quota_exceeded' || c === 'workspace_limit_exceeded';
    },
  },
  isPairingRevoked: {
    get(this: AirlockErrorFields) {
      return lower(this.errorCode) === 'pairing_revoked';
    },
  },
  isExpired: {
    get(this: XError & AirlockErrorFields) {
      return this.status === 410 || lower(this.errorCode) === 'expired';
    },
  },
  isConflict: {
    get(this: XError) {
      return this.status === 409;
    },
  },
  hasErrorCode: {
    value(this: AirlockErrorFields, code: string) {
      return lower(this.errorCode) === code.toLowerCase();
    },
  },
};

/**
 * A non-2xx answer of the gateway that has no more specific class (e.g. 410). Every gateway error, whatever
 * its http-core base class, passes `AirlockError.isInstance()` and has the fields of {@link AirlockErrorFields}.
 *
 * @example
 * ```ts
 * try {
 *   await client.submitArtifact(request);
 * } catch (error) {
 *   if (AirlockError.isInstance(error) && error.isQuotaExceeded) await sleep(error.retryAfterMs ?? 60_000);
 * }
 * ```
 */
// biome-ignore lint/suspicious/noUnsafeDeclarationMerging: the fields are set in the constructor, the predicates on the prototype below.
export class AirlockError extends XError {
  /** The brand `isInstance` looks for (a `Symbol.for`, so it works across package copies). */
  static override readonly brand: symbol = Symbol.for('@x/airlock.AirlockError');
  /** True for any gateway error of this package (any copy of it), whatever its http-core base class. */
  static override isInstance<T extends abstract new (...args: any) => XError>(
    this: T,
    value: unknown,
  ): value is InstanceType<T> {
    // biome-ignore lint/complexity/noThisInStatic: subclasses of AirlockError use the brand walk.
    if (this !== (AirlockError as unknown)) return XError.isInstance.call(this as never, value);
    return typeof value === 'object' && value !== null && MARK in value;
  }
  /** Creates the error; see {@link AirlockErrorOptions}. */
  constructor(message: string, options: AirlockErrorOptions = {}) {
    super(message, options);
    init(this, options);
  }
}
export interface AirlockError extends AirlockErrorFields {}

/** 400 from the gateway (`bad_request`). */
// biome-ignore lint/suspicious/noUnsafeDeclarationMerging: the fields are set in the constructor, the predicates on the prototype below.
export class AirlockBadRequestError extends BadRequestError {
  /** The brand `isInstance` looks for (a `Symbol.for`, so it works across package copies). */
  static override readonly brand: symbol = Symbol.for('@x/airlock.AirlockBadRequestError');
  /** Creates the error. */
  constructor(message: string, options: AirlockErrorOptions = {}) {
    super(message, options);
    init(this, options);
  }
}
export interface AirlockBadRequestError extends AirlockErrorFields {}

/** 401: missing, invalid or revoked credentials (PAT, bearer token or app credentials). */
// biome-ignore lint/suspicious/noUnsafeDeclarationMerging: the fields are set in the constructor, the predicates on the prototype below.
export class AirlockAuthenticationError extends AuthenticationError {
  /** The brand `isInstance` looks for (a `Symbol.for`, so it works across package copies). */
  static override readonly brand: symbol = Symbol.for('@x/airlock.AirlockAuthenticationError');
  /** Creates the error. */
  constructor(message: string, options: AirlockErrorOptions = {}) {
    super(message, options);
    init(this, options);
  }
}
export interface AirlockAuthenticationError extends AirlockErrorFields {}

/** 403: forbidden (`access_denied`, `pairing_revoked`, consent codes — see {@link AirlockConsentError}). */
// biome-ignore lint/suspicious/noUnsafeDeclarationMerging: the fields are set in the constructor, the predicates on the prototype below.
export class AirlockPermissionError extends PermissionDeniedError {
  /** The brand `isInstance` looks for (a `Symbol.for`, so it works across package copies). */
  static override readonly brand: symbol = Symbol.for('@x/airlock.AirlockPermissionError');
  /** Creates the error. */
  constructor(message: string, options: AirlockErrorOptions = {}) {
    super(message, options);
    init(this, options);
  }
}
export interface AirlockPermissionError extends AirlockErrorFields {}

/** What {@link parseConsentError} finds in a consent 403. */
export interface ConsentErrorInfo {
  /** `app_consent_required`, `app_consent_pending` or `app_consent_denied` (lower case). */
  errorCode: 'app_consent_required' | 'app_consent_pending' | 'app_consent_denied';
  /** The gateway's message. */
  message: string | undefined;
  /** Where the user can give consent. */
  consentUrl: string | undefined;
  /** The enforcer app's display name. */
  appName: string | undefined;
  /** The enforcer app's id. */
  appId: string | undefined;
}

/** 403 with a consent code: the user has not (yet) allowed this enforcer app. */
export class AirlockConsentError extends AirlockPermissionError {
  /** The brand `isInstance` looks for (a `Symbol.for`, so it works across package copies). */
  static override readonly brand: symbol = Symbol.for('@x/airlock.AirlockConsentError');
  /** The consent details. */
  readonly consent: ConsentErrorInfo;
  /** Creates the error: the message, then `{ consent, …options }`. */
  constructor(message: string, options: AirlockErrorOptions & { consent: ConsentErrorInfo }) {
    const { consent, ...rest } = options;
    super(message, rest);
    this.consent = consent;
  }
}

/** 404: unknown (or expired, withdrawn) exchange or pairing. */
// biome-ignore lint/suspicious/noUnsafeDeclarationMerging: the fields are set in the constructor, the predicates on the prototype below.
export class AirlockNotFoundError extends NotFoundError {
  /** The brand `isInstance` looks for (a `Symbol.for`, so it works across package copies). */
  static override readonly brand: symbol = Symbol.for('@x/airlock.AirlockNotFoundError');
  /** Creates the error. */
  constructor(message: string, options: AirlockErrorOptions = {}) {
    super(message, options);
    init(this, options);
  }
}
export interface AirlockNotFoundError extends AirlockErrorFields {}

/** 409: duplicate `requestId` (`AlreadyExistsConflict`) or withdraw after a decision (`already_resolved`). */
// biome-ignore lint/suspicious/noUnsafeDeclarationMerging: the fields are set in the constructor, the predicates on the prototype below.
export class AirlockConflictError extends ConflictError {
  /** The brand `isInstance` looks for (a `Symbol.for`, so it works across package copies). */
  static override readonly brand: symbol = Symbol.for('@x/airlock.AirlockConflictError');
  /** Creates the error. */
  constructor(message: string, options: AirlockErrorOptions = {}) {
    super(message, options);
    init(this, options);
  }
}
export interface AirlockConflictError extends AirlockErrorFields {}

/** 422: `no_approver` for the routing, or `expired`. */
// biome-ignore lint/suspicious/noUnsafeDeclarationMerging: the fields are set in the constructor, the predicates on the prototype below.
export class AirlockUnprocessableError extends UnprocessableEntityError {
  /** The brand `isInstance` looks for (a `Symbol.for`, so it works across package copies). */
  static override readonly brand: symbol = Symbol.for('@x/airlock.AirlockUnprocessableError');
  /** Creates the error. */
  constructor(message: string, options: AirlockErrorOptions = {}) {
    super(message, options);
    init(this, options);
  }
}
export interface AirlockUnprocessableError extends AirlockErrorFields {}

/** 429: rate or quota limit (`quota_exceeded`, `workspace_limit_exceeded`); see `retryAfterMs`. */
// biome-ignore lint/suspicious/noUnsafeDeclarationMerging: the fields are set in the constructor, the predicates on the prototype below.
export class AirlockQuotaError extends RateLimitError {
  /** The brand `isInstance` looks for (a `Symbol.for`, so it works across package copies). */
  static override readonly brand: symbol = Symbol.for('@x/airlock.AirlockQuotaError');
  /** Creates the error. */
  constructor(message: string, options: AirlockErrorOptions = {}) {
    super(message, options);
    init(this, options);
  }
}
export interface AirlockQuotaError extends AirlockErrorFields {}

/** 5xx from the gateway. */
// biome-ignore lint/suspicious/noUnsafeDeclarationMerging: the fields are set in the constructor, the predicates on the prototype below.
export class AirlockServerError extends ServerError {
  /** The brand `isInstance` looks for (a `Symbol.for`, so it works across package copies). */
  static override readonly brand: symbol = Symbol.for('@x/airlock.AirlockServerError');
  /** Creates the error. */
  constructor(message: string, options: AirlockErrorOptions = {}) {
    super(message, options);
    init(this, options);
  }
}
export interface AirlockServerError extends AirlockErrorFields {}

/** 503 from the gateway; retryable. */
// biome-ignore lint/suspicious/noUnsafeDeclarationMerging: the fields are set in the constructor, the predicates on the prototype below.
export class AirlockUnavailableError extends ServiceUnavailableError {
  /** The brand `isInstance` looks for (a `Symbol.for`, so it works across package copies). */
  static override readonly brand: symbol = Symbol.for('@x/airlock.AirlockUnavailableError');
  /** Creates the error. */
  constructor(message: string, options: AirlockErrorOptions = {}) {
    super(message, options);
    init(this, options);
  }
}
export interface AirlockUnavailableError extends AirlockErrorFields {}

for (const cls of [
  AirlockError,
  AirlockBadRequestError,
  AirlockAuthenticationError,
  AirlockPermissionError,
  AirlockNotFoundError,
  AirlockConflictError,
  AirlockUnprocessableError,
  AirlockQuotaError,
  AirlockServerError,
  AirlockUnavailableError,
]) {
  Object.defineProperties(cls.prototype, predicates);
}

/**
 * An argument was refused before any request was sent: a key that is not base64url or has the wrong length,
 * an empty or non-JSON payload, a PAT without the `airpat_` prefix. `code` says which; `cause` keeps the
 * underlying @x/crypto error.
 */
export class AirlockInputError extends XError {
  /** The brand `isInstance` looks for (a `Symbol.for`, so it works across package copies). */
  static override readonly brand: symbol = Symbol.for('@x/airlock.AirlockInputError');
  static override readonly defaultCode: string = 'invalid_input';
}

/** AES-256-GCM authentication failed: the ciphertext, nonce or tag was changed, or the key is wrong. */
export class AirlockDecryptionError extends XError {
  /** The brand `isInstance` looks for (a `Symbol.for`, so it works across package copies). */
  static override readonly brand: symbol = Symbol.for('@x/airlock.AirlockDecryptionError');
  static override readonly defaultCode: string = 'decryption_failed';
}

/** Why {@link DecisionVerificationError} refused a decision. */
export type DecisionRejectionReason =
  | 'missing_body'
  | 'hash_mismatch'
  | 'missing_signature'
  | 'bad_signature'
  | 'replayed_nonce'
  | 'missing_nonce'
  | 'expired'
  | 'request_mismatch'
  | 'artifact_hash_unknown';

/** A decision envelope failed verification: never act on it. */
export class DecisionVerificationError extends XError {
  /** The brand `isInstance` looks for (a `Symbol.for`, so it works across package copies). */
  static override readonly brand: symbol = Symbol.for('@x/airlock.DecisionVerificationError');
  static override readonly defaultCode: string = 'decision_rejected';
  /** What was wrong. */
  readonly reason: DecisionRejectionReason;
  /** Creates the error: the message, then `{ reason, …options }`. */
  constructor(message: string, options: XErrorOptions & { reason: DecisionRejectionReason }) {
    const { reason, ...rest } = options;
    super(message, rest);
    this.reason = reason;
  }
}

const consentCodes = new Set(['app_consent_required', 'app_consent_pending', 'app_consent_denied']);

const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

function asObject(body: unknown): Record<string, unknown> | undefined {
  if (typeof body === 'string') {
    try {
      body = JSON.parse(body);
    } catch {
      return undefined;
    }
  }
  return typeof body === 'object' && body !== null && !Array.isArray(body)
    ? (body as Record<string, unknown>)
    : undefined;
}

/** What {@link parseErrorBody} finds; members are absent when the body lacks them. */
export interface ParsedErrorBody {
  /** `body.code` (HARP envelope) or `error` (flat shape). */
  errorCode?: string;
  /** The human-readable message. */
  message?: string;
  /** `body.requestId`, else the envelope's `requestId`. */
  requestId?: string;
}

/**
 * The code, message and request id of an error body, in either shape the gateway sends: the HARP envelope
 * `{ msgType: 'error', body: { code, message, requestId } }` or the flat `{ error, message }`.
 */
export function parseErrorBody(body: unknown): ParsedErrorBody {
  const json = asObject(body);
  if (!json) return {};
  const inner = json['body'];
  if (typeof inner === 'object' && inner !== null && !Array.isArray(inner)) {
    const b = inner as Record<string, unknown>;
    return strip({
      errorCode: str(b['code']),
      message: str(b['message']),
      requestId: str(b['requestId']) ?? str(json['requestId']),
    });
  }
  return strip({ errorCode: str(json['error']), message: str(json['message']) });
}

function strip<T extends object>(o: T): T {
  for (const k of Object.keys(o)) if ((o as Record<string, unknown>)[k] === undefined) delete (o as any)[k];
  return o;
}

/**
 * Reads a consent refusal: for status 403 with code `app_consent_required`, `app_consent_pending` or
 * `app_consent_denied` (any case) returns the consent URL and app, else `null`.
 *
 * @example
 * ```ts
 * const consent = parseConsentError(error.status, error.responseBody);
 * if (consent?.errorCode === 'app_consent_required') console.log(`Approve the app at ${consent.consentUrl}`);
 * ```
 */
export function parseConsentError(status: number | undefined, body: unknown): ConsentErrorInfo | null {
  if (status !== 403) return null;
  const json = asObject(body);
  const code = lower(str(json?.['error']) ?? parseErrorBody(json).errorCode);
  if (!json || !code || !consentCodes.has(code)) return null;
  return {
    errorCode: code as ConsentErrorInfo['errorCode'],
    message: str(json['message']),
    consentUrl: str(json['consentUrl']),
    appName: str(json['appName']),
    appId: str(json['appId']),
  };
}

/**
 * Maps a failed gateway response to the Airlock error family (the client's `mapError`). `responseBody` is
 * `rawBody` if given, else the text http-core read (`context.text`), else the parsed body re-serialised.
 */
export function gatewayError(context: ErrorContext, rawBody?: string): XError {
  const { status, body } = context;
  const parsed = parseErrorBody(body);
  const responseBody =
    rawBody ??
    context.text ??
    (typeof body === 'string' ? body : body === undefined ? '' : JSON.stringify(body));
  const requestId = parsed.requestId ?? context.requestId;
  const options: AirlockErrorOptions = {
    status,
    body,
    headers: context.headers,
    retryable: context.retryable,
    responseBody,
    errorCode: parsed.errorCode,
    requestId,
    retryAfterMs: context.retryAfterMs,
  };
  const detail = parsed.message ?? `Gateway returned ${status}`;
  const message = `${context.method} ${context.url}: ${detail}${parsed.errorCode ? ` (${parsed.errorCode})` : ''}`;
  const consent = parseConsentError(status, body);
  if (consent) return new AirlockConsentError(message, { ...options, consent });
  const cls =
    status === 400
      ? AirlockBadRequestError
      : status === 401
        ? AirlockAuthenticationError
        : status === 403
          ? AirlockPermissionError
          : status === 404
            ? AirlockNotFoundError
            : status === 409
              ? AirlockConflictError
              : status === 422
                ? AirlockUnprocessableError
                : status === 429
                  ? AirlockQuotaError
                  : status === 503
                    ? AirlockUnavailableError
                    : status >= 500
                      ? AirlockServerError
                      : AirlockError;
  return new cls(message, options);
}

/** A pairing ended without completing: `pairing_revoked`, `pairing_expired` or `pairing_incomplete`. */
export class PairingError extends XError {
  /** The brand `isInstance` looks for (a `Symbol.for`, so it works across package copies). */
  static override readonly brand: symbol = Symbol.for('@x/airlock.PairingError');
  static override readonly defaultCode: string = 'pairing_failed';
}
