import { pkceChallengeS256 } from '@x/crypto';
import { AbortError } from '@x/http-core';
import { afterEach, describe, expect, it } from 'vitest';
import { AirlockAuthError } from '../src/auth/index.ts';
import { loginWithAuthCode } from '../src/node/index.ts';
import type { FakeBrowserResult } from '../src/testing/index.ts';
import { type Idp, startIdp } from './auth-kit.ts';

const REDIRECT = 'https://app.example.com/callback';
let ctx: Idp;
afterEach(async () => {
  await ctx?.idp.close();
});

async function failure(promise: Promise<unknown>): Promise<AirlockAuthError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(AirlockAuthError.isInstance(error), String(error)).toBe(true);
  return error as AirlockAuthError;
}

describe('authorization code + PKCE, manual mode', () => {
  it('builds the authorization URL, and the redirect signs the user in', async () => {
    ctx = await startIdp();
    const auth = ctx.client();
    const request = await auth.getAuthorizationUrl(REDIRECT);

    expect(request.redirectUri).toBe(REDIRECT);
    expect(request.state).toMatch(/^[0-9a-f]{32}$/);
    expect(request.codeVerifier).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const url = new URL(request.authorizationUrl);
    expect(`${url.origin}${url.pathname}`).toBe(`${ctx.idp.realmUrl}/protocol/openid-connect/auth`);
    expect([...url.searchParams.keys()]).toEqual([
      'response_type',
      'client_id',
      'redirect_uri',
      'scope',
      'state',
      'code_challenge',
      'code_challenge_method',
    ]);
    expect(request.authorizationUrl).toContain('scope=openid%20profile%20email');
    expect(url.searchParams.get('code_challenge')).toBe(await pkceChallengeS256(request.codeVerifier));
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(url.searchParams.get('state')).toBe(request.state);

    const redirect = await ctx.idp.authorize(request.authorizationUrl, { subject: 'ada' });
    expect(redirect.startsWith(`${REDIRECT}?`)).toBe(true);
    const tokens = await auth.completeAuthorization(redirect, request);
    expect(await ctx.idp.verifyAccessToken(tokens.accessToken)).toMatchObject({ sub: 'ada' });
    expect(tokens.refreshToken).toBeTruthy();
    expect(tokens.idToken).toBeTruthy();
    expect(auth.isLoggedIn()).toBe(true);

    const exchange = new URLSearchParams(ctx.tokenRequests('authorization_code')[0]!.body);
    expect(Object.fromEntries(exchange)).toEqual({
      grant_type: 'authorization_code',
      client_id: 'airlock-integrations',
      code: new URL(redirect).searchParams.get('code'),
      redirect_uri: REDIRECT,
      code_verifier: request.codeVerifier,
    });
  });

  it('gives every login its own state and verifier', async () => {
    ctx = await startIdp();
    const auth = ctx.client();
    const a = await auth.getAuthorizationUrl(REDIRECT);
    const b = await auth.getAuthorizationUrl(REDIRECT);
    expect(a.state).not.toBe(b.state);
    expect(a.codeVerifier).not.toBe(b.codeVerifier);
  });

  it('exchangeCode works with a code the caller took out of the redirect', async () => {
    ctx = await startIdp();
    const auth = ctx.client();
    const request = await auth.getAuthorizationUrl(REDIRECT);
    const code = new URL(await ctx.idp.authorize(request.authorizationUrl)).searchParams.get('code')!;
    const tokens = await auth.exchangeCode(code, REDIRECT, request.codeVerifier);
    expect(await ctx.idp.verifyAccessToken(tokens.accessToken)).toBeTruthy();
  });

  it('reports a refusal with the provider error', async () => {
    ctx = await startIdp();
    const auth = ctx.client();
    const request = await auth.getAuthorizationUrl(REDIRECT);
    const redirect = await ctx.idp.authorize(request.authorizationUrl, { deny: true });
    const error = await failure(auth.completeAuthorization(redirect, request));
    expect(error.code).toBe('access_denied');
    expect(error.message).toMatch(/^Authorization denied: access_denied — /);
    expect(ctx.tokenRequests('authorization_code')).toHaveLength(0);
  });

  it('says endpoint_missing when discovery names no authorization endpoint', async () => {
    ctx = await startIdp({ omitEndpoints: ['authorization_endpoint'] });
    expect((await failure(ctx.client().getAuthorizationUrl(REDIRECT))).code).toBe('endpoint_missing');
  });
});

