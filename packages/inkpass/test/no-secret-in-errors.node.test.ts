// No secret in an error: inkPass answers that echo a marker secret (a token answer failing its schema, an
// error detail quoting the password, a cookie) never show it in util.inspect, JSON.stringify,
// String(error), the stack or the logger's output.
import { type FixedAnswerServer, startFixedAnswerServer } from '@x/tooling/fixed-answer-server';
import { recordingLogger, secretExposures } from '@x/tooling/secrets';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InkPassClient, ResponseValidationError } from '../src/index.ts';

const MARKER = 'sekr1t-MARKER-inkpass-77b2';
const ACCESS = 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ1c2VyLTEifQ.bWFjLW9mLXRoZS10b2tlbg';
let server: FixedAnswerServer;

beforeAll(async () => {
  server = await startFixedAnswerServer({ status: 500, body: {} });
});
afterAll(() => server.close());

async function loginError(lines: string[]) {
  const client = new InkPassClient({ baseUrl: server.url, maxRetries: 0, logger: recordingLogger(lines) });
  return client.login({ email: 'ada@example.com', password: MARKER }).catch((e: unknown) => e);
}

function expectNoSecret(error: unknown, lines: string[]) {
  for (const text of secretExposures(error, lines)) {
    expect(text).not.toContain(MARKER);
    expect(text).not.toContain(ACCESS.split('.')[1]);
  }
}

describe('inkPass errors carry no secret', () => {
  it('a token answer that fails its schema (expires_in as a string)', async () => {
    server.answer = {
      status: 200,
      body: { access_token: ACCESS, refresh_token: MARKER, token_type: 'bearer', expires_in: '1800' },
    };
    const lines: string[] = [];
    const error = await loginError(lines);
    expect(ResponseValidationError.isInstance(error)).toBe(true);
    expectNoSecret(error, lines);
  });

  it.each([
    [401, { detail: `Invalid credentials: password=${MARKER}` }],
    [422, { detail: [{ loc: ['body', 'password'], msg: 'too weak', input: MARKER, password: MARKER }] }],
    [500, `{"detail": "db error", "password": "${MARKER}", "session_token": "${ACCESS}"}`],
  ])('an HTTP %i that echoes the password or a token', async (status, body) => {
    server.answer = { status, body, headers: { 'set-cookie': `inkpass_session=${MARKER}` } };
    const lines: string[] = [];
    const error = await loginError(lines);
    expect(error).toBeInstanceOf(Error);
    expectNoSecret(error, lines);
  });
});
