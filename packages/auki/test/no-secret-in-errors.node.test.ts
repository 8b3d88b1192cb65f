// No secret in an error, an event or a log line: auth API answers that echo the password or a token (a login
// refused, a login answer whose token cannot be read, a discovery error quoting the bearer token) never show
// them in util.inspect, JSON.stringify, String(error), the stack, the core's events or the logger's output.
import { type FixedAnswerServer, startFixedAnswerServer } from '@x/tooling/fixed-answer-server';
import { recordingLogger, secretExposures } from '@x/tooling/secrets';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AukiCore } from '../src/core/index.ts';
import { AukiClient, AukiError } from '../src/index.ts';

const PASSWORD = 'sekr1t-MARKER-auki-pw-31c8';
const MARKER = 'sekr1t-MARKER-auki-e07a';
const JWT = 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ1c2VyLTEiLCJleHAiOiJzb29uIn0.bWFjLWJ5dGVz';
let server: FixedAnswerServer;

beforeAll(async () => {
  server = await startFixedAnswerServer({ status: 500, body: {} });
});
afterAll(() => server.close());

function expectNoSecret(texts: string[]) {
  for (const text of texts) {
    expect(text).not.toContain(PASSWORD);
    expect(text).not.toContain(MARKER);
    expect(text).not.toContain(JWT.split('.')[1]);
  }
}

const answers: [string, number, unknown][] = [
  ['a refused login quoting the password', 401, { error: 'bad credentials', password: PASSWORD }],
  ['a 500 quoting the request', 500, `email=ada@example.test&password=${PASSWORD}`],
  ['a login answer whose token has no readable exp', 200, { access_token: JWT, refresh_token: MARKER }],
  ['a login answer with a bare token echoed in the text', 502, `upstream: Bearer ${MARKER}`],
];

describe('Auki errors carry no secret', () => {
  it.each(answers)('%s', async (_name, status, body) => {
    server.answer = { status, body, headers: { 'set-cookie': `sid=${MARKER}` } };
    const lines: string[] = [];
    const client = new AukiClient({
      apiUrl: server.url,
      ddsUrl: server.url,
      clientId: 'test-app',
      logger: recordingLogger(lines),
      credentials: { type: 'email', email: 'ada@example.test', password: PASSWORD },
    });
    const error = await client.authenticate({ timeoutMs: 10_000 }).catch((e: unknown) => e);
    expect(AukiError.isInstance(error), String(error)).toBe(true);
    expectNoSecret(secretExposures(error, lines));
  });

  it.each(answers)('the core event for %s', (_name, status, body) => {
    const core = new AukiCore(
      { apiUrl: 'https://api.example', ddsUrl: 'https://dds.example', clientId: 'test-app' },
      { credentials: { type: 'email', email: 'ada@example.test', password: PASSWORD } },
    );
    expect(core.authenticate(0)).toHaveLength(1);
    const events = core.handleResponse(status, typeof body === 'string' ? body : JSON.stringify(body), 0);
    expect(events[0]?.type).toBe('NetworkAuthFailed');
    expectNoSecret([JSON.stringify(events)]);
  });
});
