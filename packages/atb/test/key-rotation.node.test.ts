// AgentAuth key rotation: a new Ed25519 key joins the JWKS and signs new PoAs; the client refetches the JWKS
// once for the unknown kid; old tokens keep verifying (client and broker) while the old key is published.
import { generateKeyPair, SignJWT } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { TokenInvalid } from '../src/index.ts';
import type { AtbClient } from '../src/node/index.ts';
import { type FakeAtb, refusal, useFakeAtb } from './kit.ts';

const env = useFakeAtb();
let atb: FakeAtb;
let client: AtbClient;
beforeAll(() => {
  ({ atb, client } = env());
});

const read = { verb: 'read', resource: 'crm/contact' };
const kidOf = (jwt: string) =>
  (JSON.parse(Buffer.from(jwt.split('.')[0]!, 'base64url').toString()) as { kid: string }).kid;

describe('key rotation', () => {
  it('new PoAs are signed with the new kid; the client refetches the JWKS exactly once; old tokens still work', async () => {
    const oldKid = atb.agentAuth.kid;
    const before = await client.getToken(read, 'before rotation');
    const beforeUnused = await client.getToken(read, 'before rotation');
    expect(kidOf(before.token)).toBe(oldKid);
    const fetchesBefore = atb.agentAuth.jwksFetches;

    const fresh = await atb.agentAuth.rotateKey();
    expect(fresh.kid).not.toBe(oldKid);
    expect(atb.agentAuth.jwks().keys.map((k) => k.kid)).toEqual([fresh.kid, oldKid]);

    const after = await client.getToken(read, 'after rotation');
    expect(kidOf(after.token)).toBe(fresh.kid);
    expect(atb.agentAuth.jwksFetches).toBe(fetchesBefore + 1);
    await client.getToken(read, 'after rotation');
    expect(atb.agentAuth.jwksFetches).toBe(fetchesBefore + 1); // cached now

    // Both keys are published: the old token verifies in the client and passes the broker.
    expect((await client.agentAuth.verify(beforeUnused.token)).jti).toBe(beforeUnused.jti);
    expect((await client.execute('GET', '/crm/contacts/1', { poa: before })).status).toBe(200);
    expect((await client.execute('GET', '/crm/contacts/1', { poa: after })).status).toBe(200);

    // Retired: the broker refuses what the old key signed; the new key goes on working.
    atb.agentAuth.retireKey(oldKid);
    expect(atb.agentAuth.jwks().keys.map((k) => k.kid)).toEqual([fresh.kid]);
    const error = await refusal(client.execute('GET', '/crm/contacts/1', { poa: beforeUnused }));
    expect(error.check).toBe('invalid_poa');
    expect(atb.broker.audit.at(-1)?.reason).toBe(`poa_invalid:unknown kid ${oldKid}`);
    const current = await client.getToken(read, 'after retirement');
    expect((await client.execute('GET', '/crm/contacts/1', { poa: current })).status).toBe(200);
  });

  it('a kid unknown even after one refetch is TokenInvalid, with a single extra JWKS fetch', async () => {
    const rogue = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
    const iat = atb.clock.seconds();
    const jwt = await new SignJWT({
      sub: atb.agentSpiffeId,
      act: 'crm.contact.read',
      con: {},
      leg: {},
      jti: 'poa_rogue_kid_00000000',
    })
      .setProtectedHeader({ alg: 'EdDSA', typ: 'JWT', kid: 'not-a-published-kid' })
      .setIssuedAt(iat)
      .setExpirationTime(iat + 300)
      .sign(rogue.privateKey);
    const fetches = atb.agentAuth.jwksFetches;
    const error = await client.agentAuth.verify(jwt).catch((e: unknown) => e);
    expect(TokenInvalid.isInstance(error)).toBe(true);
    expect(String(error)).toMatch(/no key with kid "not-a-published-kid"/);
    expect(atb.agentAuth.jwksFetches).toBe(fetches + 1);
  });

  it('the signing key cannot be retired before a rotation', () => {
    expect(() => atb.agentAuth.retireKey(atb.agentAuth.kid)).toThrow(/rotate before retiring/);
  });
});
