// verifyTls against a real HTTPS server with a self-signed certificate (made with openssl for the test).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { InkPassClient, ServiceUnavailableError } from '../src/index.ts';
import { insecureTlsFetch } from '../src/node/index.ts';

let server: Server;
let url: string;

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'inkpass-tls-'));
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    const options = { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) };
    server = createServer(options, (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ has_permission: true, user_id: 'u', organization_id: 'o' }));
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `https://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

it('verifies certificates by default: a self-signed server is unreachable (and a check denies)', async () => {
  const client = new InkPassClient({
    baseUrl: url,
    maxRetries: 0,
    logger: { debug() {}, info() {}, warn() {}, error() {} },
  });
  await expect(client.validateToken('a.b.c')).rejects.toSatisfy((e) => ServiceUnavailableError.isInstance(e));
  expect(await client.checkPermission('a.b.c', 'workflows', 'view')).toBe(false);
});

it('verifyTls: false with insecureTlsFetch() reaches it; without a fetch it is a config error', async () => {
  expect(() => new InkPassClient({ baseUrl: url, verifyTls: false })).toThrow(/insecureTlsFetch/);
  const client = new InkPassClient({
    baseUrl: url,
    verifyTls: false,
    fetch: await insecureTlsFetch(),
    maxRetries: 0,
    timeout: 30_000,
  });
  expect(await client.checkPermission('a.b.c', 'workflows', 'view')).toBe(true);
});
