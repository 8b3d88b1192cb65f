import { createHmac } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestServer, type TestServer } from '@x/http-core/testing';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blockedAddressReason, CredentialVault, issueAppToken, scopeFromRole } from '../src/index.ts';
import { type ArtifactGateway, createArtifactGateway, ExternalProxy } from '../src/node/index.ts';
import { type HttpsUpstream, startHttpsUpstream, testCa } from './https-upstream.ts';

const secretKey = 'gateway-test-secret';
const vaultKey = 'gateway-vault-key';
const vault = new CredentialVault(vaultKey);
const userJwt = 'platform.jwt.of-user-abc123';
let workspace: string;
let gateway: ArtifactGateway;
let server: TestServer;
let internalApi: TestServer;
let upstream: HttpsUpstream;
const internalSeen: { path: string; authorization: string | undefined; query: string }[] = [];
const logs: Record<string, unknown>[] = [];
let base: string;

async function token(role = 'member', overrides: Record<string, unknown> = {}) {
  return issueAppToken({
    secretKey,
    userId: 'user-abc123',
    accountId: 'acc-1',
    context: 'lab_session:sess-001',
    scope: scopeFromRole(role),
    userJwt,
    vault,
    ...overrides,
  });
}

async function post(path: string, body?: unknown, auth?: string | null, raw?: string) {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  const t = auth === undefined ? await token() : auth;
  if (t !== null) headers.authorization = `Bearer ${t}`;
  const response = await fetch(`${base}${path}`, {
    method: 'POST',
    headers,
    body: raw ?? (body === undefined ? undefined : JSON.stringify(body)),
  });
  const text = await response.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  return { status: response.status, json, headers: response.headers };
}

beforeAll(async () => {
  workspace = await mkdtemp(join(tmpdir(), 'ag-gw-'));
  upstream = await startHttpsUpstream();
  internalApi = await startTestServer(
    new Hono().all('*', (c) => {
      internalSeen.push({
        path: c.req.path,
        authorization: c.req.header('authorization'),
        query: new URL(c.req.url).search,
      });
      return c.json({ path: c.req.path, method: c.req.method });
    }),
  );
  const storedCredential = await vault.encrypt('sk-live-abc123');
  gateway = createArtifactGateway({
    secretKey,
    workspace,
    vaultKey,
    basePath: '/api/lab/app',
    internal: { baseUrl: internalApi.url },
    external: new ExternalProxy({
      resolver: async () => [{ address: '127.0.0.1', family: 4 }],
      addressPolicy: (a) => (a === '127.0.0.1' ? undefined : blockedAddressReason(a)),
      ca: testCa,
    }),
    resolveCredential: async (id, claims) =>
      id === 'openai' && claims.userId === 'user-abc123'
        ? { ciphertext: storedCredential, placement: 'bearer' }
        : undefined,
    maxBodyBytes: 64 * 1024,
    logger: {
      debug() {},
      info: (_m, d) => logs.push(d ?? {}),
      warn() {},
      error: (_m, d) => logs.push(d ?? {}),
    },
  });
  server = await startTestServer(gateway);
  base = `${server.url}/api/lab/app/`;
});
afterAll(async () => {
  await server.close();
  await gateway.close();
  await internalApi.close();
  await upstream.close();
  await rm(workspace, { recursive: true, force: true });
});

