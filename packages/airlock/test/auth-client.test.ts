// Pure logic of the auth client, run in Node and in the edge-runtime VM: no server involved.
import { XError } from '@x/http-core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  AirlockAuthClient,
  AirlockAuthError,
  buildAuthorizationUrl,
  DEFAULT_OIDC_CLIENT_ID,
  DEFAULT_OIDC_SCOPE,
  generateOAuthState,
  MemoryTokenStore,
  parseAuthorizationResponse,
  type TokenState,
} from '../src/auth/index.ts';

async function failure(promise: Promise<unknown>): Promise<AirlockAuthError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(AirlockAuthError.isInstance(error), String(error)).toBe(true);
  return error as AirlockAuthError;
}

// Nothing listens here: any request would fail, so these tests prove no request is made.
const REALM = 'http://127.0.0.1:9/realms/airlock';

describe('buildAuthorizationUrl', () => {
  const params = {
    authorizationEndpoint: 'https://idp.example.com/auth',
    clientId: 'airlock-integrations',
    redirectUri: 'http://localhost:5000/callback',
    state: '0123456789abcdef0123456789abcdef',
    codeChallenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
  };

  it('writes the parameters in the upstream order, spaces as %20', () => {
    expect(buildAuthorizationUrl(params)).toBe(
      'https://idp.example.com/auth?response_type=code&client_id=airlock-integrations' +
        '&redirect_uri=http%3A%2F%2Flocalhost%3A5000%2Fcallback&scope=openid%20profile%20email' +
        '&state=0123456789abcdef0123456789abcdef&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM' +
        '&code_challenge_method=S256',
    );
  });

  it('keeps a query already on the endpoint and takes another scope', () => {
    const url = buildAuthorizationUrl({
      ...params,
      authorizationEndpoint: 'https://idp.example.com/auth?kc_idp_hint=github',
      scope: 'openid',
    });
    expect(url.startsWith('https://idp.example.com/auth?kc_idp_hint=github&response_type=code&')).toBe(true);
    expect(new URL(url).searchParams.get('scope')).toBe('openid');
  });
});

describe('buildAuthorizationUrl and parseAuthorizationResponse (properties)', () => {
  it('every parameter survives the round trip through a URL parser', () => {
    fc.assert(
      fc.property(
        fc.string(),
        fc.webUrl(),
        fc.string(),
        fc.string(),
        fc.string(),
        (clientId, redirectUri, scope, state, challenge) => {
          const url = new URL(
            buildAuthorizationUrl({
              authorizationEndpoint: 'https://idp.example.com/auth',
              clientId,
              redirectUri,
              scope,
              state,
              codeChallenge: challenge,
            }),
          );
          const p = url.searchParams;
          return (
            p.get('client_id') === clientId &&
            p.get('redirect_uri') === redirectUri &&
            p.get('scope') === scope &&
            p.get('state') === state &&
            p.get('code_challenge') === challenge &&
            !url.search.includes('+')
          );
        },
      ),
    );
  });

  it('only the exact state passes', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.string({ minLength: 1 }),
        fc.string(),
        fc.string({ minLength: 1 }),
        async (expected, other, code) => {
          const query = new URLSearchParams({ code, state: other });
          const outcome = await parseAuthorizationResponse(query, expected).then(
            (value) => value,
            (error: AirlockAuthError) => error.code,
          );
          return other === expected ? outcome === code : outcome === 'state_mismatch';
        },
      ),
    );
  });
});

describe('generateOAuthState', () => {
  it('is 32 lowercase hex characters, fresh each time', async () => {
    const states = new Set(await Promise.all(Array.from({ length: 50 }, () => generateOAuthState())));
    expect(states.size).toBe(50);
    for (const state of states) expect(state).toMatch(/^[0-9a-f]{32}$/);
  });
});

