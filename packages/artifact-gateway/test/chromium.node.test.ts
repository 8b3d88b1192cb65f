// The browser half in real headless Chromium: a host page on one loopback origin embeds a generated app from
// another origin; the app receives its token through the postMessage handshake (origin allowlist), then uses
// DuckDB, files, state, an external API and a stream through the gateway mounted inside a Hono app.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestServer, type TestServer } from '@x/http-core/testing';
import { type BrowserPage, openBrowserPage } from '@x/tooling/browser';
import { build } from 'esbuild';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blockedAddressReason, issueAppToken, scopeFromRole } from '../src/index.ts';
import { type ArtifactGateway, createArtifactGateway, ExternalProxy } from '../src/node/index.ts';
import { type HttpsUpstream, startHttpsUpstream, testCa } from './https-upstream.ts';

const secretKey = 'chromium-secret';

/**
 * An artifact written for the upstream `artifact-sdk`, as its README's calls go: the SDK's default export,
 * `autoInstall()` with no options, `window.artifactGateway`, `_onReady`, `client.fetch(type, payload)` and the
 * `db`, `files` and `state` helpers. The one line that is ours is the import map naming our client
 * `artifact-sdk`; the rest would run against the upstream SDK as it is.
 */
const UPSTREAM_ARTIFACT_HTML = `<!doctype html><meta charset="utf-8">
<script type="importmap">{"imports":{"artifact-sdk":"/sdk.js"}}</script>
<body>Loading…
<script type="module">
import sdk from 'artifact-sdk';
const host = new URL(location.href).searchParams.get('host');
sdk.autoInstall();
window.artifactGateway._onReady = async function () {
  const gw = window.artifactGateway;
  try {
    await gw.db.userExec('legacy', 'CREATE TABLE IF NOT EXISTS t (v TEXT)');
    await gw.db.userExec('legacy', 'INSERT INTO t VALUES (?)', ['from the upstream SDK']);
    const query = await gw.db.userQuery('legacy', 'SELECT v FROM t');
    const viaFetch = await gw.fetch('db/user/legacy/query', { sql: 'SELECT count(*) AS n FROM t', params: [] });
    const written = await gw.files.write('legacy.txt', 'hi');
    const listed = await gw.files.list();
    const set = await gw.state.set('legacy', 'doc', { done: false });
    const history = await gw.state.history('legacy', 'doc', 10);
    parent.postMessage({ type: 'artifact-result', result: {
      query, viaFetch, written, listed: listed.entries.map((e) => e.name), set, events: history.count,
      same: window.ohwise === gw, token: typeof gw.token,
    } }, host);
  } catch (error) {
    parent.postMessage({ type: 'artifact-result', result: { error: String(error) } }, host);
  }
};
</script>`;
let page: BrowserPage;
let artifactServer: TestServer;
let gateway: ArtifactGateway;
let upstream: HttpsUpstream;
let workspace: string;

/** A module of this package bundled for the browser, as an artifact page loads it. */
async function browserBundle(path: string): Promise<string> {
  const result = await build({
    entryPoints: [new URL(path, import.meta.url).pathname],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    conditions: ['@x/source', 'browser', 'import', 'module'],
    write: false,
    logLevel: 'silent',
  });
  return result.outputFiles[0]!.text;
}

beforeAll(async () => {
  workspace = await mkdtemp(join(tmpdir(), 'ag-chromium-'));
  upstream = await startHttpsUpstream();
  gateway = createArtifactGateway({
    secretKey,
    workspace,
    external: new ExternalProxy({
      resolver: async () => [{ address: '127.0.0.1', family: 4 }],
      addressPolicy: (a) => (a === '127.0.0.1' ? undefined : blockedAddressReason(a)),
      ca: testCa,
    }),
  });
  const js = await browserBundle('./chromium/artifact.page.ts');
  // The browser client alone, as a module an import map can name `artifact-sdk` (the upstream SDK's name).
  const sdkJs = await browserBundle('../src/client/index.ts');
  const app = new Hono()
    .get('/artifact.html', (c) =>
      c.html(
        '<!doctype html><meta charset="utf-8"><body>Loading…<script type="module" src="/artifact.js"></script>',
      ),
    )
    .get('/artifact.js', (c) => c.body(js, 200, { 'content-type': 'text/javascript' }))
    .get('/sdk.js', (c) => c.body(sdkJs, 200, { 'content-type': 'text/javascript' }))
    .get('/upstream.html', (c) => c.html(UPSTREAM_ARTIFACT_HTML));
  app.route('/api/app', gateway);
  artifactServer = await startTestServer(app);
  page = await openBrowserPage(new URL('./chromium/host.page.ts', import.meta.url));
}, 60_000);

