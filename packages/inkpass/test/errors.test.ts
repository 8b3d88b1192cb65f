// The error family and the checks made before any request: these run in Node and in the edge VM.
import {
  AuthenticationError as HttpAuthenticationError,
  UnprocessableEntityError as HttpUnprocessableEntityError,
  XError,
} from '@x/http-core';
import { describe, expect, it } from 'vitest';
import { inkPassErrorFor } from '../src/errors.ts';
import {
  AuthenticationError,
  InkPassClient,
  InkPassError,
  PermissionDeniedError,
  RateLimitError,
  ResourceNotFoundError,
  ServiceUnavailableError,
  ValidationError,
} from '../src/index.ts';

const context = (status: number, body: unknown, extra: object = {}) => ({
  status,
  body,
  headers: new Headers(),
  method: 'GET',
  url: 'http://inkpass/api/v1/auth/me',
  retryable: false,
  ...extra,
});

describe('status → class (spec §4.3), message = server detail', () => {
  it.each([
    [400, ValidationError, 'Registration could not be completed'],
    [401, AuthenticationError, 'Invalid email or password'],
    [403, PermissionDeniedError, 'Permission denied: api_keys:create'],
    [404, ResourceNotFoundError, 'File not found'],
    [429, RateLimitError, 'Rate limit exceeded: 10 requests per 60 seconds'],
    [503, ServiceUnavailableError, 'maintenance'],
    [413, InkPassError, 'File too large. Maximum size is 104857600 bytes'],
    [500, InkPassError, 'Internal Server Error'],
  ])('%i → %o', (status, cls, detail) => {
    const error = inkPassErrorFor(context(status, { detail }));
    expect((cls as typeof InkPassError).isInstance(error)).toBe(true);
    expect(InkPassError.isInstance(error)).toBe(true);
    expect(XError.isInstance(error)).toBe(true);
    expect(error.message).toBe(detail);
    expect((error as InkPassError).statusCode).toBe(status);
  });

  it('subclasses are also the http-core classes', () => {
    expect(HttpAuthenticationError.isInstance(inkPassErrorFor(context(401, { detail: 'x' })))).toBe(true);
    expect(HttpUnprocessableEntityError.isInstance(inkPassErrorFor(context(422, { detail: [] })))).toBe(true);
    expect(AuthenticationError.isInstance(new HttpAuthenticationError('plain'))).toBe(false);
  });

  it('a 422 detail list becomes fieldErrors and a readable message', () => {
    const error = inkPassErrorFor(
      context(422, {
        detail: [
          { type: 'missing', loc: ['body', 'first_name'], msg: 'Field required' },
          { type: 'value_error', loc: ['query', 'limit'], msg: 'Input should be less than or equal to 1000' },
        ],
      }),
    ) as ValidationError;
    expect(error.fieldErrors).toEqual([
      { field: 'first_name', message: 'Field required', type: 'missing' },
      { field: 'limit', message: 'Input should be less than or equal to 1000', type: 'value_error' },
    ]);
    expect(error.message).toBe(
      'first_name: Field required; limit: Input should be less than or equal to 1000',
    );
  });

  it('a non-JSON body is the message; retryAfterMs is kept', () => {
    const error = inkPassErrorFor(context(429, 'slow down', { retryAfterMs: 2000 }));
    expect(error).toMatchObject({ message: 'slow down', retryAfterMs: 2000, code: 'rate_limited' });
  });
});

describe('configuration is validated at construction', () => {
  it.each([
    [{ baseUrl: 'not a url' }, 'baseUrl'],
    [{ baseUrl: 'ftp://inkpass' }, 'baseUrl'],
    [{ timeout: 0 }, 'timeout'],
    [{ maxRetries: -1 }, 'maxRetries'],
    [{ maxRetries: 1.5 }, 'maxRetries'],
    [{ retryMinWait: -5 }, 'retryMinWait'],
    [{ retryMinWait: 5000, retryMaxWait: 1000 }, 'retryMaxWait'],
    [{ verifyTls: false }, 'verifyTls'],
    [{ apiKey: 'has space' }, 'apiKey'],
  ])('%j → ValidationError on %s', (config, field) => {
    let error: unknown;
    try {
      new InkPassClient(config);
    } catch (e) {
      error = e;
    }
    expect(ValidationError.isInstance(error)).toBe(true);
    expect((error as ValidationError).fieldErrors[0]!.field).toBe(field);
  });

  it('defaults follow spec §1 and trailing slashes are dropped', () => {
    expect(new InkPassClient().config).toMatchObject({
      baseUrl: 'http://localhost:8002',
      timeout: 5000,
      maxRetries: 3,
      retryMinWait: 1000,
      retryMaxWait: 10000,
      verifyTls: true,
    });
    expect(new InkPassClient({ baseUrl: 'http://inkpass:8000///' }).config.baseUrl).toBe(
      'http://inkpass:8000',
    );
  });
});
