// The fake AgentAuth against spec §4, through AgentAuthClient and raw fetch (exact statuses and texts).
import { generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentAuthClient, AtbError } from '../src/index.ts';
import { type FakeAtb, startFakeAtb } from './kit.ts';

let atb: FakeAtb;
let agentAuth: AgentAuthClient;
const agent = 'spiffe://example.org/ns/default/sa/agent/connector';
const leg = { jurisdiction: 'DE', accountable_party: { type: 'user', id: 'dave@example.com' } };
beforeAll(async () => {
  atb = await startFakeAtb({ agentAuth: { rateLimitPerAgent: 1000 } });
  agentAuth = new AgentAuthClient({ baseUrl: atb.agentauthUrl, now: () => atb.clock.now() });
});
afterAll(() => atb.close());

const challenge = (act = 'crm.contact.update', extra: Record<string, unknown> = {}) =>
  agentAuth.createChallenge({ agentSpiffeId: agent, act, con: {}, leg: { ...leg, ...extra } });
const code = (e: unknown) => (AtbError.isInstance(e) ? e.code : String(e));

describe('fake AgentAuth (spec §4)', () => {
  it('creates chal_ challenges with a 300 s TTL, one approver by default, two for dual control', async () => {
    const one = await challenge();
    expect(one.challengeId).toMatch(/^chal_[A-Za-z0-9_-]{22}$/);
    expect(one.expiresAt.getTime()).toBe((atb.clock.seconds() + 300) * 1000);
    expect(one).toMatchObject({ approversNeeded: 1, requiresDualControl: false });
    expect(await challenge('sap.vendor.change')).toMatchObject({
      approversNeeded: 2,
      requiresDualControl: true,
    });
    expect(await challenge('crm.contact.update', { dual_control: { required: true } })).toMatchObject({
      approversNeeded: 2,
    });
  });

  it('malformed SPIFFE IDs, action ids and empty approvals are refused before sending', async () => {
    for (const id of [
      'spiffe://example.org',
      'spiffe://example.org/a b',
      'spiffe://ex..org/a',
      'http://example.org/a',
    ]) {
      const error = await agentAuth
        .createChallenge({ agentSpiffeId: id, act: 'crm.contact.read', con: {}, leg })
        .catch((e) => e);
      expect(code(error)).toBe('invalid_input');
      expect((error as Error).message).toContain(JSON.stringify(id));
    }
    const badAct = await agentAuth
      .createChallenge({ agentSpiffeId: agent, act: 'CRM contact', con: {}, leg })
      .catch((e) => e);
    expect(code(badAct)).toBe('invalid_input');
    expect(code(await agentAuth.approve('', 'alice@example.com').catch((e) => e))).toBe('invalid_input');
  });

  it('answers errors in plain text with the security headers', async () => {
    const res = await fetch(`${atb.agentauthUrl}/v1/challenge`, {
      method: 'POST',
      body: '{"act":"x","extra":1}',
    });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(await res.text()).toBe('invalid json\n');
    const bad = await fetch(`${atb.agentauthUrl}/v1/challenge`, {
      method: 'POST',
      body: JSON.stringify({ agent_spiffe_id: 'spiffe://example.org', act: 'a.b', con: {}, leg: {} }),
    });
    expect(await bad.text()).toMatch(/^invalid agent_spiffe_id: /);
    const missing = await fetch(`${atb.agentauthUrl}/v1/challenge`, {
      method: 'POST',
      body: JSON.stringify({ agent_spiffe_id: agent, act: 'a.b', con: null, leg: {} }),
    });
    expect(await missing.text()).toBe('missing act/con/leg\n');
    const wrongMethod = await fetch(`${atb.agentauthUrl}/v1/approve`);
    expect([wrongMethod.status, await wrongMethod.text()]).toEqual([405, 'method not allowed\n']);
  });

  it('the server refuses too deep con with 400 input validation failed, surfaced as AuthorizationDenied', async () => {
    let deep: Record<string, unknown> = {};
    for (let i = 0; i < 11; i++) deep = { deep };
    const res = await fetch(`${atb.agentauthUrl}/v1/challenge`, {
      method: 'POST',
      body: JSON.stringify({ agent_spiffe_id: agent, act: 'a.b', con: deep, leg: {} }),
    });
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/^input validation failed: con\..* nested deeper than 10 levels/);
    const long = await fetch(`${atb.agentauthUrl}/v1/challenge`, {
      method: 'POST',
      body: JSON.stringify({ agent_spiffe_id: agent, act: 'a.b'.padEnd(300, 'c'), con: {}, leg: {} }),
    });
    expect(await long.text()).toBe('input validation failed: act longer than 256 characters\n');
  });

  it('approvals: self-approval 403, duplicates 409 (any case), unknown 404, status shows approvers', async () => {
    const { challengeId } = await challenge('sap.vendor.change');
    expect(code(await agentAuth.approve(challengeId, 'DAVE@example.com').catch((e) => e))).toBe(
      'self_approval',
    );
    const first = await agentAuth.approve(challengeId, 'alice@example.com');
    expect(first).toMatchObject({
      status: 'approved',
      approversCount: 1,
      approversNeeded: 2,
      fullyApproved: false,
    });
    expect(code(await agentAuth.approve(challengeId, 'ALICE@example.com').catch((e) => e))).toBe(
      'duplicate_approval',
    );
    expect(code(await agentAuth.approve('chal_nope', 'x@example.com').catch((e) => e))).toBe(
      'challenge_not_found',
    );
    const status = await agentAuth.getChallenge(challengeId);
    expect(status).toMatchObject({
      action: 'sap.vendor.change',
      agentSpiffeId: agent,
      approversCount: 1,
      fullyApproved: false,
    });
    const raw = await (await fetch(`${atb.agentauthUrl}/v1/challenge/${challengeId}`)).json();
    expect(raw.approvers[0].approved_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$/);
  });

  it('mandate: JSON 403 until approved, then an EdDSA PoA verified against the JWKS; repeatable', async () => {
    const { challengeId } = await challenge();
    const res = await fetch(`${atb.agentauthUrl}/v1/mandate`, {
      method: 'POST',
      body: JSON.stringify({ challenge_id: challengeId }),
    });
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({
      error: 'challenge not fully approved',
      approvers_count: 0,
      approvers_needed: 1,
      requires_dual_control: false,
    });
    expect(await agentAuth.mandate(challengeId)).toMatchObject({ issued: false, approversNeeded: 1 });
    await agentAuth.approve(challengeId, 'alice@example.com');
    const outcome = await agentAuth.mandate(challengeId);
    if (!outcome.issued) throw new Error('not issued');
    expect(outcome.mandate.jti).toMatch(/^poa_[A-Za-z0-9_-]{22}$/);
    const poa = await agentAuth.verify(outcome.mandate.token, {
      subject: agent,
      action: 'crm.contact.update',
    });
    expect(poa.claims.exp - poa.claims.iat).toBe(300);
    expect(poa.claims.leg).toEqual(leg);
    const again = await agentAuth.mandate(challengeId);
    expect(again.issued && again.mandate.jti).not.toBe(outcome.mandate.jti);
  });

  it('JWKS: one Ed25519 key whose kid is the base64url SHA-256 of the public key', async () => {
    const jwks = await agentAuth.jwks({ refresh: true });
    expect(jwks.keys).toHaveLength(1);
    const key = jwks.keys[0]!;
    expect(key).toMatchObject({ kty: 'OKP', crv: 'Ed25519', use: 'sig', alg: 'EdDSA' });
    const { createHash } = await import('node:crypto');
    expect(key.kid).toBe(createHash('sha256').update(Buffer.from(key.x!, 'base64url')).digest('base64url'));
  });

  it('expiry: 410 on approve and mandate after the TTL, then 404 after cleanup; waitForApproval rejects', async () => {
    const { challengeId } = await challenge();
    atb.clock.advance(301_000);
    expect(code(await agentAuth.approve(challengeId, 'alice@example.com').catch((e) => e))).toBe(
      'challenge_expired',
    );
    expect(code(await agentAuth.mandate(challengeId).catch((e) => e))).toBe('challenge_expired');
    expect(code(await agentAuth.waitForApproval(challengeId).catch((e) => e))).toBe('challenge_expired');
    atb.clock.advance(31_000);
    expect(code(await agentAuth.getChallenge(challengeId).catch((e) => e))).toBe('challenge_not_found');
  });

  it('approver JWTs: the token names the approver; a JWT from another key gets 401', async () => {
    const { challengeId } = await challenge();
    const ok = await agentAuth.approve(challengeId, 'ignored', {
      approverToken: await atb.signApproverToken('erin@example.com'),
    });
    expect(ok.approvers[0]!.id).toBe('erin@example.com');
    const { challengeId: second } = await challenge();
    const rogue = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
    const forged = await new SignJWT({ approver_id: 'mallory@example.com' })
      .setProtectedHeader({ alg: 'EdDSA' })
      .sign(rogue.privateKey);
    const error = await agentAuth
      .approve(second, 'mallory@example.com', { approverToken: forged })
      .catch((e) => e);
    expect(code(error)).toBe('approver_authentication_failed');
    expect((error as AtbError).status).toBe(401);
  });
});

