// The browser entry in real headless Chromium: a page on one loopback origin runs the enforcer's side of every
// flow through `@x/airlock` against the fake gateway and identity provider on others (CORS), while this Node
// test plays the approver and the user: echo, pairing, encrypt and submit, signed decisions through
// waitForDecision and waitUntilDecided, a forged signature refused, and the manual code + PKCE login.
import { type BrowserPage, openBrowserPage } from '@x/tooling/browser';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { generateEd25519KeyPair } from '../src/index.ts';
import {
  type FakeGateway,
  type FakeOidcProvider,
  OidcFakeClock,
  startFakeGateway,
  startFakeOidcProvider,
} from '../src/testing/index.ts';
import type * as Page from './chromium/airlock.page.ts';

type Result<K extends keyof typeof Page> = Awaited<ReturnType<(typeof Page)[K]>>;

const PAT = 'airpat_chromium';
const CLIENT_ID = 'web-enforcer';

let page: BrowserPage;
let gateway: FakeGateway;
let idp: FakeOidcProvider;

beforeAll(async () => {
  page = await openBrowserPage(new URL('./chromium/airlock.page.ts', import.meta.url));
  idp = await startFakeOidcProvider({ clock: new OidcFakeClock(Date.now()) });
  gateway = await startFakeGateway({
    pats: [PAT],
    // A public (Web) app: no secret, so the fake checks the browser's Origin against the page's.
    apps: [{ clientId: CLIENT_ID, appName: 'Chromium test', allowedOrigins: [page.origin] }],
    verifyBearer: async (token) => (await idp.verifyAccessToken(token)) !== undefined,
    idpBaseUrl: idp.realmUrl,
  });
  await page.call('setup', {
    gatewayUrl: gateway.url,
    signerPublicKey: gateway.signerPublicKey,
    pat: PAT,
    clientId: CLIENT_ID,
    realmUrl: idp.realmUrl,
  } satisfies Page.PageConfig);
}, 60_000);

afterAll(async () => {
  await page?.close();
  await gateway?.close();
  await idp?.close();
});

/** Every request the gateway saw came from the page: a browser fetch carries the page's Origin. */
const fromPage = (requests: { headers: Record<string, string> }[]) =>
  requests.every((request) => request.headers.origin === page.origin);

const payload = JSON.stringify({ command: 'git push --force', cwd: '/repo', nested: { b: 2, a: 1 } });

describe('gateway client in Chromium', () => {
  let requestId: string;

  it('echoes across origins (CORS), identified by the browser, not Node', async () => {
    const result = await page.call<Result<'echo'>>('echo');
    expect(result.ok && result.echo.timezone).toBe('UTC');
    const echo = gateway.recorder.last()!;
    expect(echo.headers.origin).toBe(page.origin);
    expect(echo.headers['user-agent']).toContain('HeadlessChrome/');
    expect(echo.headers['user-agent']).not.toContain('x-http-core');
  });

  it('pairs: the page initiates, the approver enters the code, both hold the same key', async () => {
    const begun = await page.call<Result<'beginPairing'>>('beginPairing');
    expect(begun.pairingCode).toMatch(/^[A-Z0-9]{6}$/);
    const fake = await gateway.completePairing(begun.pairingCode!);
    const done = await page.call<Result<'finishPairing'>>('finishPairing');
    expect(done).toEqual({
      routingToken: fake.routingToken,
      approverPublicKey: fake.approverKeyPair!.publicKey,
      encryptionKey: fake.encryptionKey,
    });
  });

  it('encrypts and submits: the approver decrypts exactly the canonical payload, hash matching', async () => {
    const submitted = await page.call<Result<'submit'>>('submit', payload, 'Force push');
    requestId = submitted.requestId;
    const exchange = gateway.exchanges.get(requestId)!;
    expect(exchange.plaintext).toBe('{"command":"git push --force","cwd":"/repo","nested":{"a":1,"b":2}}');
    expect(exchange.hashMatches).toBe(true);
    expect(exchange.artifactHash).toBe(submitted.artifactHash);
    expect(exchange.metadata.requestLabel).toBe('Force push');
  });

  it('waitForDecision: a 204 first, then the signed decision, verified in the page', async () => {
    expect(await page.call<Result<'waitForDecision'>>('waitForDecision', requestId, 1)).toEqual({
      ok: true,
      decision: null,
    });
    const waiting = page.call<Result<'waitForDecision'>>('waitForDecision', requestId, 20);
    await vi.waitFor(() => expect(gateway.pendingWaits()).toBe(1), { timeout: 10_000, interval: 10 });
    await gateway.decide(requestId, { decision: 'approve', reason: 'Looks safe' });
    expect(await waiting).toEqual({
      ok: true,
      decision: {
        requestId,
        decision: 'approve',
        approved: true,
        reason: 'Looks safe',
        signed: true,
        signerKeyId: gateway.signerKeyId,
      },
    });
  });

  it('waitUntilDecided: holds the long-poll until the approver rejects, then acknowledges', async () => {
    const { requestId: second } = await page.call<Result<'submit'>>(
      'submit',
      '{"command":"rm -rf /"}',
      'Wipe',
    );
    const waiting = page.call<Result<'waitUntilDecided'>>('waitUntilDecided', second);
    await vi.waitFor(() => expect(gateway.pendingWaits()).toBe(1), { timeout: 10_000, interval: 10 });
    await gateway.decide(second, { decision: 'reject', reason: 'No' });
    expect(await waiting).toMatchObject({
      requestId: second,
      decision: 'reject',
      approved: false,
      signed: true,
    });
    await vi.waitFor(() => expect(gateway.exchanges.get(second)!.acks).toHaveLength(1), { timeout: 5_000 });
  });

  it('refuses a decision with a forged signature (DecisionVerificationError in the page)', async () => {
    const { requestId: third } = await page.call<Result<'submit'>>('submit', '{"command":"ls"}', 'List');
    // Signed, but not by the approvers' key the page trusts.
    const impostor = await generateEd25519KeyPair();
    await gateway.decide(third, { decision: 'approve', signerPrivateKey: impostor.privateKey });
    const result = await page.call<Result<'waitForDecision'>>('waitForDecision', third, 5);
    expect(result).toMatchObject({
      ok: false,
      error: { isDecisionVerificationError: true, reason: 'bad_signature' },
    });
  });

  it('sent every gateway request from the page origin', () => {
    expect(gateway.recorder.requests.length).toBeGreaterThan(8);
    expect(fromPage(gateway.recorder.requests)).toBe(true);
  });
});

