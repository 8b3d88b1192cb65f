// No secret in an error: a marker secret sent back by a server in every shape we know of (JSON fields at
// any depth, a form-encoded or plain-text body, Set-Cookie, a schema failure on a token answer) never
// appears in util.inspect, JSON.stringify, String(error) or the logger's output.
import { inspect } from 'node:util';
import * as v from 'valibot';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpClient, createLogger, REDACTED, ResponseValidationError, XError } from '../src/index.ts';
import { type Kit, startKit } from './kit.ts';
import { lineLogger } from './line-logger.ts';

const MARKER = 'sekr1t-MARKER-9f3c';
// A signed-looking JWT, echoed under names no list foresees.
const JWT = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJhZ2VudCJ9.c2lnbmF0dXJlLW9mLXRoZS10b2tlbg';
let kit: Kit;

beforeAll(async () => {
  kit = await startKit((app) => {
    app.get('/json', (c) =>
      c.json(
        {
          error: 'invalid_request',
          error_description: `refresh_token=${MARKER} was sent`,
          access_token: MARKER,
          nested: { refresh_token: MARKER, list: [{ id_token: MARKER, client_secret: MARKER }] },
          device_code: MARKER,
          password: MARKER,
          api_key: MARKER,
        },
        400,
        { 'set-cookie': `session=${MARKER}; HttpOnly`, 'x-api-key': MARKER },
      ),
    );
    app.get('/jwt', (c) => c.json({ detail: `the PoA ${JWT} was refused`, poa: JWT, assertion: JWT }, 403));
    app.get('/pydantic', (c) =>
      c.json(
        {
          detail: [
            { type: 'string_too_short', loc: ['body', 'password'], msg: 'too short', input: MARKER },
            { type: 'value_error', loc: ['body', 'email'], msg: 'not an email', input: 'ada-at-example' },
          ],
        },
        422,
      ),
    );
    app.get('/text', (c) => c.text(`access_token=${MARKER}&token_type=bearer`, 500));
    app.get('/plain', (c) => c.text(`upstream said Authorization: Bearer ${MARKER}`, 502));
    app.get('/token', (c) =>
      c.json({ access_token: MARKER, refresh_token: MARKER, token_type: 'Bearer', expires_in: '3600' }),
    );
  });
});
afterAll(() => kit.server.close());

function exposures(error: unknown, logLines: string[]): string[] {
  return [
    inspect(error, { depth: 10 }),
    JSON.stringify(error),
    String(error),
    (error as Error).message,
    String((error as Error).stack),
    ...logLines,
  ];
}

describe('secrets never reach an error or a log line', () => {
  it.each(['/json', '/text', '/plain', '/jwt', '/pydantic'])('HTTP error from %s', async (path) => {
    const lines: string[] = [];
    const client = createHttpClient({ baseUrl: kit.server.url, retry: false, logger: lineLogger(lines) });
    const error = await client.get(path).catch((e: unknown) => e);
    expect(XError.isInstance(error)).toBe(true);
    for (const text of exposures(error, lines)) {
      expect(text).not.toContain(MARKER);
      expect(text).not.toContain(JWT.split('.')[1]);
    }
    expect(inspect(error, { depth: 10 })).toContain(REDACTED);
  });

  it('keeps non-secret fields readable', async () => {
    const client = createHttpClient({ baseUrl: kit.server.url, retry: false });
    const error = (await client.get('/json').catch((e: unknown) => e)) as XError & { headers: Headers };
    expect(error.body).toMatchObject({ error: 'invalid_request', access_token: REDACTED });
    expect(error.headers.get('set-cookie')).toBe(REDACTED);
    expect(error.headers.get('content-type')).toContain('json');
    expect(JSON.parse(JSON.stringify(error))).toMatchObject({ code: 'bad_request', status: 400 });
  });

  it('a FastAPI validation error loses the echoed input of a secret field only', async () => {
    const client = createHttpClient({ baseUrl: kit.server.url, retry: false });
    const error = (await client.get('/pydantic').catch((e: unknown) => e)) as XError;
    expect(error.body).toEqual({
      detail: [
        { type: 'string_too_short', loc: ['body', 'password'], msg: 'too short', input: REDACTED },
        { type: 'value_error', loc: ['body', 'email'], msg: 'not an email', input: 'ada-at-example' },
      ],
    });
  });

  it('a token answer that fails its schema (expires_in as a string)', async () => {
    const lines: string[] = [];
    const client = createHttpClient({
      baseUrl: kit.server.url,
      logger: createLogger('debug', lineLogger(lines)),
    });
    const schema = v.object({ access_token: v.string(), refresh_token: v.string(), expires_in: v.number() });
    const error = (await client
      .get('/token', { schema })
      .catch((e: unknown) => e)) as ResponseValidationError;
    expect(ResponseValidationError.isInstance(error)).toBe(true);
    for (const text of exposures(error, lines)) expect(text).not.toContain(MARKER);
    expect(error.issues[0]).toMatchObject({ path: [{ key: 'expires_in' }] });
  });

  it('a schema failure on the secret field itself does not echo it', async () => {
    const client = createHttpClient({ baseUrl: kit.server.url });
    const schema = v.object({ access_token: v.pipe(v.string(), v.length(4)) });
    const error = (await client
      .get('/token', { schema })
      .catch((e: unknown) => e)) as ResponseValidationError;
    for (const text of exposures(error, [])) expect(text).not.toContain(MARKER);
  });
});
