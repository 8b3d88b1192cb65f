// Artifact Studio end to end in headless Chromium: the host page embeds the notes app from another origin,
// the app gets its token by postMessage, reads a quote through the SSRF-checked proxy, stores notes in DuckDB,
// exports them to a file and records state; a screenshot must show real content.

import { issueAppToken, scopeFromRole } from '@x/artifact-gateway';
import { createClient } from '@x/artifact-gateway/client';
import { chromiumPath } from '@x/tooling/browser';
import { type Browser, chromium, type Frame, type Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Studio, startStudio } from '../src/server.ts';

let studio: Studio;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  studio = await startStudio();
  browser = await chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
  page = await browser.newPage({ viewport: { width: 900, height: 640 } });
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await studio?.close();
});

async function appFrame(): Promise<Frame> {
  // The iframe element appears before its frame has navigated to the app's origin: wait for the frame.
  const find = () => page.frames().find((f) => f.url().startsWith(studio.artifactOrigin));
  await expect.poll(() => find() !== undefined, { timeout: 30_000 }).toBe(true);
  return find()!;
}

it('the embedded notes app works through the gateway and renders visible content', async () => {
  await page.goto(studio.hostUrl);
  const frame = await appFrame();
  await frame.waitForSelector('text=Connected to the gateway', { timeout: 30_000 });
  expect(await frame.textContent('#quote')).toContain('Simple things should be simple');
  await frame.fill('#text', 'Buy oat milk');
  await frame.click('button');
  await frame.waitForSelector('#notes li', { timeout: 30_000 });
  await frame.fill('#text', 'Call the plumber');
  await frame.click('button');
  await frame.waitForFunction(() => document.querySelectorAll('#notes li').length === 2, undefined, {
    timeout: 30_000,
  });
  expect(await frame.$$eval('#notes li', (items) => items.map((li) => li.textContent))).toEqual([
    'Buy oat milk',
    'Call the plumber',
  ]);
  await frame.waitForSelector('text=Exported', { timeout: 30_000 });

  // What the app stored is really in the user's storage: read it back as that user through the gateway.
  const token = await issueAppToken({
    secretKey: studio.secretKey,
    userId: 'demo-user',
    accountId: 'demo-account',
    context: 'lab_session:studio',
    scope: scopeFromRole('viewer'),
  });
  const client = createClient({ token, proxyBase: studio.proxyBase });
  expect((await client.files.read('exports/notes.md')).content).toBe(
    '# Notes\n- Buy oat milk\n- Call the plumber\n',
  );
  expect((await client.state.get('settings', 'notes-app')).data?.data).toEqual({ count: 2 });

  // The screenshot shows content: many distinct colours (header, text, the red button), not a blank page.
  const png = await page.screenshot();
  const colours = await page.evaluate(async (b64) => {
    const img = new Image();
    img.src = `data:image/png;base64,${b64}`;
    await img.decode();
    const canvas = new OffscreenCanvas(img.width, img.height);
    const ctx = canvas.getContext('2d')!;
    ctx.drawImage(img, 0, 0);
    const data = ctx.getImageData(0, 0, img.width, img.height).data;
    const seen = new Set<number>();
    for (let i = 0; i < data.length; i += 4 * 7)
      seen.add((data[i]! << 16) | (data[i + 1]! << 8) | data[i + 2]!);
    const red = [...seen].some((c) => c >> 16 > 200 && ((c >> 8) & 255) < 90 && (c & 255) < 100);
    return { distinct: seen.size, red };
  }, png.toString('base64'));
  expect(colours.distinct).toBeGreaterThan(20);
  expect(colours.red).toBe(true);
});