describe('createArtifactGateway', () => {
  it('refreshes tokens and refuses missing, forged and expired ones with {detail}', async () => {
    const refreshed = await post('token/refresh');
    expect(refreshed.status).toBe(200);
    expect(typeof refreshed.json.token).toBe('string');
    expect((await post('files/user/list', {}, refreshed.json.token)).status).toBe(200);
    expect(await post('files/user/list', {}, null)).toMatchObject({
      status: 401,
      json: { detail: expect.any(String) },
    });
    expect((await post('files/user/list', {}, 'abc.def.ghi')).json.detail).toMatch(/^Invalid app token/);
    const old = await token('member', { ttl: 1, now: Date.now() - 10_000 });
    expect(await post('token/refresh', undefined, old)).toEqual(
      expect.objectContaining({ status: 401, json: { detail: 'App token has expired' } }),
    );
  });

  it('answers 401 to tokens signed with the right key but a crit header, a future nbf or no typ', async () => {
    // Same claims and key as a valid token; only the property under test differs, so a 200 here would
    // mean the gateway accepted a token it did not fully check.
    const claims = JSON.parse(Buffer.from((await token()).split('.')[1]!, 'base64url').toString('utf8'));
    const sign = (header: Record<string, unknown>, extra: Record<string, unknown> = {}) => {
      const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
      const input = `${part({ alg: 'HS256', ...header })}.${part({ ...claims, ...extra })}`;
      const mac = createHmac('sha256', secretKey).update(input).digest('base64url');
      return `${input}.${mac}`;
    };
    expect((await post('files/user/list', {}, sign({ typ: 'JWT' }))).status).toBe(200);
    const refused = [
      sign({ typ: 'JWT', crit: ['exp'] }),
      sign({ typ: 'JWT' }, { nbf: Math.floor(Date.now() / 1000) + 60 }),
      sign({}),
      sign({ typ: 'at+jwt' }),
    ];
    for (const forged of refused) {
      const answer = await post('files/user/list', {}, forged);
      expect(answer.status).toBe(401);
      expect(answer.json.detail).toMatch(/^Invalid app token: /);
    }
  });

  it('serves DuckDB query/exec for user and session databases with the SDK shapes', async () => {
    expect(
      (await post('db/user/analytics/exec', { sql: 'CREATE TABLE n (v INT)', params: [] })).json,
    ).toEqual({ ok: true, success: true });
    await post('db/user/analytics/exec', { sql: 'INSERT INTO n VALUES (?)', params: [7] });
    expect((await post('db/user/analytics/query', { sql: 'SELECT v FROM n' })).json).toEqual({
      columns: ['v'],
      rows: [[7]],
      rowcount: 1,
    });
    await post('db/session/scratch/exec', { sql: 'CREATE TABLE s (v INT)' });
    const other = await token('member', { context: 'lab_session:sess-002' });
    expect((await post('db/session/scratch/query', { sql: 'SELECT * FROM s' }, other)).status).toBe(400);
    const attack = await post('db/user/analytics/query', { sql: "SELECT * FROM read_text('/etc/passwd')" });
    expect(attack.status).toBeGreaterThanOrEqual(400);
    expect(attack.status).toBeLessThan(500);
  });

  it('enforces scopes: viewers read but cannot write', async () => {
    const viewer = await token('viewer');
    expect((await post('db/user/analytics/query', { sql: 'SELECT 1' }, viewer)).status).toBe(200);
    expect((await post('db/user/analytics/query', { sql: 'DROP TABLE n' }, viewer)).status).toBe(403);
    expect((await post('db/user/analytics/exec', { sql: 'DROP TABLE n' }, viewer)).status).toBe(403);
    expect((await post('files/user/write', { path: 'a.txt', content: 'x' }, viewer)).status).toBe(403);
    expect((await post('external', { url: `https://api.test:${upstream.port}/` }, viewer)).status).toBe(403);
    expect((await post('state/notes/set', { resource_id: 'a', patch: {} }, viewer)).status).toBe(403);
  });

  it('serves files with the union shapes and refuses traversal and root deletion', async () => {
    expect((await post('files/user/write', { path: 'notes/a.txt', content: 'hello' })).json).toEqual({
      ok: true,
      path: 'notes/a.txt',
      bytes: 5,
    });
    expect((await post('files/user/read', { path: 'notes/a.txt' })).json).toEqual({
      path: 'notes/a.txt',
      content: 'hello',
    });
    expect((await post('files/user/list', { path: 'notes' })).json).toEqual({
      entries: [{ name: 'a.txt', is_dir: false, bytes: 5 }],
    });
    expect((await post('files/session/write', { path: 'b.txt', content: 'x' })).json.ok).toBe(true);
    expect((await post('files/user/read', { path: '../../etc/passwd' })).status).toBe(400);
    expect((await post('files/user/delete', { path: '' })).status).toBe(400);
    expect((await post('files/user/read', { path: 'missing.txt' })).status).toBe(404);
    expect((await post('files/user/delete', { path: 'notes/a.txt' })).json).toEqual({
      ok: true,
      deleted: true,
    });
  });

  it('serves state with versions, conflicts as 409 and history', async () => {
    expect((await post('state/boards/set', { resource_id: 'b1', patch: { title: 'Plan' } })).json).toEqual({
      ok: true,
      version: 1,
    });
    expect(
      (await post('state/boards/set', { resource_id: 'b1', patch: { done: true }, expected_version: 1 })).json
        .version,
    ).toBe(2);
    expect(
      await post('state/boards/set', { resource_id: 'b1', patch: {}, expected_version: 1 }),
    ).toMatchObject({
      status: 409,
      json: { current_version: 2 },
    });
    expect((await post('state/boards/get', { resource_id: 'b1' })).json.data).toMatchObject({
      data: { title: 'Plan', done: true },
      version: 2,
    });
    expect((await post('state/boards/list', { filter: { done: true } })).json.count).toBe(1);
    expect(
      (await post('state/boards/events', { resource_id: 'b1' })).json.data.map((e: any) => e.version),
    ).toEqual([2, 1]);
    expect((await post('state/boards/delete', { resource_id: 'b1' })).json).toEqual({ ok: true, deleted: 1 });
    expect((await post('state/boards/get', { resource_id: 'b1' })).json).toEqual({ data: null });
  });

  it('proxies external calls with a vault credential and refuses internal destinations', async () => {
    const result = await post('external', {
      method: 'GET',
      url: `https://api.test:${upstream.port}/v1`,
      headers: { Authorization: 'Bearer artifact-made-this-up' },
      credentialId: 'openai',
    });
    expect(result.json).toMatchObject({ status: 200, body: { ok: true } });
    expect(upstream.seen.at(-1)!.headers.authorization).toBe('Bearer sk-live-abc123');
    expect((await post('external', { url: 'https://169.254.169.254/latest/meta-data/' })).status).toBe(403);
    expect((await post('external', { url: 'http://api.test/' })).json.detail).toBe(
      'Only HTTPS URLs are permitted for external proxy calls',
    );
    expect(
      (await post('external', { url: `https://api.test:${upstream.port}/`, credential_id: 'nope' })).status,
    ).toBe(404);
    const streamed = await post('external/stream', { url: `https://api.test:${upstream.port}/stream` });
    expect(streamed.json).toBe('data: one\n\ndata: two\n\n');
  });

  it('proxies internal calls with the sealed user JWT and refuses paths outside the allowlist', async () => {
    const result = await post('internal', { path: '/api/agent/list', query: { q: '1' } });
    expect(result.json).toEqual({ status: 200, body: { path: '/api/agent/list', method: 'GET' } });
    expect(internalSeen.at(-1)).toEqual({
      path: '/api/agent/list',
      authorization: `Bearer ${userJwt}`,
      query: '?q=1',
    });
    for (const path of [
      '/api/agent/../../admin',
      '/api/agent/%2e%2e/%2e%2e/admin',
      '/api/agent\\..\\admin',
      '/api/agentfoo',
      '/api/agent/%252e%252e',
      '/admin',
      '/api//agent',
    ])
      expect((await post('internal', { path })).status, path).toBeGreaterThanOrEqual(400);
    expect((await post('internal', { path: '/api/knowledge/x', method: 'POST' })).status).toBe(403);
    expect(
      (await post('internal', { path: '/api/agent', method: 'POST' }, await token('viewer'))).status,
    ).toBe(403);
    const withoutJwt = await issueAppToken({
      secretKey,
      userId: 'u',
      accountId: 'a',
      context: '',
      scope: scopeFromRole('member'),
    });
    expect((await post('internal', { path: '/api/agent' }, withoutJwt)).status).toBe(403);
  });

  it('answers bad input with 4xx JSON, never 500', async () => {
    expect(await post('db/user/analytics/query', undefined, undefined, '{not json')).toMatchObject({
      status: 400,
      json: { detail: 'the request body is not valid JSON' },
    });
    expect((await post('db/user/analytics/query', { sql: 42 })).status).toBe(422);
    expect((await post('db/user/analytics/query', {})).status).toBe(422);
    expect((await post('files/user/write', { path: 'x', content: 'y'.repeat(70_000) })).status).toBe(413);
    expect((await post('state/bad.ns/get', { resource_id: 'a' })).status).toBe(400);
    expect((await post('db/other/x/query', { sql: 'SELECT 1' })).status).toBe(404);
    expect((await post('nothing/here', {})).status).toBe(404);
    expect(await post('run', { language: 'python', code: 'print(1)' })).toMatchObject({
      status: 501,
      json: { detail: expect.any(String) },
    });
    expect(await post('db/user/notes/find', { filter: {} })).toMatchObject({
      status: 503,
      json: { detail: expect.stringMatching(/MONGODB_URL/) },
    });
  });

  it('logs user, route, status and duration without tokens or secrets', async () => {
    const t = await token();
    await post('files/user/list', {}, t);
    const entry = logs.at(-1)!;
    expect(entry).toMatchObject({
      method: 'POST',
      route: '/api/lab/app/files/:scope/:op',
      user: 'user-abc123',
      status: 200,
    });
    expect(typeof entry.durationMs).toBe('number');
    const all = JSON.stringify(logs);
    for (const secret of [t, userJwt, 'sk-live-abc123', secretKey]) expect(all).not.toContain(secret);
  });
});

