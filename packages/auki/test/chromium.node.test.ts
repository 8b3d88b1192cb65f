// AukiClient in real headless Chromium: a page on one loopback origin signs in and gets domain access from the
// fake auth API and discovery service on others (CORS), with single-flight, typed errors and sealed state.
import { type BrowserPage, openBrowserPage } from '@x/tooling/browser';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { AukiFakeClock, type FakeAuki, startFakeAuki } from '../src/testing/index.ts';
import type * as Page from './chromium/auki.page.ts';
import { CHAIN } from './kit.ts';

let page: BrowserPage;
let fake: FakeAuki;

beforeAll(async () => {
  page = await openBrowserPage(new URL('./chromium/auki.page.ts', import.meta.url));
  fake = await startFakeAuki({
    clock: new AukiFakeClock(Date.now()),
    users: [{ email: 'web@example.test', password: 'pw-web' }],
    domains: ['domain-1', 'domain-2', { id: 'paid', paymentRequired: true }],
    cors: [page.origin],
  });
  await page.call('setup', {
    ...fake.config('browser-app'),
    nowMs: fake.clock.now(),
    email: 'web@example.test',
    password: 'pw-web',
  } satisfies Page.PageConfig);
}, 60_000);

afterAll(async () => {
  await page?.close();
  await fake?.close();
});

it('the chain across origins: one request per tier for 20 concurrent calls, identified by X-Client-Info', async () => {
  const result = await page.call<Awaited<ReturnType<typeof Page.chain>>>('chain');
  expect(result).toEqual(CHAIN.result);
  expect(fake.recorder.requests.map((r) => r.path)).toEqual(CHAIN.paths);
  for (const request of fake.recorder.requests) {
    expect(request.headers.origin).toBe(page.origin);
    expect(request.headers['x-client-info']).toMatch(/^x-auki\/0\.0\.0 x-http-core\//);
  }
  expect(page.errors).toEqual([]);
});

it('a 402 is an AukiDomainAccessDeniedError in the browser too', async () => {
  expect(await page.call('paid')).toEqual({
    typed: true,
    code: 'auki_domain_access_denied',
    status: 402,
    isPaymentRequired: true,
  });
});

it('saveState seals the refresh token with WebCrypto; fromState restores the cache', async () => {
  expect(await page.call('saveAndRestore')).toEqual({ sealed: true, domain: 'domain-1' });
});
