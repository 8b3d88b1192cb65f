// The auth client as the gateway client's token provider, against both fakes over real sockets.
import { afterEach, describe, expect, it } from 'vitest';
import { AirlockAuthError } from '../src/auth/index.ts';
import { AirlockGatewayClient } from '../src/index.ts';
import { type FakeGateway, startFakeGateway } from '../src/testing/index.ts';
import { type Idp, signIn, startIdp } from './auth-kit.ts';

let ctx: Idp;
let gateway: FakeGateway;
afterEach(async () => {
  await gateway?.close();
  await ctx?.idp.close();
});

async function setup() {
  ctx = await startIdp();
  gateway = await startFakeGateway({
    pats: [],
    now: () => ctx.idp.clock.now(),
    verifyBearer: async (token) => (await ctx.idp.verifyAccessToken(token)) !== undefined,
  });
  const auth = ctx.client();
  await signIn(ctx, auth);
  const client = new AirlockGatewayClient({ baseUrl: gateway.url, tokenProvider: auth });
  const bearers = () =>
    gateway.recorder.requests
      .filter((r) => r.path === '/v1/consent/status')
      .map((r) => r.headers.authorization);
  return { auth, client, bearers };
}

describe('AirlockAuthClient as the gateway token provider', () => {
  it('sends the access token, and a refreshed one once it has expired', async () => {
    const { auth, client, bearers } = await setup();
    const first = auth.getTokenState()!.accessToken;
    expect(await client.checkConsent()).toBe('approved');
    expect(bearers()).toEqual([`Bearer ${first}`]);

    ctx.idp.clock.advance(300_000);
    expect(await client.checkConsent()).toBe('approved');
    const second = auth.getTokenState()!.accessToken;
    expect(second).not.toBe(first);
    expect(bearers()).toEqual([`Bearer ${first}`, `Bearer ${second}`]);
    expect(ctx.tokenRequests('refresh_token')).toHaveLength(1);
  });

  it('refreshes after a 401 and replays the request once', async () => {
    const { auth, client, bearers } = await setup();
    const first = auth.getTokenState()!.accessToken;
    // The access token alone is revoked (the session lives on): the gateway answers 401.
    await fetch(`${ctx.idp.realmUrl}/protocol/openid-connect/revoke`, {
      method: 'POST',
      body: new URLSearchParams({ client_id: 'airlock-integrations', token: first }),
    });
    expect(await client.checkConsent()).toBe('approved');
    const second = auth.getTokenState()!.accessToken;
    expect(bearers()).toEqual([`Bearer ${first}`, `Bearer ${second}`]);
    expect(ctx.tokenRequests('refresh_token')).toHaveLength(1);
  });

  it('concurrent 401s share one refresh', async () => {
    const { auth, client } = await setup();
    await fetch(`${ctx.idp.realmUrl}/protocol/openid-connect/revoke`, {
      method: 'POST',
      body: new URLSearchParams({
        client_id: 'airlock-integrations',
        token: auth.getTokenState()!.accessToken,
      }),
    });
    const results = await Promise.all(Array.from({ length: 8 }, () => client.checkConsent()));
    expect(results).toEqual(Array(8).fill('approved'));
    expect(ctx.tokenRequests('refresh_token')).toHaveLength(1);
  });

  it('ends the session when the whole grant was revoked', async () => {
    const { auth, client } = await setup();
    ctx.idp.revokeAll();
    const error = await client.checkConsent().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(auth.isLoggedIn()).toBe(false);
    const next = await client.checkConsent().catch((e: unknown) => e);
    expect(AirlockAuthError.isInstance(next) && next.code).toBe('not_logged_in');
  });
});
