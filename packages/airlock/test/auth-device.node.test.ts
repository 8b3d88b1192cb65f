import { AbortError } from '@x/http-core';
import { afterEach, describe, expect, it } from 'vitest';
import { AirlockAuthError, type DeviceCodeInfo } from '../src/auth/index.ts';
import { type Idp, startIdp } from './auth-kit.ts';

const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
let ctx: Idp;
afterEach(async () => {
  await ctx?.idp.close();
});

async function failure(promise: Promise<unknown>): Promise<AirlockAuthError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(AirlockAuthError.isInstance(error)).toBe(true);
  return error as AirlockAuthError;
}

describe('device login (RFC 8628)', () => {
  it('shows the code, polls every 5 s while pending and signs in once the user approves', async () => {
    ctx = await startIdp();
    const auth = ctx.client();
    let shown: DeviceCodeInfo | undefined;
    ctx.whenSleeping((index) => {
      if (index === 2) ctx.idp.approveDevice(shown!.userCode); // the user finishes after two polls
    });
    const tokens = await auth.login((info) => {
      shown = info;
    });

    expect(shown).toMatchObject({ expiresIn: 600, interval: 5 });
    expect(shown!.userCode).toMatch(/^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/);
    expect(shown!.verificationUri).toBe(`${ctx.idp.realmUrl}/device`);
    expect(shown!.verificationUriComplete).toBe(`${ctx.idp.realmUrl}/device?user_code=${shown!.userCode}`);
    expect(ctx.sleeps).toEqual([5000, 5000, 5000]);
    expect(ctx.idp.deviceAuthorizations[0]).toMatchObject({ status: 'consumed', polls: 3, slowDowns: 0 });

    const claims = await ctx.idp.verifyAccessToken(tokens.accessToken);
    expect(claims).toMatchObject({
      sub: 'user-1',
      azp: 'airlock-integrations',
      scope: 'openid profile email',
    });
    expect(auth.isLoggedIn()).toBe(true);
    expect(auth.getTokenState()).toEqual(tokens);
    // Keycloak's 300 s lifetime minus the 30 s skew, on the shared clock.
    expect(tokens.expiresAt).toBe(ctx.idp.clock.now() + 270_000);
    expect(await auth.getAccessToken()).toBe(tokens.accessToken);

    // The wire: form bodies with the spec's fields, no client secret.
    const device = ctx.idp.recorder.requests.find((r) => r.path.endsWith('/auth/device'))!;
    expect(device.headers['content-type']).toMatch(/^application\/x-www-form-urlencoded/);
    expect(Object.fromEntries(new URLSearchParams(device.body))).toEqual({
      client_id: 'airlock-integrations',
      scope: 'openid profile email',
    });
    const poll = new URLSearchParams(ctx.tokenRequests(DEVICE_GRANT)[0]!.body);
    expect([...poll.keys()].sort()).toEqual(['client_id', 'device_code', 'grant_type']);
  });

  it('sleeps before the first poll', async () => {
    ctx = await startIdp();
    let pollsWhenShown = -1;
    ctx.whenSleeping(() => {
      ctx.idp.approveDevice(ctx.idp.deviceAuthorizations[0]!.userCode);
    });
    await ctx.client().login(() => {
      pollsWhenShown = ctx.tokenRequests(DEVICE_GRANT).length;
    });
    expect(pollsWhenShown).toBe(0);
    expect(ctx.sleeps).toEqual([5000]);
    expect(ctx.tokenRequests(DEVICE_GRANT)).toHaveLength(1);
  });

  it('never polls faster than every 5 s, even when the provider asks for 1 s', async () => {
    ctx = await startIdp({ deviceInterval: 1 });
    ctx.whenSleeping((index) => {
      if (index === 1) ctx.idp.approveDevice(ctx.idp.deviceAuthorizations[0]!.userCode);
    });
    let shownInterval = 0;
    await ctx.client().login((info) => {
      shownInterval = info.interval;
    });
    expect(shownInterval).toBe(5);
    expect(ctx.sleeps).toEqual([5000, 5000]);
  });

  it("keeps the provider's larger interval", async () => {
    ctx = await startIdp({ deviceInterval: 8 });
    ctx.whenSleeping((index) => {
      if (index === 1) ctx.idp.approveDevice(ctx.idp.deviceAuthorizations[0]!.userCode);
    });
    await ctx.client().login(() => {});
    expect(ctx.sleeps).toEqual([8000, 8000]);
  });

  it('adds 5 s to the interval for good after slow_down', async () => {
    ctx = await startIdp();
    ctx.whenSleeping((index) => {
      if (index === 3) ctx.idp.approveDevice(ctx.idp.deviceAuthorizations[0]!.userCode);
      // The first wait comes back a second early (a laptop waking up): the provider sees a fast poll.
      return index === 0 ? 4000 : undefined;
    });
    await ctx.client().login(() => {});
    expect(ctx.idp.deviceAuthorizations[0]).toMatchObject({ slowDowns: 1, interval: 10, status: 'consumed' });
    expect(ctx.sleeps).toEqual([5000, 10_000, 10_000, 10_000]);
  });

  it('fails with access_denied when the user refuses', async () => {
    ctx = await startIdp();
    ctx.whenSleeping((index) => {
      if (index === 1) ctx.idp.denyDevice(ctx.idp.deviceAuthorizations[0]!.userCode);
    });
    const auth = ctx.client();
    const error = await failure(auth.login(() => {}));
    expect(error.code).toBe('access_denied');
    expect(error.status).toBe(400);
    expect(error.message).toMatch(/denied/);
    expect(auth.isLoggedIn()).toBe(false);
  });

  it('fails with expired_token when the code expires before the user finishes', async () => {
    ctx = await startIdp({ deviceCodeTtl: 30 });
    const auth = ctx.client();
    const error = await failure(auth.login(() => {}));
    expect(error.code).toBe('expired_token');
    expect(error.message).toMatch(/expired/);
    expect(ctx.sleeps.reduce((a, b) => a + b, 0)).toBe(30_000);
    expect(auth.isLoggedIn()).toBe(false);
  });

  it('reports the provider saying expired_token when its clock runs ahead', async () => {
    ctx = await startIdp({ deviceCodeTtl: 30 });
    // The provider's clock jumps past the code's expiry while the client still has time left.
    ctx.whenSleeping((index) => (index === 1 ? 60_000 : undefined));
    const auth = ctx.client({ now: () => 0 });
    const error = await failure(auth.login(() => {}));
    expect(error.code).toBe('expired_token');
    expect(error.status).toBe(400);
    expect(ctx.sleeps).toEqual([5000, 5000]);
  });

  it('stops at once when the signal aborts, also while waiting', async () => {
    ctx = await startIdp();
    const controller = new AbortController();
    ctx.whenSleeping((index) => {
      if (index === 1) controller.abort(new Error('user pressed Ctrl-C'));
    });
    const error = await ctx
      .client()
      .login(() => {}, { signal: controller.signal })
      .catch((e: unknown) => e);
    expect(AbortError.isInstance(error)).toBe(true);
    expect(ctx.tokenRequests(DEVICE_GRANT)).toHaveLength(1);

    // With the real timer: the abort ends the wait itself.
    const timerController = new AbortController();
    const real = ctx.client({ sleep: undefined, now: undefined });
    const pending = real.login(
      () => {
        setTimeout(() => timerController.abort(), 20);
      },
      { signal: timerController.signal },
    );
    expect(AbortError.isInstance(await pending.catch((e: unknown) => e))).toBe(true);
  });

  it('backs off exponentially when a poll hits a network failure, then carries on', async () => {
    ctx = await startIdp();
    ctx.idp.faults.enqueue({
      reset: true,
      match: { method: 'POST', path: '/realms/airlock/protocol/openid-connect/token' },
    });
    ctx.whenSleeping((index) => {
      if (index === 2) ctx.idp.approveDevice(ctx.idp.deviceAuthorizations[0]!.userCode);
    });
    const tokens = await ctx.client().login(() => {});
    expect(tokens.accessToken).toBeTruthy();
    expect(ctx.sleeps).toEqual([5000, 10_000, 10_000]);
  });

  it('says endpoint_missing when the provider offers no device login', async () => {
    ctx = await startIdp({ omitEndpoints: ['device_authorization_endpoint'] });
    expect((await failure(ctx.client().login(() => {}))).code).toBe('endpoint_missing');
  });

  it('passes on invalid_client for an unknown client id', async () => {
    ctx = await startIdp();
    const error = await failure(ctx.client({ oidcClientId: 'someone-else' }).login(() => {}));
    expect(error.code).toBe('invalid_client');
    expect(error.status).toBe(401);
  });

  it('asks for the scope given to the login', async () => {
    ctx = await startIdp();
    ctx.whenSleeping(() => ctx.idp.approveDevice(ctx.idp.deviceAuthorizations[0]!.userCode));
    const tokens = await ctx.client().login(() => {}, { scope: 'openid' });
    expect(tokens.scope).toBe('openid');
  });
});

