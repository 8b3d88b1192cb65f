// The browser entry in real headless Chromium: every case of the shared Airlock vector file through the public
// API, with the automatic backend (WebCrypto in Chromium) and with noble forced, whose code arrives as lazy
// chunks the browser fetches on first use; plus tampered ciphertexts rejecting with DecryptionError.
import { type BrowserPage, openBrowserPage } from '@x/tooling/browser';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { environment, VectorRun } from './chromium/vectors.page.ts';
import vectors from './vectors/airlock.json';

let page: BrowserPage;
beforeAll(async () => {
  page = await openBrowserPage(new URL('./chromium/vectors.page.ts', import.meta.url));
}, 60_000);
afterAll(async () => {
  await page?.close();
});

/** Cases per group in the vector file: a run must report exactly these, so an empty run cannot pass. */
const expectedCases = Object.fromEntries(Object.entries(vectors.groups).map(([k, v]) => [k, v.length]));
const expectedTotal = Object.values(expectedCases).reduce((a, b) => a + b, 0);

it('runs in a secure browser context without Node globals, WebCrypto chosen for every algorithm it has', async () => {
  const env = await page.call<Awaited<ReturnType<typeof environment>>>('environment');
  expect(env.userAgent).toContain('HeadlessChrome/');
  expect(env.isSecureContext).toBe(true);
  expect(env.hasProcess).toBe(false);
  expect(env.resolved).toMatchObject({ sha256: 'webcrypto', hkdf: 'webcrypto', aesGcm: 'webcrypto' });
  // The browser bundle holds the node:crypto backend without its code (the `browser` condition): there, as in
  // any runtime without node:crypto, it is unavailable and a forced call is refused.
  expect(env.nodeCrypto).toEqual({ name: 'node-crypto', supportsSha256: false, forced: 'unsupported' });
  // Chromium has had X25519 and Ed25519 in WebCrypto since 137 and 133; auto uses them wherever WebCrypto has
  // them and noble otherwise.
  for (const curve of ['x25519', 'ed25519'] as const) {
    expect(env.resolved[curve]).toBe(env.webcrypto[curve] ? 'webcrypto' : 'noble');
  }
  if (Number(page.version.split('.')[0]) >= 137) {
    expect(env.resolved).toMatchObject({ x25519: 'webcrypto', ed25519: 'webcrypto' });
  }
});

it('every vector case, byte for byte, with the automatic backend, loading no noble code', async () => {
  const run = await page.call<VectorRun>('runVectors', 'auto');
  expect(run.failures).toEqual([]);
  expect(run.cases).toEqual(expectedCases);
  expect(run.total).toBe(expectedTotal);
  expect(expectedTotal).toBeGreaterThanOrEqual(61);
  // Everything ran on WebCrypto: the chunks holding @noble code were never fetched.
  const nobleChunks = page.chunksContaining('@noble/');
  expect(nobleChunks.length).toBeGreaterThan(0);
  expect(page.served.filter((path) => nobleChunks.includes(path))).toEqual([]);
});

it('every vector case, byte for byte, with { backend: nobleBackend }, from its lazy chunks', async () => {
  const run = await page.call<VectorRun>('runVectors', 'noble');
  expect(run.failures).toEqual([]);
  expect(run.cases).toEqual(expectedCases);
  expect(run.total).toBe(expectedTotal);
  // The dynamic import()s of the noble backend became real chunk requests in the browser.
  for (const library of ['@noble/curves', '@noble/hashes', '@noble/ciphers']) {
    const chunks = page.chunksContaining(library);
    expect(chunks.length, library).toBeGreaterThan(0);
    expect(
      chunks.some((path) => page.served.includes(path)),
      library,
    ).toBe(true);
  }
});

it.each(['auto', 'noble'])(
  'a tampered ciphertext, tag, nonce or key rejects with DecryptionError (%s)',
  async (backend) => {
    const run = await page.call<VectorRun>('tamper', backend);
    expect(run.failures).toEqual([]);
    expect(run.total).toBe(4);
  },
);

it('the page logged no errors', () => {
  expect(page.errors).toEqual([]);
});
