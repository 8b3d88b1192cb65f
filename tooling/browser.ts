/**
 * Real headless Chromium for tests (Node only): bundles a browser test module with esbuild, serves it from a
 * loopback origin and calls its exports inside the page. Workspace packages resolve to their `src/` through
 * the `@x/source` condition, so no build runs first; dynamic `import()`s become real chunks the browser
 * fetches on demand.
 *
 * Chromium comes from the system (`CHROMIUM_PATH`, default `/usr/bin/chromium`; Debian:
 * `apt-get install chromium`). A missing browser is an error, never a skip.
 *
 * @example
 * ```ts
 * const page = await openBrowserPage(new URL('./vectors.page.ts', import.meta.url));
 * try {
 *   expect(await page.call('runVectors')).toEqual({ failures: [] });
 * } finally {
 *   await page.close();
 * }
 * ```
 *
 * @module
 */
import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Metafile } from 'esbuild';
import { type Browser, chromium, type Page } from 'playwright-core';
import { sourceCondition } from './vitest.config.ts';

/** The Chromium binary the tests drive: `CHROMIUM_PATH`, or Debian's `/usr/bin/chromium`. */
export function chromiumPath(): string {
  const path = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
  if (!existsSync(path)) {
    throw new Error(
      `Chromium not found at ${path}. The browser tests need a real Chromium: install it ` +
        '(Debian/Ubuntu, as root: apt-get update && apt-get install -y --no-install-recommends chromium) ' +
        'or point CHROMIUM_PATH at a Chromium or Chrome binary.',
    );
  }
  return path;
}

/** A page running a bundled test module (see {@link openBrowserPage}). */
export interface BrowserPage {
  /** The page's origin, e.g. `http://127.0.0.1:40123` (loopback, hence a secure context with WebCrypto). */
  origin: string;
  /** The browser's version, e.g. `156.0.8078.79`. */
  version: string;
  /** The Playwright page, for anything {@link call} does not cover. */
  page: Page;
  /** The bundle esbuild made (its output paths are relative to the working directory). */
  metafile: Metafile;
  /**
   * The URL paths (e.g. `/chunk-AB12CD.js`) of the output files holding code of an input whose path contains
   * `fragment` (e.g. `@noble/curves`): compare with {@link served} to see whether a lazy chunk was loaded.
   */
  chunksContaining(fragment: string): string[];
  /** Paths the browser fetched from the test origin so far, in order (e.g. `/entry.js`, `/chunk-AB12CD.js`). */
  served: string[];
  /** Uncaught page errors and `console.error` messages, in order. */
  errors: string[];
  /**
   * Calls the module's export `name` in the page with `args` and resolves with what it returns (awaited).
   * Arguments and results cross the boundary as JSON-like values; a throw in the page rejects here.
   */
  call<T = unknown>(name: string, ...args: unknown[]): Promise<T>;
  /** Closes the browser and the server. */
  close(): Promise<void>;
}

/** Flags for a headless Chromium in containers and CI: no sandbox (root), no GPU, no background traffic. */
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

const PAGE = `<!doctype html><meta charset="utf-8"><title>browser test</title>
<script type="module">globalThis.__testModule = import('/entry.js');</script>`;

/**
 * Bundles `entry` for the browser (ESM, code splitting, `@x/source` → workspace `src/`), serves it on
 * `127.0.0.1` (an OS-chosen port), launches headless Chromium and opens the page. Rejects when Chromium is
 * missing or the module fails to load in the page. `/` and `/callback` (any query) serve the same page, so a
 * test can navigate to an OAuth redirect URL and call the module again there.
 */
export async function openBrowserPage(entry: string | URL): Promise<BrowserPage> {
  const executablePath = chromiumPath();
  const entryPath = entry instanceof URL ? fileURLToPath(entry) : entry;
  const bundle = await build({
    entryPoints: { entry: entryPath },
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    conditions: [sourceCondition, 'browser', 'import', 'module'],
    sourcemap: 'inline',
    outdir: '/',
    chunkNames: 'chunk-[hash]',
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  const files = new Map(bundle.outputFiles.map((file) => [file.path, file.contents]));

  const served: string[] = [];
  const server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    served.push(path);
    const js = files.get(path);
    if (path === '/favicon.ico') {
      response.writeHead(204).end();
    } else if (path === '/' || path === '/callback') {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(PAGE);
    } else if (js) {
      response.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' }).end(js);
    } else {
      response.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const closeServer = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });

  let browser: Browser | undefined;
  try {
    browser = await chromium.launch({ executablePath, headless: true, args: CHROMIUM_ARGS });
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    await page.goto(`${origin}/`);
    await page.evaluate(() => (globalThis as { __testModule?: Promise<unknown> }).__testModule);
    const opened = browser;
    return {
      origin,
      version: opened.version(),
      page,
      metafile: bundle.metafile,
      served,
      errors,
      chunksContaining: (fragment) =>
        Object.entries(bundle.metafile.outputs)
          .filter(([, output]) => Object.keys(output.inputs).some((input) => input.includes(fragment)))
          .map(([path]) => `/${basename(path)}`),
      call: <T>(name: string, ...args: unknown[]) =>
        page.evaluate(
          async ([name, args]) => {
            const module = (await (globalThis as { __testModule?: Promise<Record<string, unknown>> })
              .__testModule)!;
            const fn = module[name];
            if (typeof fn !== 'function') throw new Error(`The test module exports no function ${name}`);
            return fn(...args);
          },
          [name, args] as const,
        ) as Promise<T>,
      close: async () => {
        await opened.close();
        await closeServer();
      },
    };
  } catch (error) {
    await browser?.close();
    await closeServer();
    throw error;
  }
}

/** A headless Chromium tab for pages served elsewhere (an app under test), see {@link openChromium}. */
export interface ChromiumTab {
  /** The Playwright page. */
  page: Page;
  /** Uncaught page errors and `console.error` messages, in order. */
  errors: string[];
  /** Closes the browser. */
  close(): Promise<void>;
}

/**
 * Launches the system's headless Chromium (same flags as {@link openBrowserPage}) with one tab that records
 * page errors; the test navigates it wherever its app is served. `viewport` defaults to 1280×900.
 */
export async function openChromium(
  options: { viewport?: { width: number; height: number } } = {},
): Promise<ChromiumTab> {
  const browser = await chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: CHROMIUM_ARGS,
  });
  try {
    const page = await browser.newPage({ viewport: options.viewport ?? { width: 1280, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    return { page, errors, close: () => browser.close() };
  } catch (error) {
    await browser.close();
    throw error;
  }
}
