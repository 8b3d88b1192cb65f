// The fake identity provider on its own, over HTTP: what users of @x/airlock/testing rely on.
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { OidcFakeClock, startFakeOidcProvider } from '../src/testing/index.ts';
import { type Idp, signIn, startIdp } from './auth-kit.ts';

let ctx: Idp;
afterEach(async () => {
  await ctx?.idp.close();
});

const form = (fields: Record<string, string>) => ({ method: 'POST', body: new URLSearchParams(fields) });

describe('fake OIDC provider', () => {
  it('publishes a Keycloak-shaped discovery document and its signing keys', async () => {
    ctx = await startIdp();
    const realm = ctx.idp.realmUrl;
    const doc = await (await fetch(`${realm}/.well-known/openid-configuration`)).json();
    expect(doc).toMatchObject({
      issuer: realm,
      authorization_endpoint: `${realm}/protocol/openid-connect/auth`,
      token_endpoint: `${realm}/protocol/openid-connect/token`,
      device_authorization_endpoint: `${realm}/protocol/openid-connect/auth/device`,
      revocation_endpoint: `${realm}/protocol/openid-connect/revoke`,
      jwks_uri: `${realm}/protocol/openid-connect/certs`,
      code_challenge_methods_supported: ['S256'],
    });

    // Tokens verify against the published keys with plain jose, as a resource server would.
    const tokens = await signIn(ctx, ctx.client());
    const jwks = createRemoteJWKSet(new URL(doc.jwks_uri));
    const options = { issuer: realm, currentDate: new Date(ctx.idp.clock.now()) };
    const access = await jwtVerify(tokens.accessToken, jwks, { ...options, audience: 'airlock-gateway' });
    expect(access.payload).toMatchObject({
      sub: 'user-1',
      azp: 'airlock-integrations',
      scope: 'openid profile email',
    });
    expect(access.protectedHeader.alg).toBe('ES256');
    const id = await jwtVerify(tokens.idToken!, jwks, { ...options, audience: 'airlock-integrations' });
    expect(id.payload.sub).toBe('user-1');
  });

  it('expires access tokens and refresh tokens on its clock', async () => {
    ctx = await startIdp({ refreshTokenTtl: 600 });
    const tokens = await signIn(ctx, ctx.client());
    expect(await ctx.idp.verifyAccessToken(tokens.accessToken)).toBeTruthy();
    ctx.idp.clock.advance(300_000);
    expect(await ctx.idp.verifyAccessToken(tokens.accessToken)).toBeUndefined();
    expect(ctx.idp.isRefreshTokenActive(tokens.refreshToken!)).toBe(true);
    ctx.idp.clock.advance(300_000);
    expect(ctx.idp.isRefreshTokenActive(tokens.refreshToken!)).toBe(false);
    const refreshed = await fetch(
      `${ctx.idp.realmUrl}/protocol/openid-connect/token`,
      form({
        grant_type: 'refresh_token',
        client_id: 'airlock-integrations',
        refresh_token: tokens.refreshToken!,
      }),
    );
    expect(refreshed.status).toBe(400);
    expect(await refreshed.json()).toMatchObject({ error: 'invalid_grant' });
  });

  it('revokes one user with revokeAll(subject), and single access tokens through the endpoint', async () => {
    ctx = await startIdp();
    const ada = await ctx.client().login((info) => ctx.idp.approveDevice(info.userCode, { subject: 'ada' }));
    const bob = await ctx.client().login((info) => ctx.idp.approveDevice(info.userCode, { subject: 'bob' }));
    ctx.idp.revokeAll('ada');
    expect(await ctx.idp.verifyAccessToken(ada.accessToken)).toBeUndefined();
    expect(await ctx.idp.verifyAccessToken(bob.accessToken)).toMatchObject({ sub: 'bob' });

    const revoke = await fetch(
      `${ctx.idp.realmUrl}/protocol/openid-connect/revoke`,
      form({ client_id: 'airlock-integrations', token: bob.accessToken, token_type_hint: 'access_token' }),
    );
    expect(revoke.status).toBe(200);
    expect(await ctx.idp.verifyAccessToken(bob.accessToken)).toBeUndefined();
    expect(ctx.idp.isRefreshTokenActive(bob.refreshToken!)).toBe(true);
  });

  it('answers 200 for an unknown token and invalid_client for an unknown client on revoke', async () => {
    ctx = await startIdp();
    const url = `${ctx.idp.realmUrl}/protocol/openid-connect/revoke`;
    expect((await fetch(url, form({ client_id: 'airlock-integrations', token: 'nope' }))).status).toBe(200);
    const stranger = await fetch(url, form({ client_id: 'stranger', token: 'nope' }));
    expect(stranger.status).toBe(401);
    expect(await stranger.json()).toMatchObject({ error: 'invalid_client' });
  });

  it('refuses unknown grant types and clients at the token endpoint', async () => {
    ctx = await startIdp();
    const url = `${ctx.idp.realmUrl}/protocol/openid-connect/token`;
    const password = await fetch(url, form({ grant_type: 'password', client_id: 'airlock-integrations' }));
    expect(password.status).toBe(400);
    expect(await password.json()).toMatchObject({ error: 'unsupported_grant_type' });
    const stranger = await fetch(
      url,
      form({ grant_type: 'refresh_token', client_id: 'x', refresh_token: 'y' }),
    );
    expect(stranger.status).toBe(401);
    expect(stranger.headers.get('cache-control')).toBe('no-store');
  });

  it('redirects with invalid_request when PKCE is missing or not S256, and refuses other response types', async () => {
    ctx = await startIdp();
    const auth = `${ctx.idp.realmUrl}/protocol/openid-connect/auth`;
    const base = {
      client_id: 'airlock-integrations',
      redirect_uri: 'http://localhost:1/callback',
      state: 's',
    };
    const go = async (params: Record<string, string>) => {
      const response = await fetch(`${auth}?${new URLSearchParams({ ...base, ...params })}`, {
        redirect: 'manual',
      });
      return new URL(response.headers.get('location')!).searchParams;
    };
    expect((await go({ response_type: 'code' })).get('error')).toBe('invalid_request');
    const plain = await go({
      response_type: 'code',
      code_challenge: 'x'.repeat(43),
      code_challenge_method: 'plain',
    });
    expect(plain.get('error')).toBe('invalid_request');
    expect(plain.get('state')).toBe('s');
    expect((await go({ response_type: 'token', code_challenge: 'x'.repeat(43) })).get('error')).toBe(
      'unsupported_response_type',
    );
    const unknown = await fetch(`${auth}?${new URLSearchParams({ ...base, client_id: 'x' })}`, {
      redirect: 'manual',
    });
    expect(unknown.status).toBe(400);
  });

  it('shares a clock given to it, and tells users about device logins', async () => {
    const clock = new OidcFakeClock(Date.UTC(2030, 0, 1));
    const idp = await startFakeOidcProvider({ clock, deviceCodeTtl: 120, deviceInterval: 7 });
    try {
      expect(idp.clock).toBe(clock);
      const response = await fetch(
        `${idp.realmUrl}/protocol/openid-connect/auth/device`,
        form({ client_id: 'airlock-integrations', scope: 'openid' }),
      );
      expect(await response.json()).toMatchObject({ expires_in: 120, interval: 7 });
      expect(idp.deviceAuthorizations).toEqual([
        expect.objectContaining({
          status: 'pending',
          polls: 0,
          interval: 7,
          expiresAt: Date.UTC(2030, 0, 1) + 120_000,
        }),
      ]);
      expect(() => idp.approveDevice('NOPE-NOPE')).toThrow(/No device login/);
      expect(() => clock.advance(-1)).toThrow(RangeError);
    } finally {
      await idp.close();
    }
  });
});