describe('authorization code + PKCE, attacks', () => {
  it('refuses a redirect whose state is not the one sent (CSRF), without exchanging the code', async () => {
    ctx = await startIdp();
    const auth = ctx.client();
    const victim = await auth.getAuthorizationUrl(REDIRECT);
    // The attacker's own login, whose redirect it tries to plant in the victim's browser.
    const attacker = await ctx.client().getAuthorizationUrl(REDIRECT);
    const planted = await ctx.idp.authorize(attacker.authorizationUrl, { subject: 'mallory' });
    expect((await failure(auth.completeAuthorization(planted, victim))).code).toBe('state_mismatch');

    const noState = new URL(planted);
    noState.searchParams.delete('state');
    expect((await failure(auth.completeAuthorization(noState, victim))).code).toBe('state_mismatch');
    expect(ctx.tokenRequests('authorization_code')).toHaveLength(0);
    expect(auth.isLoggedIn()).toBe(false);
  });

  it('refuses the code with a wrong PKCE verifier', async () => {
    ctx = await startIdp();
    const auth = ctx.client();
    const request = await auth.getAuthorizationUrl(REDIRECT);
    const other = await auth.getAuthorizationUrl(REDIRECT);
    const redirect = await ctx.idp.authorize(request.authorizationUrl);
    const error = await failure(
      auth.completeAuthorization(redirect, { ...request, codeVerifier: other.codeVerifier }),
    );
    expect(error.code).toBe('invalid_grant');
    expect(error.message).toMatch(/^Code exchange failed: invalid_grant — PKCE/);
    expect(error.status).toBe(400);
    // The code is burnt: the right verifier cannot use it afterwards either.
    expect((await failure(auth.completeAuthorization(redirect, request))).code).toBe('invalid_grant');
  });

  it('refuses the code without a verifier', async () => {
    ctx = await startIdp();
    const request = await ctx.client().getAuthorizationUrl(REDIRECT);
    const code = new URL(await ctx.idp.authorize(request.authorizationUrl)).searchParams.get('code')!;
    const response = await fetch(`${ctx.idp.realmUrl}/protocol/openid-connect/token`, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        client_id: 'airlock-integrations',
        code,
        redirect_uri: REDIRECT,
      }),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: 'invalid_grant' });
  });

  it('refuses a replayed code and revokes what the first exchange gave out', async () => {
    ctx = await startIdp();
    const auth = ctx.client();
    const request = await auth.getAuthorizationUrl(REDIRECT);
    const redirect = await ctx.idp.authorize(request.authorizationUrl);
    const tokens = await auth.completeAuthorization(redirect, request);
    expect(await ctx.idp.verifyAccessToken(tokens.accessToken)).toBeTruthy();

    const replay = await failure(ctx.client().completeAuthorization(redirect, request));
    expect(replay.code).toBe('invalid_grant');
    expect(await ctx.idp.verifyAccessToken(tokens.accessToken)).toBeUndefined();
    expect(ctx.idp.isRefreshTokenActive(tokens.refreshToken!)).toBe(false);
  });

  it('refuses the code with another redirect URI, and once it expired', async () => {
    ctx = await startIdp();
    const auth = ctx.client();
    const request = await auth.getAuthorizationUrl(REDIRECT);
    const redirect = await ctx.idp.authorize(request.authorizationUrl);
    const moved = await failure(
      auth.completeAuthorization(redirect, { ...request, redirectUri: 'https://evil.example.com/callback' }),
    );
    expect(moved.code).toBe('invalid_grant');

    const late = await auth.getAuthorizationUrl(REDIRECT);
    const lateRedirect = await ctx.idp.authorize(late.authorizationUrl);
    ctx.idp.clock.advance(61_000);
    expect((await failure(auth.completeAuthorization(lateRedirect, late))).code).toBe('invalid_grant');
  });

  it('the provider does not redirect to an unregistered URI', async () => {
    ctx = await startIdp();
    const request = await ctx.client().getAuthorizationUrl('http://evil.example.com/callback');
    await expect(ctx.idp.authorize(request.authorizationUrl)).rejects.toThrow(/HTTP 400/);
  });
});

/** The port and path of the loopback redirect URI inside an authorization URL. */
function redirectOf(authorizationUrl: string): URL {
  return new URL(new URL(authorizationUrl).searchParams.get('redirect_uri')!);
}

