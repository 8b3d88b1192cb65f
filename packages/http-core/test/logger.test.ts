import { describe, expect, it } from 'vitest';
import { createLogger, REDACTED, redactHeaders, redactUrl } from '../src/index.ts';
import { lineLogger } from './line-logger.ts';

describe('redactHeaders', () => {
  it('redacts credentials by default and keeps the rest', () => {
    const out = redactHeaders(
      new Headers({
        Authorization: 'Bearer abc',
        Cookie: 'sid=1',
        'X-PAT': 'airpat_x',
        'X-API-Key': 'k',
        'X-Service-API-Key': 's',
        'X-Client-Secret': 'shh',
        'X-Refresh-Token': 'r',
        'Content-Type': 'application/json',
      }),
    );
    expect(out).toEqual({
      authorization: REDACTED,
      cookie: REDACTED,
      'x-pat': REDACTED,
      'x-api-key': REDACTED,
      'x-service-api-key': REDACTED,
      'x-client-secret': REDACTED,
      'x-refresh-token': REDACTED,
      'content-type': 'application/json',
    });
    expect(redactHeaders({ 'set-cookie': 'a=b' })['set-cookie']).toBe(REDACTED);
  });

  it('redacts configured extra names in any case', () => {
    expect(redactHeaders({ 'X-Signature': 'sig', 'X-Other': 'ok' }, ['x-SIGNATURE'])).toEqual({
      'X-Signature': REDACTED,
      'X-Other': 'ok',
    });
  });
});

describe('redactUrl', () => {
  it('redacts tokens, secrets and codes in the query and passwords in userinfo', () => {
    const out = redactUrl(
      'https://user:pw@example.com/cb?code=abc&state=s1&access_token=t&client_secret=x&page=2&my_token=y',
    );
    expect(out).not.toMatch(/abc|=t&|=x&|=y|pw/);
    expect(out).toContain('state=s1');
    expect(out).toContain('page=2');
    expect(out).toContain(`code=${REDACTED}`);
    expect(out).toContain(`access_token=${REDACTED}`);
    expect(out).toContain(`client_secret=${REDACTED}`);
  });

  it('leaves URLs without secrets untouched and honours extra names', () => {
    expect(redactUrl('https://example.com/a?b=1')).toBe('https://example.com/a?b=1');
    expect(redactUrl('https://example.com/a?sessionid=1', ['SessionId'])).toBe(
      `https://example.com/a?sessionid=${REDACTED}`,
    );
    expect(redactUrl('not a url')).toBe('not a url');
  });
});

describe('createLogger', () => {
  it('writes only at or above its level', () => {
    const lines: string[] = [];
    const sink = lineLogger(lines);
    const log = createLogger('info', sink);
    log.debug('a');
    log.info('b');
    log.warn('c');
    log.error('d');
    createLogger('silent', sink).error('never');
    expect(lines).toEqual(['info b', 'warn c', 'error d']);
  });
});
