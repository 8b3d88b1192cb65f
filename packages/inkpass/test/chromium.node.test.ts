// The SDK in real headless Chromium against the fake inkPass on another loopback origin: CORS preflights are
// answered before authentication (and never recorded), answers (a 401 included) are readable by the page, Den
// works with its service-key header, configured origins are honoured and a fake without CORS is unusable.
import { type BrowserPage, openBrowserPage } from '@x/tooling/browser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeInkPass, startFakeInkPass } from '../src/testing/index.ts';
import type * as Page from './chromium/inkpass.page.ts';

type Result<K extends keyof typeof Page> = Awaited<ReturnType<(typeof Page)[K]>>;

const PASSWORD = 'SecurePassword123!';
let page: BrowserPage;
let fake: FakeInkPass;

beforeAll(async () => {
  page = await openBrowserPage(new URL('./chromium/inkpass.page.ts', import.meta.url));
  fake = await startFakeInkPass();
}, 60_000);

afterAll(async () => {
  await page?.close();
  await fake?.close();
});

describe('inkPass client in Chromium', () => {
  it('registers, verifies, logs in and checks across origins; preflights are answered, not recorded', async () => {
    expect(await page.call('setup', fake.url, fake.serviceApiKey)).toContain('HeadlessChrome/');
    const email = 'web@example.com';
    const registered = await page.call<Result<'register'>>('register', email, PASSWORD);
    expect(registered).toMatchObject({ ok: true, registration: { email, status: 'pending' } });
    const signedIn = await page.call<Result<'signIn'>>(
      'signIn',
      email,
      PASSWORD,
      fake.verificationCode(email)!,
    );
    expect(signedIn).toEqual({
      email,
      // The fake's 401 for a bad token reached the page (CORS headers on errors too): null, not a network error.
      invalidIsNull: true,
      allowed: true,
      uri: expect.stringMatching(/^otpauth:\/\/totp\/inkPass:/),
      serverQrIsPng: true,
      svgIsSvg: true,
    });
    const requests = fake.recorder.requests;
    expect(requests.every((r) => r.headers.origin === page.origin)).toBe(true);
    expect(requests.some((r) => r.method === 'OPTIONS')).toBe(false);
    expect(requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'POST /api/v1/auth/register',
      'POST /api/v1/auth/verify-email',
      'POST /api/v1/auth/login',
      'GET /api/v1/auth/me',
      'GET /api/v1/auth/me',
      'POST /api/v1/auth/check',
      'POST /api/v1/auth/2fa/setup',
    ]);
    // The QR encoder is a chunk of its own, fetched only when the page drew a code.
    expect(page.chunksContaining('uqr').length).toBeGreaterThan(0);
    expect(page.served).toEqual(expect.arrayContaining(page.chunksContaining('uqr')));
  });

  it('uploads to and downloads from Den with the service key header', async () => {
    const org = fake.seed.organization({ name: 'Browser Den' });
    expect(await page.call<Result<'den'>>('den', org.id)).toEqual({
      name: 'Résumé.txt',
      filename: 'Résumé.txt',
      text: 'from the browser',
    });
  });
});

describe('configured origins', () => {
  it('a fake that lists the page origin serves it; one that lists another origin, or has CORS off, does not', async () => {
    const listed = await startFakeInkPass({ cors: [page.origin] });
    const elsewhere = await startFakeInkPass({ cors: ['http://127.0.0.1:1'] });
    const off = await startFakeInkPass({ cors: false });
    try {
      await page.call('setup', listed.url, listed.serviceApiKey);
      expect(await page.call<Result<'register'>>('register', 'listed@example.com', PASSWORD)).toMatchObject({
        ok: true,
      });
      for (const closed of [elsewhere, off]) {
        await page.call('setup', closed.url, closed.serviceApiKey);
        const refused = await page.call<Result<'register'>>('register', 'refused@example.com', PASSWORD);
        expect(refused).toMatchObject({ ok: false, error: { name: 'ServiceUnavailableError' } });
        // Only the unanswered preflights reached the fake: the browser never sent the POST.
        expect(closed.recorder.requests.length).toBeGreaterThan(0);
        expect(closed.recorder.requests.every((r) => r.method === 'OPTIONS')).toBe(true);
        expect(closed.users.size).toBe(0);
      }
      // And the page logged no errors other than those refusals.
      const others = page.errors.filter(
        (message) => !/CORS|Failed to fetch|ERR_FAILED|status of 401/i.test(message),
      );
      expect(others).toEqual([]);
    } finally {
      await Promise.all([listed.close(), elsewhere.close(), off.close()]);
    }
  });
});
