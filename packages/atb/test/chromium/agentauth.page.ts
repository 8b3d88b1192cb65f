// Runs in headless Chromium (bundled by @x/tooling/browser, driven by ../chromium.node.test.ts): an approver
// console's side of AgentAuth through `@x/atb`'s AgentAuthClient, in a page on one loopback origin against the
// fake AgentAuth on another (CORS).
import { AgentAuthClient, AtbError } from '../../src/index.ts';

let client: AgentAuthClient;

/** Points the page's client at a fake AgentAuth (no retries: a refused preflight fails at once). */
export function setup(baseUrl: string): string {
  client = new AgentAuthClient({ baseUrl, retry: 0 });
  return navigator.userAgent;
}

/** A thrown value as plain data for the Node side. */
function describeError(error: unknown) {
  const e = error as { name?: string; message?: string };
  return { name: e?.name, message: e?.message, code: AtbError.isInstance(error) ? error.code : undefined };
}

/** Creates a challenge (a JSON POST: preflighted). */
export async function challenge(agentSpiffeId: string) {
  try {
    const created = await client.createChallenge({
      agentSpiffeId,
      act: 'crm.contact.update',
      con: { contact_id: 'c-1' },
      leg: { jurisdiction: 'DE', accountable_party: { type: 'user', id: 'dave@example.com' } },
    });
    return { ok: true as const, challengeId: created.challengeId };
  } catch (error) {
    return { ok: false as const, error: describeError(error) };
  }
}

/** Approves: first without a token (refused, if the fake wants JWTs), then with the approver's JWT. */
export async function approve(challengeId: string, approverToken: string) {
  const withoutToken = await client.approve(challengeId, 'alice@example.com').catch(describeError);
  const approved = await client.approve(challengeId, 'ignored', { approverToken });
  const status = await client.getChallenge(challengeId);
  return {
    withoutToken,
    fullyApproved: approved.fullyApproved,
    approvers: status.approvers.map((a) => a.id),
  };
}

/** Fetches the mandate and verifies it in the page with AgentAuth's published key (WebCrypto Ed25519). */
export async function mandate(challengeId: string, agentSpiffeId: string) {
  const outcome = await client.mandate(challengeId);
  if (!outcome.issued) return { issued: false };
  const poa = await client.verify(outcome.mandate.token, {
    subject: agentSpiffeId,
    action: 'crm.contact.update',
  });
  return { issued: true, action: poa.action, sub: poa.claims.sub, con: poa.claims.con };
}
