// The client's 401 handling against a server that rotates tokens (the real gateway cannot revoke a token, so
// a small Hono server plays that part), and its calls against the real gateway.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AbortError, AuthenticationError, PermissionDeniedError, TimeoutError } from '@x/http-core';
import { startTestServer, type TestServer } from '@x/http-core/testing';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from '../src/client/index.ts';
import { ArtifactGatewayError, issueAppToken, scopeFromRole } from '../src/index.ts';
import { type ArtifactGateway, createArtifactGateway } from '../src/node/index.ts';

let rotating: TestServer;
let refreshes = 0;
const current = 'token-2';
let workspace: string;
let gateway: ArtifactGateway;
let real: TestServer;

beforeAll(async () => {
  rotating = await startTestServer(
    new Hono()
      .post('/api/app/token/refresh', async (c) => {
        refreshes++;
        await new Promise((r) => setTimeout(r, 50));
        return c.req.header('authorization') === 'Bearer token-1'
          ? c.json({ token: current })
          : c.json({ detail: 'no' }, 401);
      })
      .post('/api/app/*', (c) =>
        c.req.header('authorization') === `Bearer ${current}`
          ? c.json({ ok: true })
          : c.json({ detail: 'App token has expired' }, 401),
      ),
  );
  workspace = await mkdtemp(join(tmpdir(), 'ag-client-'));
  gateway = createArtifactGateway({ secretKey: 's', workspace, basePath: '/api/app' });
  real = await startTestServer(gateway);
});
afterAll(async () => {
  await rotating.close();
  await real.close();
  await gateway.close();
  await rm(workspace, { recursive: true, force: true });
});

describe('browser client', () => {
  it('refuses to call before a token arrives', async () => {
    const error = await createClient({ proxyBase: `${rotating.url}/api/app/` })
      .files.list()
      .catch((e: unknown) => e);
    expect(ArtifactGatewayError.isInstance(error) && error.message).toBe(
      'artifact-gateway token not yet received',
    );
  });

  it('refreshes once for many requests that get a 401 at the same time, then replays each once', async () => {
    const client = createClient({ token: 'token-1', proxyBase: `${rotating.url}/api/app/` });
    const results = await Promise.all(
      [1, 2, 3, 4, 5].map((i) => client.fetch(`state/ns${i}/get`, { resource_id: 'x' })),
    );
    expect(results).toEqual(new Array(5).fill({ ok: true }));
    expect(refreshes).toBe(1);
    expect(client.token).toBe('token-2');
  });

  it('gives up with a typed 401 when the refresh fails', async () => {
    const client = createClient({ token: 'bogus', proxyBase: `${rotating.url}/api/app/` });
    const error = await client.files.list().catch((e: unknown) => e);
    expect(AuthenticationError.isInstance(error)).toBe(true);
  });

  it('talks to the real gateway with the upstream SDK shapes and typed errors', async () => {
    const token = await issueAppToken({
      secretKey: 's',
      userId: 'u1',
      accountId: 'a',
      context: 'lab_session:s1',
      scope: scopeFromRole('member'),
    });
    const client = createClient({ token, proxyBase: `${real.url}/api/app/` });
    expect(await client.db.sessionExec('scratch', 'CREATE TABLE t (n INT)')).toEqual({
      ok: true,
      success: true,
    });
    expect(await client.db.sessionQuery('scratch', 'SELECT count(*) AS n FROM t')).toEqual({
      columns: ['n'],
      rows: [[0]],
      rowcount: 1,
    });
    expect(await client.files.sessionWrite('a.txt', 'x')).toEqual({ ok: true, path: 'a.txt', bytes: 1 });
    expect(await client.files.sessionList()).toEqual({
      entries: [{ name: 'a.txt', is_dir: false, bytes: 1 }],
    });
    expect(await client.state.set('ns', 'r', { a: 1 })).toEqual({ ok: true, version: 1 });
    expect((await client.state.history('ns', 'r')).count).toBe(1);
    expect(typeof (await client.refresh())).toBe('string');
    const viewer = createClient({
      token: await issueAppToken({
        secretKey: 's',
        userId: 'u1',
        accountId: 'a',
        context: '',
        scope: scopeFromRole('viewer'),
      }),
      proxyBase: `${real.url}/api/app/`,
    });
    const denied = await viewer.external({ url: 'https://example.com/' }).catch((e: unknown) => e);
    expect(PermissionDeniedError.isInstance(denied)).toBe(true);
    expect((denied as PermissionDeniedError).body).toEqual({
      detail: "Scope 'external:*' is required for external proxy calls",
    });
  });
});

describe('browser client deadlines', () => {
  it('every call takes { signal, timeout } last; the client has a default timeout; a bad bag is a TypeError', async () => {
    const slow = await startTestServer(
      new Hono().post('/api/app/*', async (c) => {
        await new Promise((resolve) => setTimeout(resolve, 3_000));
        return c.json({ ok: true });
      }),
    );
    try {
      const proxyBase = `${slow.url}/api/app/`;
      const client = createClient({ token: 't', proxyBase });
      const timedOut = await client.db
        .userQuery('d', 'SELECT 1', [], { timeout: 100 })
        .catch((e: unknown) => e);
      expect(TimeoutError.isInstance(timedOut)).toBe(true);

      const controller = new AbortController();
      const pending = client.files.list('', { signal: controller.signal }).catch((e: unknown) => e);
      setTimeout(() => controller.abort(), 50);
      expect(AbortError.isInstance(await pending)).toBe(true);

      const streamed = await client
        .stream({ url: 'https://api.example.com/x' }, () => {}, { timeout: 100 })
        .catch((e: unknown) => e);
      expect(TimeoutError.isInstance(streamed)).toBe(true);

      const quick = createClient({ token: 't', proxyBase, timeout: 150 });
      expect(TimeoutError.isInstance(await quick.state.get('ns', 'id').catch((e: unknown) => e))).toBe(true);

      await expect(client.files.read('a.txt', 'utf8' as never)).rejects.toThrow(TypeError);
    } finally {
      await slow.close();
    }
  });
});
