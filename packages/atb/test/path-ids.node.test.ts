// Ids that would leave their URL path segment are refused before any request reaches the fake AgentAuth.
import { beforeAll, describe, expect, it } from 'vitest';
import { AtbError, pathIdProblem } from '../src/index.ts';
import type { AtbClient } from '../src/node/index.ts';
import { type FakeAtb, useFakeAtb } from './kit.ts';

const env = useFakeAtb();
let atb: FakeAtb;
let client: AtbClient;
beforeAll(() => {
  ({ atb, client } = env());
});

const BAD_IDS = [
  '',
  '.',
  '..',
  '%2e%2E',
  'a/b',
  '../v1/mandate',
  'a\\b',
  'a%2Fb',
  'a%2fb',
  'a%5Cb',
  'a?b=1',
  'a#b',
  'a\nb',
];

describe('challenge ids in the URL path', () => {
  it('each bad id is refused with invalid_input and no request reaches AgentAuth', async () => {
    const before = atb.agentAuth.requests.length;
    for (const id of BAD_IDS) {
      for (const call of [
        () => client.getChallenge(id),
        () => client.waitForApproval(id, { intervalMs: 10 }),
        () => client.agentAuth.getChallenge(id),
        () =>
          client.authorize(
            { verb: 'read', resource: 'crm/contact' },
            { reason: 'look up', challengeId: id, approvals: [{ approverId: 'a@example.com' }] },
          ),
      ]) {
        const error = await call().catch((e: unknown) => e);
        expect(AtbError.isInstance(error), `${JSON.stringify(id)}: ${String(error)}`).toBe(true);
        expect((error as AtbError).code).toBe('invalid_input');
      }
    }
    expect(atb.agentAuth.requests.slice(before)).toEqual([]);
  });

  it('a real challenge id still works and is sent as one path segment', async () => {
    const created = await client.agentAuth.createChallenge({
      agentSpiffeId: atb.agentSpiffeId,
      act: 'crm.contact.read',
      con: {},
      leg: { jurisdiction: 'GLOBAL', accountable_party: { type: 'service_account', id: atb.agentSpiffeId } },
    });
    expect(pathIdProblem(created.challengeId)).toBeUndefined();
    await expect(client.getChallenge(created.challengeId)).resolves.toMatchObject({ fullyApproved: false });
    expect(atb.agentAuth.requests.at(-1)).toBe(`GET /v1/challenge/${created.challengeId}`);
  });
});
