// Error body parsing (both shapes of spec §4.1), the predicates of §4.2 and consent parsing, as pure
// functions: they run in Node and in the edge runtime.
import { ConflictError, PermissionDeniedError, RateLimitError, ServerError, XError } from '@x/http-core';
import { describe, expect, it } from 'vitest';
import { gatewayError } from '../src/errors.ts';
import {
  AirlockConflictError,
  AirlockConsentError,
  AirlockError,
  AirlockNotFoundError,
  AirlockPermissionError,
  AirlockQuotaError,
  AirlockUnavailableError,
  AirlockUnprocessableError,
  parseConsentError,
  parseErrorBody,
} from '../src/index.ts';

const ctx = (status: number, body: unknown) => ({
  status,
  body,
  headers: new Headers(),
  method: 'GET',
  url: 'https://igw.example/v1/x',
  retryable: false,
});

describe('parseErrorBody', () => {
  it('reads the HARP envelope', () => {
    expect(
      parseErrorBody({
        msgType: 'error',
        requestId: 'outer',
        body: { code: 'expired', message: 'gone', requestId: 'r1' },
      }),
    ).toEqual({ errorCode: 'expired', message: 'gone', requestId: 'r1' });
    // The envelope's own requestId when the body has none.
    expect(parseErrorBody('{"msgType":"error","requestId":"outer","body":{"code":"x"}}')).toEqual({
      errorCode: 'x',
      requestId: 'outer',
    });
  });

  it('reads the flat shape', () => {
    expect(parseErrorBody({ error: 'NotFound', message: 'Exchange not found' })).toEqual({
      errorCode: 'NotFound',
      message: 'Exchange not found',
    });
  });

  it('uses the flat shape when body is not an object', () => {
    expect(parseErrorBody({ error: 'e', body: 'text' })).toEqual({ errorCode: 'e' });
    expect(parseErrorBody({ error: 'e', body: ['a'] })).toEqual({ errorCode: 'e' });
  });

  it.each([undefined, '', 'Internal Server Error', '[1,2]', 'null', 42])('finds nothing in %j', (body) => {
    expect(parseErrorBody(body)).toEqual({});
  });
});

describe('gatewayError', () => {
  it.each([
    [403, AirlockPermissionError, PermissionDeniedError],
    [404, AirlockNotFoundError, XError],
    [409, AirlockConflictError, ConflictError],
    [422, AirlockUnprocessableError, XError],
    [429, AirlockQuotaError, RateLimitError],
    [503, AirlockUnavailableError, ServerError],
    [410, AirlockError, XError],
  ] as const)('%i maps to its class, an http-core class and AirlockError', (status, cls, base) => {
    const e = gatewayError(ctx(status, undefined), '');
    expect(cls.isInstance(e)).toBe(true);
    expect(base.isInstance(e)).toBe(true);
    expect(AirlockError.isInstance(e)).toBe(true);
    expect(e.status).toBe(status);
  });

  it('non-gateway errors are not AirlockErrors', () => {
    expect(AirlockError.isInstance(new XError('x'))).toBe(false);
    expect(AirlockError.isInstance(new Error('x'))).toBe(false);
    expect(AirlockError.isInstance(null)).toBe(false);
  });

  it.each([
    [429, undefined, 'isQuotaExceeded', true],
    [403, 'QUOTA_EXCEEDED', 'isQuotaExceeded', true],
    [403, 'Workspace_Limit_Exceeded', 'isQuotaExceeded', true],
    [400, 'bad_request', 'isQuotaExceeded', false],
    [403, 'Pairing_Revoked', 'isPairingRevoked', true],
    [403, 'access_denied', 'isPairingRevoked', false],
    [410, undefined, 'isExpired', true],
    [422, 'EXPIRED', 'isExpired', true],
    [422, 'no_approver', 'isExpired', false],
    [409, 'AlreadyExistsConflict', 'isConflict', true],
    [409, undefined, 'isConflict', true],
    [400, 'conflict', 'isConflict', false],
  ] as const)(
    'status %i code %s: %s is %s (codes compared case-insensitively)',
    (status, code, predicate, value) => {
      const body = code ? { msgType: 'error', body: { code, message: 'm' } } : undefined;
      const e = gatewayError(ctx(status, body)) as AirlockError;
      expect(e[predicate]).toBe(value);
    },
  );

  it('keeps the raw text and says "Gateway returned <status>" without a message', () => {
    const e = gatewayError(ctx(500, 'boom'), 'boom') as AirlockError;
    expect(e.responseBody).toBe('boom');
    expect(e.message).toContain('Gateway returned 500');
    const j = gatewayError(ctx(404, { error: 'NotFound', message: 'Exchange not found' })) as AirlockError;
    expect(j.responseBody).toBe('{"error":"NotFound","message":"Exchange not found"}');
    expect(j.message).toContain('Exchange not found');
  });

  it('a consent 403 becomes AirlockConsentError', () => {
    const body = {
      error: 'APP_CONSENT_REQUIRED',
      message: 'Consent needed',
      consentUrl: 'https://x/consent',
      appName: 'Agent',
      appId: 'a1',
    };
    const e = gatewayError(ctx(403, body)) as AirlockConsentError;
    expect(AirlockConsentError.isInstance(e)).toBe(true);
    expect(AirlockPermissionError.isInstance(e)).toBe(true);
    expect(e.consent).toEqual({
      errorCode: 'app_consent_required',
      message: 'Consent needed',
      consentUrl: 'https://x/consent',
      appName: 'Agent',
      appId: 'a1',
    });
  });
});

describe('parseConsentError', () => {
  const body = { error: 'app_consent_pending', message: 'm', consentUrl: 'u', appName: 'n', appId: 'i' };
  it('returns the details for 403 and the three consent codes only', () => {
    expect(parseConsentError(403, body)?.errorCode).toBe('app_consent_pending');
    expect(parseConsentError(403, JSON.stringify({ ...body, error: 'app_consent_denied' }))?.consentUrl).toBe(
      'u',
    );
    expect(parseConsentError(401, body)).toBeNull();
    expect(parseConsentError(403, { ...body, error: 'access_denied' })).toBeNull();
    expect(parseConsentError(403, 'not json')).toBeNull();
    expect(parseConsentError(403, undefined)).toBeNull();
  });
});