describe('parseAuthorizationResponse', () => {
  const state = 'aaaabbbbccccddddeeeeffff00001111';

  it('returns the code from a URL, a query string, URLSearchParams or a deep link', async () => {
    expect(await parseAuthorizationResponse(`https://app.example.com/cb?code=c1&state=${state}`, state)).toBe(
      'c1',
    );
    expect(
      await parseAuthorizationResponse(new URL(`http://localhost:1/callback?state=${state}&code=c2`), state),
    ).toBe('c2');
    expect(await parseAuthorizationResponse(`?code=c3&state=${state}`, state)).toBe('c3');
    expect(await parseAuthorizationResponse(new URLSearchParams({ code: 'c4', state }), state)).toBe('c4');
    expect(await parseAuthorizationResponse(`com.example.app:/oauth?code=c5&state=${state}#_`, state)).toBe(
      'c5',
    );
  });

  it('reports the provider error first, with its description', async () => {
    const error = await failure(
      parseAuthorizationResponse('https://a/cb?error=access_denied&error_description=No%20thanks', state),
    );
    expect(error.code).toBe('access_denied');
    expect(error.errorDescription).toBe('No thanks');
    expect(error.message).toBe('Authorization denied: access_denied — No thanks');
  });

  it('refuses a missing or different state, and a missing code', async () => {
    expect((await failure(parseAuthorizationResponse('https://a/cb?code=c', state))).code).toBe(
      'state_mismatch',
    );
    expect(
      (await failure(parseAuthorizationResponse(`https://a/cb?code=c&state=${state}0`, state))).code,
    ).toBe('state_mismatch');
    expect((await failure(parseAuthorizationResponse('https://a/cb?code=c&state=', state))).code).toBe(
      'state_mismatch',
    );
    expect((await failure(parseAuthorizationResponse(`https://a/cb?state=${state}`, state))).code).toBe(
      'invalid_callback',
    );
  });
});

describe('AirlockAuthError', () => {
  it('is an XError with a brand, a name and a stable code', () => {
    const error = new AirlockAuthError('x', { code: 'slow_down', status: 400, errorDescription: 'd' });
    expect(AirlockAuthError.isInstance(error)).toBe(true);
    expect(XError.isInstance(error)).toBe(true);
    expect(AirlockAuthError.isInstance(new XError('y'))).toBe(false);
    expect(error.name).toBe('AirlockAuthError');
    expect(error).toMatchObject({ code: 'slow_down', status: 400, errorDescription: 'd', retryable: false });
  });
});

describe('MemoryTokenStore', () => {
  it('keeps copies', () => {
    const state: TokenState = { accessToken: 'a', refreshToken: 'r', expiresAt: 1 };
    const store = new MemoryTokenStore(state);
    state.accessToken = 'changed';
    expect(store.load()).toEqual({ accessToken: 'a', refreshToken: 'r', expiresAt: 1 });
    const loaded = store.load()!;
    loaded.accessToken = 'changed';
    expect(store.load()!.accessToken).toBe('a');
    store.save({ accessToken: 'b' });
    expect(store.load()).toEqual({ accessToken: 'b' });
    store.clear();
    expect(store.load()).toBeUndefined();
  });
});

