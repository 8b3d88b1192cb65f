import { describe, expect, it } from 'vitest';
import {
  AbortError,
  AuthenticationError,
  BadRequestError,
  ConflictError,
  errorForStatus,
  NetworkError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
  ResponseValidationError,
  ServerError,
  ServiceUnavailableError,
  TimeoutError,
  UnprocessableEntityError,
  XError,
} from '../src/index.ts';

const context = (status: number, body: unknown = undefined) => ({
  status,
  body,
  headers: new Headers(),
  method: 'GET',
  url: 'http://127.0.0.1/x',
  retryable: false,
});

describe('error classes', () => {
  it.each([
    [400, BadRequestError, 'bad_request'],
    [401, AuthenticationError, 'authentication_failed'],
    [403, PermissionDeniedError, 'permission_denied'],
    [404, NotFoundError, 'not_found'],
    [409, ConflictError, 'conflict'],
    [422, UnprocessableEntityError, 'unprocessable_entity'],
    [429, RateLimitError, 'rate_limited'],
    [500, ServerError, 'server_error'],
    [502, ServerError, 'server_error'],
    [503, ServiceUnavailableError, 'service_unavailable'],
  ] as const)('maps HTTP %i to %o with code %s', (status, cls, code) => {
    const error = errorForStatus(context(status));
    expect(error).toBeInstanceOf(cls);
    expect(cls.isInstance(error)).toBe(true);
    expect(error.code).toBe(code);
    expect(error.status).toBe(status);
    expect(XError.isInstance(error)).toBe(true);
  });

  it('maps other statuses to a plain XError with code http_error', () => {
    const error = errorForStatus(context(410));
    expect(error.code).toBe('http_error');
    expect(error.name).toBe('XError');
    expect(NotFoundError.isInstance(error)).toBe(false);
  });

  it('keeps inheritance in isInstance: a 503 is a ServerError, a ServerError is not a 503', () => {
    const unavailable = new ServiceUnavailableError('down');
    expect(ServerError.isInstance(unavailable)).toBe(true);
    expect(ServiceUnavailableError.isInstance(new ServerError('boom'))).toBe(false);
    expect(RateLimitError.isInstance(unavailable)).toBe(false);
    expect(XError.isInstance(new Error('plain'))).toBe(false);
    expect(XError.isInstance(null)).toBe(false);
    expect(XError.isInstance('not_found')).toBe(false);
  });

  it('recognises errors from another copy of the package by brand, not identity', () => {
    // A second copy of the package declares its classes again with the same Symbol.for brands.
    class OtherXError extends Error {
      static readonly brand: symbol = Symbol.for('@x/http-core.XError');
    }
    class OtherServerError extends OtherXError {
      static override readonly brand: symbol = Symbol.for('@x/http-core.ServerError');
    }
    class OtherUnavailable extends OtherServerError {
      static override readonly brand: symbol = Symbol.for('@x/http-core.ServiceUnavailableError');
    }
    const foreign = new OtherUnavailable('down');
    expect(foreign instanceof ServiceUnavailableError).toBe(false);
    expect(ServiceUnavailableError.isInstance(foreign)).toBe(true);
    expect(ServerError.isInstance(foreign)).toBe(true);
    expect(XError.isInstance(foreign)).toBe(true);
    expect(RateLimitError.isInstance(foreign)).toBe(false);
  });

  it('supports service subclasses with their own brand and code', () => {
    class QuotaError extends RateLimitError {
      static override readonly brand: symbol = Symbol.for('@x/airlock.QuotaError');
      static override readonly defaultCode: string = 'quota_exceeded';
    }
    const quota = new QuotaError('quota', { status: 429, retryAfterMs: 1000 });
    expect(quota.code).toBe('quota_exceeded');
    expect(quota.name).toBe('QuotaError');
    expect(quota.retryable).toBe(true);
    expect(quota.retryAfterMs).toBe(1000);
    expect(QuotaError.isInstance(quota)).toBe(true);
    expect(RateLimitError.isInstance(quota)).toBe(true);
    expect(QuotaError.isInstance(new RateLimitError('other'))).toBe(false);
  });

  it('carries status, request id, body, cause and defaults for retryable', () => {
    const cause = new TypeError('socket');
    const error = new NetworkError('down', { cause });
    expect(error.cause).toBe(cause);
    expect(error.retryable).toBe(true);
    expect(new TimeoutError('t').retryable).toBe(false);
    expect(new TimeoutError('t', { retryable: true }).retryable).toBe(true);
    expect(new AbortError('a').code).toBe('aborted');
    const validation = new ResponseValidationError('bad', { issues: [{ message: 'x' }], status: 200 });
    expect(validation.issues).toHaveLength(1);
    expect(validation.code).toBe('response_validation');
    expect(validation.name).toBe('ResponseValidationError');
    expect(validation).toBeInstanceOf(Error);
  });

  it('puts the server detail in the message, taken from common body shapes', () => {
    expect(errorForStatus(context(404, { message: 'no such user' })).message).toContain('no such user');
    expect(errorForStatus(context(400, { error: { message: 'nested detail' } })).message).toContain(
      'nested detail',
    );
    expect(errorForStatus(context(422, { detail: 'email invalid' })).message).toContain('email invalid');
    expect(errorForStatus(context(500, 'plain text')).message).toContain('plain text');
    expect(errorForStatus(context(403, { detail: 'Permission denied' })).body).toEqual({
      detail: 'Permission denied',
    });
  });
});
