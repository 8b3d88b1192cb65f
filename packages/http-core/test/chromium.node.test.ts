// The main entry in real headless Chromium: a streamed upload over HTTP/1.1 (what the test page's origin
// speaks) fails with a NetworkError that says why, where Chromium's own TypeError looks like an outage.
import { type BrowserPage, openBrowserPage } from '@x/tooling/browser';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type * as Page from './chromium/upload.page.ts';

let page: BrowserPage;
beforeAll(async () => {
  page = await openBrowserPage(new URL('./chromium/upload.page.ts', import.meta.url));
}, 60_000);
afterAll(async () => {
  await page?.close();
});

it('a Blob upload reaches the server; a streamed one over HTTP/1.1 is a NetworkError naming HTTP/2', async () => {
  const result = await page.call<Awaited<ReturnType<typeof Page.uploads>>>('uploads');
  expect(result.blob).toMatchObject({ name: 'NotFoundError', code: 'not_found' });
  expect(result.stream).toMatchObject({ name: 'NetworkError', code: 'network_error' });
  expect((result.stream as { message: string }).message).toMatch(
    /Failed to fetch \(a browser streams uploads over HTTP\/2 only\)\.$/,
  );
  expect(page.served.filter((path) => path === '/upload')).toEqual(['/upload']);
});
