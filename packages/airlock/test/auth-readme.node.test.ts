// The README's "Auth client" quick starts, run against the fake identity provider. Each test is the
// snippet with only these changes: the realm URL is the fake's, the clock is shared with the fake (so
// device polling does not wait), the home directory is a temporary one, and the user's browser is played
// by the fake's helpers.
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AirlockAuthClient, AirlockAuthError } from '../src/auth/index.ts';
import { AirlockGatewayClient } from '../src/index.ts';
import { FileTokenStore, loginWithAuthCode } from '../src/node/index.ts';
import { type FakeOidcProvider, startFakeOidcProvider } from '../src/testing/index.ts';

let idp: FakeOidcProvider;
afterEach(async () => {
  await idp?.close();
});

describe('README: Auth client', () => {
  it('device login quick start', async () => {
    idp = await startFakeOidcProvider();
    const home = await mkdtemp(join(tmpdir(), 'airlock-readme-'));
    const printed: string[] = [];
    try {
      const run = async () => {
        const auth = new AirlockAuthClient({
          baseUrl: idp.realmUrl,
          store: new FileTokenStore(join(home, '.airlock', 'tokens.json')),
          now: () => idp.clock.now(),
          sleep: async (ms) => idp.clock.advance(ms),
        });

        if (!(await auth.loadTokens())) {
          await auth.login((info) => {
            printed.push(
              `Open ${info.verificationUriComplete ?? info.verificationUri} and enter ${info.userCode}`,
            );
            idp.approveDevice(info.userCode); // the user, on their phone
          });
        }

        const gateway = new AirlockGatewayClient({
          clientId: 'your-client-id',
          clientSecret: 'your-client-secret',
          tokenProvider: auth,
        });
        return { auth, gateway };
      };

      const { auth, gateway } = await run();
      expect(gateway).toBeInstanceOf(AirlockGatewayClient);
      expect(printed).toHaveLength(1);
      expect(printed[0]).toMatch(
        /^Open http:\/\/127\.0\.0\.1:\d+\/realms\/airlock\/device\?user_code=\S+ and enter \S+$/,
      );
      expect(await idp.verifyAccessToken(await auth.getAccessToken())).toBeTruthy();
      expect((await stat(join(home, '.airlock', 'tokens.json'))).mode & 0o777).toBe(0o600);

      // The second run finds the session in the file: no new login.
      const second = await run();
      expect(printed).toHaveLength(1);
      expect(await second.auth.getAccessToken()).toBe(await auth.getAccessToken());
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  });

  it('loopback quick start', async () => {
    idp = await startFakeOidcProvider();
    let browser: Promise<unknown> | undefined;

    const auth = new AirlockAuthClient({ baseUrl: idp.realmUrl });
    await loginWithAuthCode(auth, (url) => {
      browser = idp.completeAuthorization(url); // the user signs in in the browser
    });
    const token = await auth.getAccessToken();

    expect(await browser).toMatchObject({ status: 200 });
    expect(await idp.verifyAccessToken(token)).toMatchObject({ sub: 'user-1' });
  });

  it('browser (manual mode) quick start', async () => {
    idp = await startFakeOidcProvider();
    const sessionStorage = new Map<string, string>();
    const location = { href: '', assign: (url: string) => void url };
    let leftFor = '';
    location.assign = (url) => {
      leftFor = url;
    };

    const auth = new AirlockAuthClient({ baseUrl: idp.realmUrl });

    const request = await auth.getAuthorizationUrl('https://app.example.com/callback');
    sessionStorage.set('airlock-login', JSON.stringify(request));
    location.assign(request.authorizationUrl);

    // The provider sends the browser back to the callback page.
    location.href = await idp.authorize(leftFor);

    const saved = JSON.parse(sessionStorage.get('airlock-login')!);
    sessionStorage.delete('airlock-login');
    await auth.completeAuthorization(location.href, saved);

    expect(await idp.verifyAccessToken(await auth.getAccessToken())).toBeTruthy();
  });

  it('errors snippet', async () => {
    idp = await startFakeOidcProvider();
    const auth = new AirlockAuthClient({
      baseUrl: idp.realmUrl,
      now: () => idp.clock.now(),
      sleep: async (ms) => idp.clock.advance(ms),
    });
    const show = (info: { userCode: string }) => idp.denyDevice(info.userCode);
    const logged: string[] = [];
    const console = { log: (line: string) => logged.push(line) };

    try {
      await auth.login(show);
    } catch (err) {
      if (AirlockAuthError.isInstance(err) && err.code === 'access_denied') console.log('Sign-in refused.');
      else throw err;
    }

    expect(logged).toEqual(['Sign-in refused.']);
  });

  it('testing quick start', async () => {
    const idp = await startFakeOidcProvider();
    const auth = new AirlockAuthClient({
      baseUrl: idp.realmUrl,
      now: () => idp.clock.now(),
      sleep: async (ms) => idp.clock.advance(ms),
    });
    await auth.login((info) => idp.approveDevice(info.userCode)); // the user approves at once
    const claims = await idp.verifyAccessToken(await auth.getAccessToken()); // { sub: 'user-1', ... }
    await idp.close();

    expect(claims).toMatchObject({ sub: 'user-1' });
  });
});
