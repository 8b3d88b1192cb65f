// The fake auth API and discovery service on the wire (plain fetch), including the attacks it must refuse:
// forged, tampered, expired and wrong-type tokens, and replayed refresh tokens.
import { base64UrlDecode, base64UrlEncode, utf8Decode, utf8Encode } from '@x/crypto';
import { generateKeyPair, SignJWT } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { readJwtExpiry } from '../src/core/index.ts';
import { type FakeAuki, startFakeAuki } from '../src/testing/index.ts';

let fake: FakeAuki;
afterEach(async () => {
  await fake?.close();
});

const post = async (url: string, headers: Record<string, string> = {}, body: string | null = '{}') => {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body,
  });
  return { status: res.status, json: (await res.json().catch(() => undefined)) as any };
};

async function login() {
  const { json } = await post(
    `${fake.apiUrl}/user/login`,
    {},
    JSON.stringify({ email: 'user@example.com', password: 'password' }),
  );
  return json as { access_token: string; refresh_token: string };
}

async function discovery(networkToken: string) {
  const { json } = await post(`${fake.apiUrl}/service/domains-access-token`, {
    Authorization: `Bearer ${networkToken}`,
  });
  return json.access_token as string;
}

function claimsOf(jwt: string) {
  return JSON.parse(utf8Decode(base64UrlDecode(jwt.split('.')[1]!)));
}

describe('the fake issues what the spec describes', () => {
  it('login, discovery and domain answers with ES256 JWTs on the fake clock', async () => {
    fake = await startFakeAuki({
      lifetimes: { networkSeconds: 100, discoverySeconds: 200, domainSeconds: 300 },
    });
    const now = fake.clock.now();
    const session = await login();
    expect(readJwtExpiry(session.access_token)).toEqual({ ok: true, expiresAt: now + 100_000 });
    expect(JSON.parse(utf8Decode(base64UrlDecode(session.access_token.split('.')[0]!)))).toMatchObject({
      alg: 'ES256',
    });
    const disc = await discovery(session.access_token);
    expect(readJwtExpiry(disc)).toEqual({ ok: true, expiresAt: now + 200_000 });
    const { status, json } = await post(`${fake.ddsUrl}/api/v1/domains/domain-1/auth`, {
      Authorization: `Bearer ${disc}`,
      'posemesh-client-id': 'x',
    });
    expect(status).toBe(200);
    expect(Object.keys(json).sort()).toEqual(
      [
        'access_token',
        'domain_server',
        'domain_server_id',
        'id',
        'name',
        'organization_id',
        'owner_wallet_address',
      ].sort(),
    );
    expect(claimsOf(json.access_token)).toMatchObject({
      type: 'user-access',
      domain_id: 'domain-1',
      scopes: 'domain:rw',
      exp: now / 1000 + 300,
    });
  });

  it('refuses wrong passwords, missing client ids, unknown domains', async () => {
    fake = await startFakeAuki();
    expect(
      (
        await post(
          `${fake.apiUrl}/user/login`,
          {},
          JSON.stringify({ email: 'user@example.com', password: 'nope' }),
        )
      ).status,
    ).toBe(401);
    expect((await post(`${fake.apiUrl}/user/login`, {}, 'garbage')).status).toBe(400);
    const disc = await discovery((await login()).access_token);
    expect(
      (await post(`${fake.ddsUrl}/api/v1/domains/domain-1/auth`, { Authorization: `Bearer ${disc}` })).status,
    ).toBe(400);
    expect(
      (
        await post(`${fake.ddsUrl}/api/v1/domains/nope/auth`, {
          Authorization: `Bearer ${disc}`,
          'posemesh-client-id': 'x',
        })
      ).status,
    ).toBe(404);
  });
});

describe('attacks the fake refuses', () => {
  it('a replayed refresh token (rotation: each works once)', async () => {
    fake = await startFakeAuki();
    const { refresh_token } = await login();
    const first = await post(fake.refreshUrl, { Authorization: `Bearer ${refresh_token}` }, null);
    expect(first.status).toBe(200);
    expect(first.json.refresh_token).not.toBe(refresh_token);
    expect((await post(fake.refreshUrl, { Authorization: `Bearer ${refresh_token}` }, null)).status).toBe(
      401,
    );
  });

  it('an OIDC refresh from an unknown client', async () => {
    fake = await startFakeAuki({ oidcClients: ['good'] });
    const { refresh_token } = await login();
    const form = (client: string) =>
      new URLSearchParams({ grant_type: 'refresh_token', refresh_token, client_id: client }).toString();
    const headers = { 'Content-Type': 'application/x-www-form-urlencoded' };
    expect((await post(fake.refreshUrl, headers, form('evil'))).status).toBe(401);
    expect((await post(fake.refreshUrl, headers, form('good'))).status).toBe(200);
  });

  it('tampered, forged, expired and wrong-type tokens', async () => {
    fake = await startFakeAuki();
    const { access_token } = await login();
    const [header, payload, signature] = access_token.split('.');
    // Payload edited to push exp a year out, signature kept.
    const claims = claimsOf(access_token);
    const tampered = `${header}.${base64UrlEncode(utf8Encode(JSON.stringify({ ...claims, exp: claims.exp + 31_536_000 })))}.${signature}`;
    // Signed by someone else's key, same claims.
    const { privateKey } = await generateKeyPair('ES256');
    const forged = await new SignJWT(claims).setProtectedHeader({ alg: 'ES256' }).sign(privateKey);
    // alg "none".
    const unsigned = `${base64UrlEncode(utf8Encode('{"alg":"none"}'))}.${payload}.`;
    for (const token of [tampered, forged, unsigned, 'not-a-jwt']) {
      const res = await post(`${fake.apiUrl}/service/domains-access-token`, {
        Authorization: `Bearer ${token}`,
      });
      expect(res.status, token.slice(0, 20)).toBe(401);
    }
    // A discovery token is not a network token, and a network token is not a discovery token.
    const disc = await discovery(access_token);
    expect(
      (await post(`${fake.apiUrl}/service/domains-access-token`, { Authorization: `Bearer ${disc}` })).status,
    ).toBe(401);
    expect(
      (
        await post(`${fake.ddsUrl}/api/v1/domains/domain-1/auth`, {
          Authorization: `Bearer ${access_token}`,
          'posemesh-client-id': 'x',
        })
      ).status,
    ).toBe(401);
    // Expired on the fake clock.
    fake.clock.advance(3_600_000);
    expect(
      (await post(`${fake.apiUrl}/service/domains-access-token`, { Authorization: `Bearer ${access_token}` }))
        .status,
    ).toBe(401);
  });

  it('app keys: only the exact key and secret', async () => {
    fake = await startFakeAuki({ appKeys: [{ appKey: 'k', appSecret: 's' }] });
    const basic = (v: string) => ({ Authorization: `Basic ${btoa(v)}` });
    expect((await post(`${fake.apiUrl}/service/domains-access-token`, basic('k:s'))).status).toBe(200);
    expect((await post(`${fake.apiUrl}/service/domains-access-token`, basic('k:wrong'))).status).toBe(401);
    expect((await post(`${fake.apiUrl}/service/domains-access-token`, basic('k:s:'))).status).toBe(401);
  });
});