describe('authorization code + PKCE, loopback (Node)', () => {
  it('listens on a free port, redirects to http://localhost:<port>/callback and signs in', async () => {
    ctx = await startIdp();
    const auth = ctx.client();
    let browser: Promise<FakeBrowserResult> | undefined;
    let redirectUri: URL | undefined;
    const tokens = await loginWithAuthCode(auth, (url) => {
      redirectUri = redirectOf(url);
      // Like opening the browser: the callback returns at once, the user acts later.
      browser = ctx.idp.completeAuthorization(url, { subject: 'grace' });
    });
    expect(redirectUri!.hostname).toBe('localhost');
    expect(redirectUri!.pathname).toBe('/callback');
    expect(Number(redirectUri!.port)).toBeGreaterThan(0);
    const page = await browser!;
    expect(page.status).toBe(200);
    expect(page.body).toContain('Authorization successful!');
    expect(await ctx.idp.verifyAccessToken(tokens.accessToken)).toMatchObject({ sub: 'grace' });
    expect(auth.getTokenState()).toEqual(tokens);
    // The server is gone once the login is over.
    await expect(fetch(`http://127.0.0.1:${redirectUri!.port}/callback`)).rejects.toThrow();
  });

  it('answers 404 off /callback and keeps waiting', async () => {
    ctx = await startIdp();
    let stray = 0;
    const tokens = await loginWithAuthCode(ctx.client(), async (url) => {
      const port = redirectOf(url).port;
      stray = (await fetch(`http://127.0.0.1:${port}/favicon.ico`)).status;
      await ctx.idp.completeAuthorization(url);
    });
    expect(stray).toBe(404);
    expect(tokens.accessToken).toBeTruthy();
  });

  it('shows an error page and fails when the user refuses', async () => {
    ctx = await startIdp();
    let browser: Promise<FakeBrowserResult> | undefined;
    const error = await failure(
      loginWithAuthCode(ctx.client(), (url) => {
        browser = ctx.idp.completeAuthorization(url, { deny: true });
      }),
    );
    expect(error.code).toBe('access_denied');
    const page = await browser!;
    expect(page.status).toBe(400);
    expect(page.body).toContain('Authorization denied: access_denied');
  });

  it('answers 404 to forged callbacks (wrong or missing state, POST, other paths) and keeps waiting (CSRF)', async () => {
    ctx = await startIdp();
    const statuses: number[] = [];
    const tokens = await loginWithAuthCode(ctx.client(), async (url) => {
      const base = `http://127.0.0.1:${redirectOf(url).port}`;
      const state = new URL(url).searchParams.get('state')!;
      for (const [path, method] of [
        ['/callback?code=stolen&state=0123456789abcdef0123456789abcdef', 'GET'],
        ['/callback?code=stolen', 'GET'],
        ['/callback?error=access_denied', 'GET'],
        [`/callback?code=stolen&state=${state}`, 'POST'],
        [`/callback/x?code=stolen&state=${state}`, 'GET'],
        [`/Callback?code=stolen&state=${state}`, 'GET'],
      ] as const)
        statuses.push((await fetch(`${base}${path}`, { method })).status);
      // The real redirect still signs in.
      await ctx.idp.completeAuthorization(url);
    });
    expect(statuses).toEqual([404, 404, 404, 404, 404, 404]);
    expect(await ctx.idp.verifyAccessToken(tokens.accessToken)).toBeTruthy();
    expect(ctx.tokenRequests('authorization_code')).toHaveLength(1);
  });

  it('fails with invalid_callback when the callback has the state but no code', async () => {
    ctx = await startIdp();
    const error = await failure(
      loginWithAuthCode(ctx.client(), async (url) => {
        const state = new URL(url).searchParams.get('state')!;
        await fetch(`http://127.0.0.1:${redirectOf(url).port}/callback?state=${state}`);
      }),
    );
    expect(error.code).toBe('invalid_callback');
  });

  it('fails with login_timeout when nobody comes back in time', async () => {
    ctx = await startIdp();
    const error = await failure(loginWithAuthCode(ctx.client(), () => {}, { timeout: 50 }));
    expect(error.code).toBe('login_timeout');
  });

  it('stops and closes the server when the signal aborts', async () => {
    ctx = await startIdp();
    const controller = new AbortController();
    let port = '';
    const error = await loginWithAuthCode(
      ctx.client(),
      (url) => {
        port = redirectOf(url).port;
        controller.abort();
      },
      { signal: controller.signal },
    ).catch((e: unknown) => e);
    expect(AbortError.isInstance(error)).toBe(true);
    await expect(fetch(`http://127.0.0.1:${port}/callback`)).rejects.toThrow();
  });

  it('fails with the error of onBrowserUrl, or endpoint_missing, and closes the server either way', async () => {
    ctx = await startIdp();
    let port = '';
    const opener = await loginWithAuthCode(ctx.client(), (url) => {
      port = redirectOf(url).port;
      throw new Error('no browser on this machine');
    }).catch((e: unknown) => e);
    expect((opener as Error).message).toBe('no browser on this machine');
    await expect(fetch(`http://127.0.0.1:${port}/callback`)).rejects.toThrow();
    await ctx.idp.close();

    ctx = await startIdp({ omitEndpoints: ['authorization_endpoint'] });
    let called = false;
    const error = await failure(
      loginWithAuthCode(ctx.client(), () => {
        called = true;
      }),
    );
    expect(error.code).toBe('endpoint_missing');
    expect(called).toBe(false);
  });

  it('takes a fixed port', async () => {
    ctx = await startIdp();
    const probe = await startIdp();
    const port = probe.idp.url.split(':').pop()!;
    await probe.idp.close(); // a port that was free a moment ago
    let used = '';
    await loginWithAuthCode(
      ctx.client(),
      async (url) => {
        used = redirectOf(url).port;
        await ctx.idp.completeAuthorization(url);
      },
      { port: Number(port) },
    );
    expect(used).toBe(port);
  });
});
