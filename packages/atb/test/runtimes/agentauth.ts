// Runs inside Bun, Deno or workerd (bundled by @x/tooling/runtimes, driven by ../agentauth.runtimes.test.ts):
// AgentAuthClient and PoA verification from the package's main entry against the fake AgentAuth on loopback.
import { AgentAuthClient, AtbError } from '../../src/index.ts';

/** Challenge → approval → mandate, then the PoA verified (Ed25519, in this runtime) against the JWKS. */
export async function authorize(baseUrl: string, agentSpiffeId: string, nowMs: number) {
  const agentAuth = new AgentAuthClient({ baseUrl, now: () => nowMs, retry: 0 });
  const leg = { jurisdiction: 'DE', accountable_party: { type: 'user', id: 'dave@example.com' } };
  const { challengeId } = await agentAuth.createChallenge({
    agentSpiffeId,
    act: 'crm.contact.update',
    con: {},
    leg,
  });
  const pending = await agentAuth.mandate(challengeId);
  await agentAuth.approve(challengeId, 'alice@example.com');
  const outcome = await agentAuth.mandate(challengeId);
  if (!outcome.issued) throw new Error('the mandate was not issued');
  const poa = await agentAuth.verify(outcome.mandate.token, {
    subject: agentSpiffeId,
    action: 'crm.contact.update',
  });
  let tampered: unknown;
  try {
    const [header, payload, signature] = outcome.mandate.token.split('.');
    const flipped = `${signature!.slice(0, -2)}${signature!.endsWith('AA') ? 'BA' : 'AA'}`;
    await agentAuth.verify(`${header}.${payload}.${flipped}`);
  } catch (error) {
    tampered = AtbError.isInstance(error) ? error.code : String(error);
  }
  return { pending: pending.issued, act: poa.claims.act, ttl: poa.claims.exp - poa.claims.iat, tampered };
}