describe('every route answers bad input with a 4xx JSON detail', () => {
  const routes = [
    'token/refresh',
    'external',
    'external/stream',
    'internal',
    'run',
    'db/user/analytics/query',
    'db/user/analytics/exec',
    'db/session/analytics/query',
    'db/session/analytics/exec',
    'db/user/notes/find',
    'db/user/notes/upsert',
    'db/user/notes/delete',
    'files/user/write',
    'files/user/read',
    'files/user/list',
    'files/user/delete',
    'files/session/write',
    'files/session/read',
    'files/session/list',
    'files/session/delete',
    'state/ns/set',
    'state/ns/get',
    'state/ns/list',
    'state/ns/delete',
    'state/ns/events',
  ];

  it('malformed JSON, wrong types and no token', async () => {
    for (const route of routes) {
      const noToken = await post(route, {}, null);
      expect(noToken.status, route).toBe(401);
      expect(typeof noToken.json.detail, route).toBe('string');
      if (route === 'token/refresh') continue;
      const broken = await post(route, undefined, undefined, '{"sql": ');
      expect(broken.status, route).toBeGreaterThanOrEqual(400);
      expect(broken.status, route).toBeLessThan(500);
      expect(typeof broken.json.detail, route).toBe('string');
      const wrong = await post(route, {
        sql: [],
        path: 1,
        url: 2,
        filter: 'x',
        resource_id: {},
        content: 3,
        language: 'cobol',
        limit: 'many',
      });
      expect(wrong.status, route).toBeGreaterThanOrEqual(400);
      expect(wrong.status, route).toBeLessThan(500);
      expect(typeof wrong.json.detail, route).toBe('string');
    }
  });
});