describe('the fake device endpoint (attacks)', () => {
  it('refuses a device code that was already exchanged', async () => {
    ctx = await startIdp();
    ctx.whenSleeping(() => ctx.idp.approveDevice(ctx.idp.deviceAuthorizations[0]!.userCode));
    await ctx.client().login(() => {});
    const deviceCode = new URLSearchParams(ctx.tokenRequests(DEVICE_GRANT)[0]!.body).get('device_code')!;
    ctx.idp.clock.advance(5000);
    const replay = await fetch(`${ctx.idp.realmUrl}/protocol/openid-connect/token`, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: DEVICE_GRANT,
        client_id: 'airlock-integrations',
        device_code: deviceCode,
      }),
    });
    expect(replay.status).toBe(400);
    expect(await replay.json()).toMatchObject({ error: 'invalid_grant' });
  });

  it('refuses a device code presented by another client', async () => {
    ctx = await startIdp({ clientIds: ['airlock-integrations', 'other'] });
    const oidc = `${ctx.idp.realmUrl}/protocol/openid-connect`;
    const started = await fetch(`${oidc}/auth/device`, {
      method: 'POST',
      body: new URLSearchParams({ client_id: 'airlock-integrations', scope: 'openid' }),
    });
    const { device_code, user_code } = (await started.json()) as { device_code: string; user_code: string };
    ctx.idp.approveDevice(user_code);
    ctx.idp.clock.advance(5000);
    const stolen = await fetch(`${oidc}/token`, {
      method: 'POST',
      body: new URLSearchParams({ grant_type: DEVICE_GRANT, client_id: 'other', device_code }),
    });
    expect(stolen.status).toBe(400);
    expect(await stolen.json()).toMatchObject({ error: 'invalid_grant' });
  });
});
