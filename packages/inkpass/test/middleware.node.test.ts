// The Hono and Express (4 and 5) integrations in front of real servers, calling the fake inkPass: 401
// without a token, 403 `Permission denied: resource:action`, ABAC context from the request, and inkPass
// failing never turning into an allow.
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import { startTestServer } from '@x/http-core/testing';
import express from 'express';
import express4 from 'express4';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInkPassMiddleware as expressMiddleware } from '../src/express.ts';
import { createInkPassMiddleware as honoMiddleware, type InkPassVariables } from '../src/hono.ts';
import { clientFor, freshEmail, PASSWORD, useFake } from './kit.ts';

const fake = useFake();

interface App {
  url: string;
  close(): Promise<void>;
}

async function honoApp(): Promise<App> {
  const { client } = clientFor(fake(), { maxRetries: 0 });
  const inkpass = honoMiddleware(client);
  const app = new Hono<{ Variables: InkPassVariables }>();
  app.get('/me', inkpass.authenticate(), (c) => c.json({ email: c.get('inkpassUser').email }));
  app.post('/workflows', inkpass.requirePermission('workflows', 'create'), (c) =>
    c.json({ workflow: 'created' }),
  );
  app.get(
    '/projects/:id',
    inkpass.requirePermission('projects', 'edit', (c) => ({ project_id: c.req.param('id') })),
    (c) => c.json({ project: c.req.param('id') }),
  );
  app.get(
    '/any',
    inkpass.requireAny([
      ['workflows', 'delete'],
      ['workflows', 'view'],
    ]),
    (c) => c.json({ ok: true }),
  );
  app.get(
    '/all',
    inkpass.requireAll([
      ['workflows', 'view'],
      ['workflows', 'delete'],
      ['billing', 'manage'],
    ]),
    (c) => c.json({ ok: true }),
  );
  return startTestServer(app);
}

async function expressApp(createApp: () => express.Express): Promise<App> {
  const { client } = clientFor(fake(), { maxRetries: 0 });
  const inkpass = expressMiddleware<express.Request>(client);
  const app = createApp();
  app.get('/me', inkpass.authenticate(), (_req, res) => {
    res.json({ email: (res.locals['inkpassUser'] as { email: string }).email });
  });
  app.post('/workflows', inkpass.requirePermission('workflows', 'create'), (_req, res) => {
    res.json({ workflow: 'created' });
  });
  app.get(
    '/projects/:id',
    inkpass.requirePermission('projects', 'edit', (req) => ({
      project_id: req.params['id'],
    })),
    (req, res) => {
      res.json({ project: req.params['id'] });
    },
  );
  app.get(
    '/any',
    inkpass.requireAny([
      ['workflows', 'delete'],
      ['workflows', 'view'],
    ]),
    (_req, res) => {
      res.json({ ok: true });
    },
  );
  app.get(
    '/all',
    inkpass.requireAll([
      ['workflows', 'view'],
      ['workflows', 'delete'],
      ['billing', 'manage'],
    ]),
    (_req, res) => {
      res.json({ ok: true });
    },
  );
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

it('the Express suites run on Express 5 and on Express 4', () => {
  const require = createRequire(import.meta.url);
  expect(require('express/package.json').version).toMatch(/^5\./);
  expect(require('express4/package.json').version).toMatch(/^4\./);
});

describe.each([
  ['hono', honoApp],
  ['express 5', () => expressApp(express)],
  ['express 4', () => expressApp(express4)],
])('%s', (_name, start) => {
  let app: App;
  let developer: string;
  let viewer: string;
  let projectMember: string;
  beforeAll(async () => {
    app = await start();
    const org = fake().seed.organization({ name: `MW ${Math.random()}` });
    const mk = async (roleTemplate?: 'developer' | 'viewer') => {
      const u = fake().seed.user({
        email: freshEmail('mw'),
        password: PASSWORD,
        organizationId: org.id,
        ...(roleTemplate ? { roleTemplate } : {}),
      });
      return { user: u, token: (await fake().issueTokens(u.id)).accessToken };
    };
    developer = (await mk('developer')).token;
    viewer = (await mk('viewer')).token;
    const member = await mk();
    const p = fake().seed.permission({
      organizationId: org.id,
      resource: 'projects',
      action: 'edit',
      conditions: { project_id: '123' },
    });
    fake().seed.grant(member.user.id, p.id);
    projectMember = member.token;
  });
  afterAll(() => app.close());

  const call = (path: string, token?: string, method = 'GET', scheme = 'Bearer') =>
    fetch(`${app.url}${path}`, { method, headers: token ? { authorization: `${scheme} ${token}` } : {} });

  it('authenticate puts the user in the context; no token or a bad one → 401', async () => {
    const ok = await call('/me', developer);
    expect(ok.status).toBe(200);
    expect((await ok.json()).email).toMatch(/^mw/);
    const none = await call('/me');
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Bearer');
    expect(await none.json()).toEqual({ detail: 'Authentication required' });
    expect((await call('/me', 'not.a.token')).status).toBe(401);
    expect((await call('/me', developer, 'GET', 'Basic')).status).toBe(401);
  });

  it('requirePermission: allowed → through; denied → 403 "Permission denied: r:a"; no token → 401', async () => {
    expect(await (await call('/workflows', developer, 'POST')).json()).toEqual({ workflow: 'created' });
    const denied = await call('/workflows', viewer, 'POST');
    expect(denied.status).toBe(403);
    expect(await denied.json()).toEqual({ detail: 'Permission denied: workflows:create' });
    expect((await call('/workflows', undefined, 'POST')).status).toBe(401);
  });

  it('the ABAC context comes from the request', async () => {
    expect((await call('/projects/123', projectMember)).status).toBe(200);
    const other = await call('/projects/999', projectMember);
    expect(other.status).toBe(403);
    expect(await other.json()).toEqual({ detail: 'Permission denied: projects:edit' });
  });

  it('requireAny and requireAll', async () => {
    expect((await call('/any', viewer)).status).toBe(200);
    const all = await call('/all', developer);
    expect(all.status).toBe(403);
    expect(await all.json()).toEqual({
      detail: 'Permission denied: missing [workflows:delete, billing:manage]',
    });
  });

  it('inkPass failing (503, reset) never turns into an allow: 403 on guards, 503 on authenticate', async () => {
    fake().faults.enqueue({ match: { path: '/api/v1/auth/check' }, status: 503 });
    expect((await call('/workflows', developer, 'POST')).status).toBe(403);
    fake().faults.enqueue({ match: { path: '/api/v1/auth/check' }, reset: true });
    expect((await call('/workflows', developer, 'POST')).status).toBe(403);
    fake().faults.enqueue({ match: { path: '/api/v1/auth/me' }, status: 503 });
    const me = await call('/me', developer);
    expect(me.status).toBe(503);
    expect(await me.json()).toEqual({ detail: 'Authentication service unavailable' });
    // And once inkPass is back, the same calls pass.
    expect((await call('/workflows', developer, 'POST')).status).toBe(200);
  });
});