afterAll(async () => {
  await page?.close();
  await artifactServer?.close();
  await gateway?.close();
  await upstream?.close();
  await rm(workspace, { recursive: true, force: true });
});

async function tokenFor(userId: string) {
  return issueAppToken({
    secretKey,
    userId,
    accountId: 'acc',
    context: 'lab_session:s1',
    scope: scopeFromRole('member'),
  });
}

// The artifact's origin differs from the host page's (localhost vs 127.0.0.1): a real cross-origin iframe.
const artifactOrigin = () => artifactServer.url.replace('127.0.0.1', 'localhost');

function artifactSrc(extra: Record<string, string> = {}) {
  const query = new URLSearchParams({
    host: page.origin,
    external: `https://api.test:${upstream.port}/v1/data`,
    ...extra,
  });
  return `${artifactOrigin()}/artifact.html?${query}`;
}

describe('an artifact written for the upstream SDK', () => {
  it('runs unchanged behind an import map: autoInstall, the ready handshake, _onReady and its calls', async () => {
    const query = new URLSearchParams({ host: page.origin });
    const result = await page.call<Record<string, any>>(
      'embed',
      `${artifactOrigin()}/upstream.html?${query}`,
      await tokenFor('user-upstream'),
      `${artifactOrigin()}/api/app/`,
      30_000,
    );
    expect(result.error).toBeUndefined();
    expect(result.query).toEqual({ columns: ['v'], rows: [['from the upstream SDK']], rowcount: 1 });
    expect(result.viaFetch).toEqual({ columns: ['n'], rows: [[1]], rowcount: 1 });
    expect(result.written).toMatchObject({ ok: true, path: 'legacy.txt', bytes: 2 });
    expect(result.listed).toContain('legacy.txt');
    expect(result.set).toEqual({ ok: true, version: 1 });
    expect(result.events).toBe(1);
    expect(result.same).toBe(true);
    expect(result.token).toBe('string');
  });
});

describe('client and host in Chromium', () => {
  it('hands the token over by postMessage and the app uses every kind of storage and the external API', async () => {
    const result = await page.call<Record<string, any>>(
      'embed',
      artifactSrc(),
      await tokenFor('user-1'),
      `${artifactOrigin()}/api/app/`,
      30_000,
    );
    expect(result.error).toBeUndefined();
    expect(result.query).toEqual({ columns: ['body'], rows: [['hello from Chromium']], rowcount: 1 });
    expect(result.written).toEqual({ ok: true, path: 'notes/today.md', bytes: 7 });
    expect(result.read).toEqual({ path: 'notes/today.md', content: '# Today' });
    expect(result.set).toEqual({ ok: true, version: 1 });
    expect(result.got).toEqual({ title: 'Plan' });
    expect(result.external).toMatchObject({ status: 200, body: { ok: true, url: '/v1/data' } });
    expect(result.streamed).toBe('data: one\n\ndata: two\n\n');
    expect(result.denied).toMatchObject({ status: 400, detail: 'Path escapes the workspace boundary' });
    expect(result.sameGlobal).toBe(true);
    expect(result.proxyBase).toBe(`${artifactOrigin()}/api/app/`);
    // Chromium logs the refused traversal's 400 as a console error; nothing else may appear.
    expect(page.errors.filter((e) => !e.includes('status of 400'))).toEqual([]);
  });

  it('ignores init messages from an origin that is not allowed, even with a valid token', async () => {
    const result = await page.call(
      'embed',
      artifactSrc({ allow: 'https://trusted-host.example' }),
      await tokenFor('user-2'),
      `${artifactOrigin()}/api/app/`,
      2_000,
    );
    expect(result).toBe('no-result');
    await page.call('forgeInit', await tokenFor('user-2'));
  });
});