describe('gateway options', () => {
  it('answers run with the host runner, and 503 when MongoDB cannot be reached', async () => {
    const other = createArtifactGateway({
      secretKey,
      workspace,
      runner: async (req, claims) => ({
        stdout: `${req.language}:${claims.userId}`,
        stderr: '',
        exit_code: 0,
        timed_out: false,
      }),
      mongo: { url: 'mongodb://127.0.0.1:9/?serverSelectionTimeoutMS=500' },
    });
    const otherServer = await startTestServer(other);
    try {
      const call = (path: string, body: unknown) =>
        token().then((t) =>
          fetch(`${otherServer.url}/${path}`, {
            method: 'POST',
            headers: { authorization: `Bearer ${t}`, 'content-type': 'application/json' },
            body: JSON.stringify(body),
          }),
        );
      const run = await call('run', { language: 'python', code: 'print(1)' });
      expect(await run.json()).toEqual({
        stdout: 'python:user-abc123',
        stderr: '',
        exit_code: 0,
        timed_out: false,
      });
      const find = await call('db/user/notes/find', { filter: {} });
      expect(find.status).toBe(503);
      expect(await find.json()).toEqual({ detail: 'MongoDB is unreachable' });
      const where = await call('db/user/notes/find', { filter: { $where: 'true' } });
      expect(where.status).toBe(400);
    } finally {
      await otherServer.close();
      await other.close();
    }
  });
});