describe('AirlockAuthClient without a network', () => {
  it('has the upstream defaults', () => {
    const auth = new AirlockAuthClient({ baseUrl: `${REALM}//` });
    expect(auth.realmUrl).toBe(REALM);
    expect(auth.clientId).toBe(DEFAULT_OIDC_CLIENT_ID);
    expect(auth.clientId).toBe('airlock-integrations');
    expect(auth.scope).toBe(DEFAULT_OIDC_SCOPE);
    expect(auth.isLoggedIn()).toBe(false);
    expect(auth.isTokenExpired()).toBe(true);
    expect(auth.getTokenState()).toBeUndefined();
  });

  it('restores, exports and times a session (expiresAt in epoch ms)', async () => {
    let now = 1_000_000;
    const auth = new AirlockAuthClient({ baseUrl: REALM, now: () => now });
    await auth.restoreTokens({ accessToken: 'at', refreshToken: 'rt', expiresAt: 1_060_000 });
    expect(auth.isLoggedIn()).toBe(true);
    expect(auth.isTokenExpired()).toBe(false);
    expect(await auth.getAccessToken()).toBe('at');
    const exported = auth.getTokenState()!;
    exported.accessToken = 'changed';
    expect(auth.getTokenState()).toEqual({ accessToken: 'at', refreshToken: 'rt', expiresAt: 1_060_000 });
    now = 1_060_000;
    expect(auth.isTokenExpired()).toBe(true);
    now = 1_059_999;
    expect(auth.isTokenExpired()).toBe(false);
  });

  it('never expires a session without expiresAt', async () => {
    const auth = new AirlockAuthClient({ baseUrl: REALM, now: () => Number.MAX_SAFE_INTEGER });
    await auth.restoreTokens({ accessToken: 'at' });
    expect(auth.isTokenExpired()).toBe(false);
    expect(await auth.getAccessToken()).toBe('at');
  });

  it('refuses to restore something that is not a session', async () => {
    const auth = new AirlockAuthClient({ baseUrl: REALM });
    for (const bad of [{}, { accessToken: '' }, { accessToken: 'a', expiresAt: 'soon' }, null]) {
      expect((await failure(auth.restoreTokens(bad as never))).code).toBe('invalid_token_state');
    }
    expect(auth.isLoggedIn()).toBe(false);
  });

  it('says not_logged_in, no_refresh_token and session_expired without asking anyone', async () => {
    let now = 0;
    const auth = new AirlockAuthClient({ baseUrl: REALM, now: () => now });
    expect((await failure(auth.getAccessToken())).code).toBe('not_logged_in');
    await auth.restoreTokens({ accessToken: 'at', expiresAt: 10 });
    expect((await failure(auth.refreshToken())).code).toBe('no_refresh_token');
    now = 10;
    expect((await failure(auth.getAccessToken())).code).toBe('session_expired');
    expect(await auth.logout()).toBe(false);
    expect(auth.isLoggedIn()).toBe(false);
  });

  it('reads and writes the session through the store', async () => {
    const store = new MemoryTokenStore({ accessToken: 'saved', refreshToken: 'r' });
    const auth = new AirlockAuthClient({ baseUrl: REALM, store });
    expect(await auth.loadTokens()).toEqual({ accessToken: 'saved', refreshToken: 'r' });
    await auth.restoreTokens({ accessToken: 'other' });
    expect(store.load()).toEqual({ accessToken: 'other' });
    // A store holding garbage loads as signed out.
    const broken = new AirlockAuthClient({
      baseUrl: REALM,
      store: { load: () => ({ nope: true }) as never, save() {}, clear() {} },
    });
    expect(await broken.loadTokens()).toBeUndefined();
  });

  it('names its URL baseUrl; the upstream SDKs’ keycloakRealmUrl is refused with a message saying so', () => {
    let error: unknown;
    try {
      new AirlockAuthClient({ keycloakRealmUrl: REALM } as never);
    } catch (e) {
      error = e;
    }
    expect(AirlockAuthError.isInstance(error) && error.code).toBe('invalid_argument');
    expect((error as Error).message).toMatch(/keycloakRealmUrl is called baseUrl here/);
    expect(new AirlockAuthClient({ baseUrl: REALM }).realmUrl).toBe(REALM);
  });

  it('refuses bad arguments before any request', async () => {
    for (const realm of ['', 'not a url', 'ftp://idp.example.com/realms/a']) {
      let error: unknown;
      try {
        new AirlockAuthClient({ baseUrl: realm });
      } catch (e) {
        error = e;
      }
      expect(AirlockAuthError.isInstance(error) && error.code).toBe('invalid_argument');
    }
    const auth = new AirlockAuthClient({ baseUrl: REALM });
    for (const redirect of ['/callback', '', 'https://app.example.com/cb#frag']) {
      expect((await failure(auth.getAuthorizationUrl(redirect))).code).toBe('invalid_argument');
    }
    expect((await failure(auth.exchangeCode('', 'https://a/cb', 'v'.repeat(43)))).code).toBe(
      'invalid_argument',
    );
    expect((await failure(auth.exchangeCode('c', 'https://a/cb', ''))).code).toBe('invalid_argument');
    expect((await failure(auth.login(undefined as never))).code).toBe('invalid_argument');
  });
});
