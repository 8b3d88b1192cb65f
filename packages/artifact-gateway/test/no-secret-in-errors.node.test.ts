// No secret in an error or a log line: the browser client's errors for gateway answers that echo the app
// token or a credential, and the gateway's own log lines for requests carrying tokens and secrets, never
// show them (util.inspect, JSON.stringify, String(error), the stack, the logger's output).

import { type FixedAnswerServer, startFixedAnswerServer } from '@x/tooling/fixed-answer-server';
import { recordingLogger, secretExposures } from '@x/tooling/secrets';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from '../src/client/index.ts';
import { issueAppToken, scopeFromRole } from '../src/index.ts';
import { startTestGateway, type TestGateway } from '../src/testing/index.ts';

const MARKER = 'sekr1t-MARKER-gateway-5a90';
let server: FixedAnswerServer;
let token: string;

beforeAll(async () => {
  server = await startFixedAnswerServer({ status: 500, body: {} });
  token = await issueAppToken({
    secretKey: 'some-secret',
    userId: 'user-1',
    accountId: 'acc-1',
    context: 'lab_session:s1',
    scope: scopeFromRole('member'),
  });
});
afterAll(() => server.close());

function expectNoSecret(texts: string[]) {
  for (const text of texts) {
    expect(text).not.toContain(MARKER);
    expect(text).not.toContain(token.split('.')[1]);
  }
}

describe('client errors carry no secret', () => {
  it.each([
    [500, { detail: `upstream refused Authorization: Bearer ${token}` }],
    [403, { detail: 'denied', token, credential: { api_key: MARKER } }],
    [502, { detail: `external call failed: https://api.example/v1?api_key=${MARKER}` }],
  ])('a gateway %i that echoes the token or a credential', async (status, body) => {
    server.answer = { status, body, headers: { 'set-cookie': `sid=${MARKER}` } };
    const client = createClient({ token, proxyBase: `${server.url}/api/app/` });
    const error = await client.files.read('notes.md').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expectNoSecret(secretExposures(error));
  });
});

describe("the gateway's log lines carry no secret", () => {
  let gateway: TestGateway;
  const lines: string[] = [];
  beforeAll(async () => {
    gateway = await startTestGateway({ logger: recordingLogger(lines) });
  });
  afterAll(() => gateway.close());

  it('for accepted, refused and malformed requests', async () => {
    const good = await gateway.issueToken('user-1');
    const send = (auth: string, body: string) =>
      fetch(`${gateway.proxyBase}files/user/write?api_key=${MARKER}`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${auth}`,
          'content-type': 'application/json',
          cookie: `s=${MARKER}`,
        },
        body,
      });
    expect((await send(good, JSON.stringify({ path: 'a.txt', content: MARKER }))).status).toBe(200);
    expect((await send(`${good}x`, JSON.stringify({ path: 'a.txt', content: MARKER }))).status).toBe(401);
    expect((await send(good, `{"path": "a.txt", "password": "${MARKER}"`)).status).toBeGreaterThanOrEqual(
      400,
    );
    expect(lines.length).toBeGreaterThanOrEqual(3);
    for (const line of lines) {
      expect(line).not.toContain(MARKER);
      expect(line).not.toContain(good.split('.')[1]);
    }
  });
});