describe('rate limits', () => {
  it('per agent: 429 rate limit exceeded for agent with Retry-After: 60', async () => {
    const limited = await startFakeAtb({ agentAuth: { rateLimitPerAgent: 2 } });
    try {
      const client = new AgentAuthClient({ baseUrl: limited.agentauthUrl, now: () => limited.clock.now() });
      const input = { agentSpiffeId: agent, act: 'crm.contact.read', con: {}, leg };
      await client.createChallenge(input);
      await client.createChallenge(input);
      const error = (await client.createChallenge(input).catch((e) => e)) as AtbError;
      expect(error).toMatchObject({
        code: 'rate_limited',
        status: 429,
        retryAfterMs: 60_000,
        retryable: true,
      });
      expect(error.message).toMatch(/rate limit exceeded for agent/);
      limited.clock.advance(60_000);
      await expect(client.createChallenge(input)).resolves.toHaveProperty('challengeId');
    } finally {
      await limited.close();
    }
  });

  it('per IP: 429 rate limit exceeded with Retry-After: 60 before the body is read', async () => {
    const limited = await startFakeAtb({ agentAuth: { rateLimitPerIp: 1 } });
    try {
      const send = () => fetch(`${limited.agentauthUrl}/v1/challenge`, { method: 'POST', body: 'not json' });
      expect((await send()).status).toBe(400);
      const res = await send();
      expect([res.status, res.headers.get('retry-after'), await res.text()]).toEqual([
        429,
        '60',
        'rate limit exceeded\n',
      ]);
    } finally {
      await limited.close();
    }
  });
});

describe('approver authentication', () => {
  it('with REQUIRE_JWT_AUTH an approval without a JWT is 401; an expired JWT is 401 too', async () => {
    const strict = await startFakeAtb({ agentAuth: { requireJwtAuth: true } });
    try {
      const client = new AgentAuthClient({ baseUrl: strict.agentauthUrl, now: () => strict.clock.now() });
      const { challengeId } = await client.createChallenge({
        agentSpiffeId: agent,
        act: 'crm.contact.read',
        con: {},
        leg,
      });
      const bare = await client.approve(challengeId, 'alice@example.com').catch((e) => e);
      expect(bare).toMatchObject({ code: 'approver_authentication_failed', status: 401 });
      const stale = await strict.signApproverToken('alice@example.com', { expiresInSeconds: 10 });
      strict.clock.advance(20_000);
      expect(
        code(
          await client.approve(challengeId, 'alice@example.com', { approverToken: stale }).catch((e) => e),
        ),
      ).toBe('approver_authentication_failed');
      const fresh = await strict.signApproverToken('alice@example.com');
      await expect(client.approve(challengeId, 'x', { approverToken: fresh })).resolves.toMatchObject({
        fullyApproved: true,
      });
    } finally {
      await strict.close();
    }
  });
});
