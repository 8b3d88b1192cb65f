// The gateway's cors option: preflights and answers for allowed origins (errors included, so the browser
// client can see a 401 and refresh), nothing for others, the opaque `null` origin only when asked, tried in
// real headless Chromium from another origin and from a sandboxed iframe.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestServer, type TestServer } from '@x/http-core/testing';
import { type BrowserPage, openBrowserPage } from '@x/tooling/browser';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArtifactGatewayError, issueAppToken, scopeFromRole } from '../src/index.ts';
import { type ArtifactGateway, createArtifactGateway, type GatewayCorsOptions } from '../src/node/index.ts';

const secretKey = 'cors-secret';
let page: BrowserPage;
let workspace: string;
const running: Array<{ server: TestServer; gateway: ArtifactGateway }> = [];

/** Starts a gateway with `cors` on its own loopback port (another origin than the page's). */
async function gatewayWith(cors?: GatewayCorsOptions): Promise<string> {
  const gateway = createArtifactGateway({
    secretKey,
    workspace: await mkdtemp(join(workspace, 'gw-')),
    ...(cors ? { cors } : {}),
  });
  const server = await startTestServer(new Hono().route('/api/app', gateway));
  running.push({ server, gateway });
  return `${server.url}/api/app/db/user/notes/query`;
}

const token = () =>
  issueAppToken({
    secretKey,
    userId: 'u1',
    accountId: 'a',
    context: 'lab_session:s',
    scope: scopeFromRole('member'),
  });

beforeAll(async () => {
  workspace = await mkdtemp(join(tmpdir(), 'ag-cors-'));
  page = await openBrowserPage(new URL('./chromium/cors.page.ts', import.meta.url));
}, 60_000);

afterAll(async () => {
  await page?.close();
  for (const { server, gateway } of running) {
    await server.close();
    await gateway.close();
  }
  await rm(workspace, { recursive: true, force: true });
});

const answer = { status: 200, body: { columns: ['answer'], rows: [[42]], rowcount: 1 } };

describe('cors in Chromium', () => {
  it('an allowed origin calls the gateway and reads its errors too', async () => {
    const url = await gatewayWith({ origins: [page.origin] });
    expect(await page.call('query', url, await token())).toEqual(answer);
    // The 401 of a bad token reaches the page (with CORS headers), so the client can refresh.
    expect(await page.call('query', url, 'not-a-token')).toMatchObject({ status: 401 });
  });

  it('without the option, or for another origin, the browser refuses the call', async () => {
    for (const url of [await gatewayWith(), await gatewayWith({ origins: ['https://apps.example.com'] })]) {
      expect(await page.call('query', url, await token())).toEqual({ error: 'TypeError: Failed to fetch' });
    }
  });

  it('a sandboxed iframe (origin null) gets through only with allowOpaqueOrigin', async () => {
    const strict = await gatewayWith({ origins: [page.origin] });
    expect(await page.call('queryFromSandbox', strict, await token())).toEqual({
      error: 'TypeError: Failed to fetch',
    });
    const opaque = await gatewayWith({ origins: [page.origin], allowOpaqueOrigin: true });
    expect(await page.call('queryFromSandbox', opaque, await token())).toEqual(answer);
  });
});

describe('cors on the wire', () => {
  it('answers a preflight before the token check, with the methods, headers and max age', async () => {
    const url = await gatewayWith({
      origins: (origin) => origin.endsWith('.example.com'),
      maxAgeSeconds: 60,
    });
    const preflight = await fetch(url, {
      method: 'OPTIONS',
      headers: {
        origin: 'https://apps.example.com',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization, content-type',
      },
    });
    expect(preflight.status).toBe(204);
    expect(Object.fromEntries(preflight.headers)).toMatchObject({
      'access-control-allow-origin': 'https://apps.example.com',
      'access-control-allow-methods': 'POST',
      'access-control-allow-headers': 'content-type,authorization',
      'access-control-max-age': '60',
    });
    expect(preflight.headers.get('access-control-allow-credentials')).toBeNull();
    const other = await fetch(url, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.test', 'access-control-request-method': 'POST' },
    });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('refuses origins that are not origins at construction', () => {
    for (const origin of ['https://apps.example.com/', 'apps.example.com', 'https://a.com/path', 'null']) {
      let error: unknown;
      try {
        createArtifactGateway({ secretKey, workspace, cors: { origins: [origin] } });
      } catch (e) {
        error = e;
      }
      expect(ArtifactGatewayError.isInstance(error), origin).toBe(true);
      expect((error as Error).message).toContain('cors.origins');
    }
  });
});
