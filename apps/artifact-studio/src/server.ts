// Artifact Studio's Node server: the host page on one origin, the artifact and the gateway on another, and a
// local HTTPS stand-in for the external "quotes" API (this machine has no internet). The stand-in is reached
// through the real SSRF-checked proxy; only this demo's resolver maps quotes.local to loopback and allows
// loopback, which production code never does.
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { blockedAddressReason, issueAppToken, scopeFromRole } from '@x/artifact-gateway';
import { type ArtifactGateway, createArtifactGateway, ExternalProxy } from '@x/artifact-gateway/node';
import { startTestServer, type TestServer } from '@x/http-core/testing';
import { build } from 'esbuild';
import { Hono } from 'hono';

const cert = readFileSync(new URL('../fixtures/quotes-cert.pem', import.meta.url), 'utf8');
const key = readFileSync(new URL('../fixtures/quotes-key.pem', import.meta.url), 'utf8');

/** A running studio. */
export interface Studio {
  /** The host page, e.g. `http://127.0.0.1:40001/`. */
  hostUrl: string;
  /** The artifact origin, e.g. `http://localhost:40002`. */
  artifactOrigin: string;
  /** The gateway's proxy base on the artifact origin. */
  proxyBase: string;
  /** The secret app tokens are signed with. */
  secretKey: string;
  /** The gateway. */
  gateway: ArtifactGateway;
  /** Stops everything. */
  close(): Promise<void>;
}

async function bundle(file: string): Promise<string> {
  const result = await build({
    entryPoints: [new URL(file, import.meta.url).pathname],
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

const page = (script: string, title: string) =>
  `<!doctype html><html><head><meta charset="utf-8"><title>${title}</title></head><body style="margin:0"><script type="module" src="${script}"></script></body></html>`;

/** Starts the quote stand-in, the artifact origin with the gateway, and the host origin. */
export async function startStudio(): Promise<Studio> {
  const secretKey = 'artifact-studio-secret';
  const workspace = await mkdtemp(join(tmpdir(), 'artifact-studio-'));
  const quotes = createServer({ key, cert }, (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ text: 'Simple things should be simple, complex things should be possible.' }));
  });
  await new Promise<void>((resolve) => quotes.listen(0, '127.0.0.1', resolve));
  const quotesPort = (quotes.address() as AddressInfo).port;

  const external = new ExternalProxy({
    resolver: async (host) => {
      if (host !== 'quotes.local') throw new Error(`unknown host ${host}`);
      return [{ address: '127.0.0.1', family: 4 }];
    },
    // Only the stand-in's name may reach loopback; every other destination gets the production check.
    addressPolicy: (address, hostname) =>
      hostname === 'quotes.local' && address === '127.0.0.1' ? undefined : blockedAddressReason(address),
    ca: cert,
  });
  const gateway = createArtifactGateway({ secretKey, workspace, external });

  const [appJs, hostJs] = await Promise.all([bundle('./notes-app.ts'), bundle('./host-page.ts')]);
  const artifactApp = new Hono()
    .get('/app.html', (c) => c.html(page('/app.js', 'Notes app')))
    .get('/app.js', (c) => c.body(appJs, 200, { 'content-type': 'text/javascript' }));
  artifactApp.route('/api/app', gateway);
  const artifactServer: TestServer = await startTestServer(artifactApp);
  const artifactOrigin = artifactServer.url.replace('127.0.0.1', 'localhost');
  const proxyBase = `${artifactOrigin}/api/app/`;

  const hostApp = new Hono()
    .get('/', (c) => c.html(page('/host.js', 'Artifact Studio')))
    .get('/host.js', (c) => c.body(hostJs, 200, { 'content-type': 'text/javascript' }))
    .get('/config', (c) =>
      c.json({
        artifactUrl: `${artifactOrigin}/app.html`,
        proxyBase,
        quoteUrl: `https://quotes.local:${quotesPort}/v1/quote`,
      }),
    )
    // The platform's own session decides who the user is; the demo has one user.
    .post('/token', async (c) =>
      c.json({
        token: await issueAppToken({
          secretKey,
          userId: 'demo-user',
          accountId: 'demo-account',
          context: 'lab_session:studio',
          scope: scopeFromRole('member'),
        }),
      }),
    );
  const hostServer = await startTestServer(hostApp);
  return {
    hostUrl: `${hostServer.url}/`,
    artifactOrigin,
    proxyBase,
    secretKey,
    gateway,
    async close() {
      await hostServer.close();
      await artifactServer.close();
      await gateway.close();
      await external.close();
      quotes.closeAllConnections();
      await new Promise<void>((resolve) => quotes.close(() => resolve()));
      await rm(workspace, { recursive: true, force: true });
    },
  };
}
