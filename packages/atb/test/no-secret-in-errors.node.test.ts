// No secret in an error: AgentAuth answers that echo a marker secret, a PoA token or a cookie, and a PoA
// refused by verifyPoAToken, never show them in util.inspect, JSON.stringify, String(error), the stack or
// the logger's output.
import { type FixedAnswerServer, startFixedAnswerServer } from '@x/tooling/fixed-answer-server';
import { recordingLogger, secretExposures } from '@x/tooling/secrets';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentAuthClient, AtbError, TokenInvalid, verifyPoAToken } from '../src/index.ts';

const MARKER = 'sekr1t-MARKER-atb-4d1e';
// Shaped like a PoA (ES256 header, claims, signature); its middle part must never be shown.
const POA = 'eyJhbGciOiJFUzI1NiIsImtpZCI6ImsxIn0.eyJzdWIiOiJzcGlmZmU6Ly94L2EifQ.c2lnbmF0dXJlLWJ5dGVz';
let server: FixedAnswerServer;

beforeAll(async () => {
  server = await startFixedAnswerServer({ status: 500, body: {} });
});
afterAll(() => server.close());

function expectNoSecret(error: unknown, lines: string[]) {
  for (const text of secretExposures(error, lines)) {
    expect(text).not.toContain(MARKER);
    expect(text).not.toContain(POA.split('.')[1]);
  }
}

describe('AgentAuth errors carry no secret', () => {
  it.each([
    [500, { detail: `mandate for ${POA} failed`, client_secret: MARKER, poa_token: MARKER }],
    [403, { error: 'denied', token: POA, nested: { api_key: MARKER } }],
    [400, `grant_type=x&client_secret=${MARKER}&assertion=${POA}`],
  ])('an HTTP %i that echoes secrets', async (status, body) => {
    server.answer = { status, body, headers: { 'set-cookie': `sid=${MARKER}` } };
    const lines: string[] = [];
    const client = new AgentAuthClient({ baseUrl: server.url, retry: 0, logger: recordingLogger(lines) });
    const error = await client.getChallenge('chal_abc').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expectNoSecret(error, lines);
  });

  it('an answer that fails its schema with a secret in it', async () => {
    server.answer = { status: 200, body: { challenge_id: 7, poa_token: MARKER, token: POA } };
    const client = new AgentAuthClient({ baseUrl: server.url, retry: 0 });
    const error = await client
      .createChallenge({ agentSpiffeId: 'spiffe://x/a', act: 'crm.read', con: {}, leg: {} })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expectNoSecret(error, []);
  });

  it('a PoA refused by verifyPoAToken is not quoted in the error', async () => {
    const error = await verifyPoAToken(POA, { jwks: { keys: [] } }).catch((e: unknown) => e);
    expect(TokenInvalid.isInstance(error) || AtbError.isInstance(error)).toBe(true);
    expectNoSecret(error, []);
  });
});