describe('auth client in Chromium: authorization code + PKCE, manual redirect', () => {
  it('gets the URL in the page, the user signs in, the callback page exchanges the code', async () => {
    const redirectUri = `${page.origin}/callback`;
    const authorizationUrl = await page.call<string>('beginLogin', redirectUri);
    const url = new URL(authorizationUrl);
    expect(`${url.origin}${url.pathname}`).toBe(`${idp.realmUrl}/protocol/openid-connect/auth`);
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(url.searchParams.get('redirect_uri')).toBe(redirectUri);

    // The user signs in at the provider, which redirects the browser back to the page's callback.
    const redirectUrl = await idp.authorize(authorizationUrl, { subject: 'browser-user' });
    expect(redirectUrl.startsWith(`${redirectUri}?`)).toBe(true);
    await page.page.goto(redirectUrl);
    const result = await page.call<Result<'finishLogin'>>('finishLogin');

    expect(result.callbackPath).toBe('/callback');
    expect(result.refused).toMatchObject({ code: 'state_mismatch' });
    expect(result.hasRefreshToken).toBe(true);
    expect(await idp.verifyAccessToken(result.accessToken)).toMatchObject({ sub: 'browser-user' });
    const token = idp.recorder.requests.find((r) => r.path.endsWith('/token'))!;
    expect(token.headers.origin).toBe(page.origin);
    expect(new URLSearchParams(token.body).get('code_verifier')).toMatch(/^[A-Za-z0-9._~-]{43,128}$/);

    // The gateway accepted the page's bearer token.
    expect(result.consent).toBe('approved');
    const heartbeat = gateway.recorder.last()!;
    expect(heartbeat.path).toBe('/v1/presence/heartbeat');
    expect(heartbeat.headers.authorization).toBe(`Bearer ${result.accessToken}`);
    expect(heartbeat.headers.origin).toBe(page.origin);
    expect(gateway.heartbeats.at(-1)?.enforcerId).toBe('enf-chromium');
  });
});

describe('without CORS', () => {
  it('the browser refuses the preflight, and the client reports a network error', async () => {
    const closed = await startFakeGateway({ pats: [PAT], cors: false });
    try {
      await page.call('setup', {
        gatewayUrl: closed.url,
        signerPublicKey: closed.signerPublicKey,
        pat: PAT,
        clientId: CLIENT_ID,
        realmUrl: idp.realmUrl,
      } satisfies Page.PageConfig);
      const result = await page.call<Result<'echo'>>('echo');
      expect(result).toMatchObject({ ok: false, error: { name: 'NetworkError' } });
      // X-PAT makes it a preflighted request: only the preflights (one per retry) reached the fake, unanswered
      // with CORS headers, so the browser never sent the GET.
      expect(closed.recorder.requests.length).toBeGreaterThan(0);
      expect(closed.recorder.requests.every((r) => r.method === 'OPTIONS' && r.path === '/echo')).toBe(true);
    } finally {
      await closed.close();
    }
  });

  it('and the page logged no errors other than that refusal', () => {
    const others = page.errors.filter((message) => !/CORS|Failed to fetch|ERR_FAILED/i.test(message));
    expect(others).toEqual([]);
  });
});
