// checkPermission: the server's decision order (role template → owner → direct/group with ABAC
// conditions), the wire it sends, and the fail-safe rule proven per failure mode with fault injection.
import { describe, expect, it } from 'vitest';
import { clientFor, freshEmail, PASSWORD, useFake } from './kit.ts';

const fake = useFake();

async function member(options: { roleTemplate?: 'admin' | 'developer' | 'viewer' } = {}) {
  const org = fake().seed.organization({ name: `Org ${freshEmail('o')}` });
  const user = fake().seed.user({
    email: freshEmail('member'),
    password: PASSWORD,
    organizationId: org.id,
    ...options,
  });
  const { accessToken } = await fake().issueTokens(user.id);
  return { org, user, token: accessToken };
}

describe('decisions', () => {
  it('sends resource and action as query parameters and the context (or {}) as the JSON body', async () => {
    const { client } = clientFor(fake());
    const { token } = await member();
    await client.checkPermission(token, 'workflows', 'create');
    let sent = fake().recorder.last()!;
    expect(sent).toMatchObject({ method: 'POST', path: '/api/v1/auth/check' });
    expect(sent.query).toEqual({ resource: 'workflows', action: 'create' });
    expect(sent.body).toBe('{}');
    expect(sent.headers['authorization']).toBe(`Bearer ${token}`);
    await client.checkPermission(token, 'workflows', 'create', { project_id: '123' });
    sent = fake().recorder.last()!;
    expect(JSON.parse(sent.body)).toEqual({ project_id: '123' });
  });

  it('a self-registered owner passes every check, even invented names', async () => {
    const { client } = clientFor(fake());
    const owner = fake().seed.user({ email: freshEmail('owner'), password: PASSWORD });
    const { accessToken } = await fake().issueTokens(owner.id);
    expect(await client.checkPermission(accessToken, 'workflows', 'read')).toBe(true);
    expect(await client.checkPermission(accessToken, 'anything', 'goes')).toBe(true);
  });

  it('role templates grant by action with inheritance (viewer ⊂ developer ⊂ admin)', async () => {
    const { client } = clientFor(fake());
    const viewer = await member({ roleTemplate: 'viewer' });
    const developer = await member({ roleTemplate: 'developer' });
    const admin = await member({ roleTemplate: 'admin' });
    expect(await client.checkPermission(viewer.token, 'workflows', 'view')).toBe(true);
    expect(await client.checkPermission(viewer.token, 'workflows', 'create')).toBe(false);
    expect(await client.checkPermission(developer.token, 'workflows', 'create')).toBe(true);
    expect(await client.checkPermission(developer.token, 'checkpoints', 'resolve')).toBe(true);
    expect(await client.checkPermission(developer.token, 'workflows', 'delete')).toBe(false);
    expect(await client.checkPermission(admin.token, 'workflows', 'delete')).toBe(true);
    expect(await client.checkPermission(admin.token, 'billing', 'manage')).toBe(false);
    // Unknown pairs are not in any template.
    expect(await client.checkPermission(admin.token, 'workflows', 'read')).toBe(false);
  });

  it('seed.role changes a membership: a template grants, demoting an owner removes the shortcut', async () => {
    const { client } = clientFor(fake());
    const owner = fake().seed.user({ email: freshEmail('demote'), password: PASSWORD });
    const { accessToken } = await fake().issueTokens(owner.id);
    expect(await client.checkPermission(accessToken, 'workflows', 'delete')).toBe(true);
    fake().seed.role(owner.id, { role: 'member', roleTemplate: 'viewer' });
    expect(await client.checkPermission(accessToken, 'workflows', 'delete')).toBe(false);
    expect(await client.checkPermission(accessToken, 'workflows', 'view')).toBe(true);
    fake().seed.role(owner.id, { roleTemplate: null });
    expect(await client.checkPermission(accessToken, 'workflows', 'view')).toBe(false);
  });

  it('ABAC: a conditional permission matches only when every condition equals the context', async () => {
    const { client } = clientFor(fake());
    const { org, user, token } = await member();
    const p = fake().seed.permission({
      organizationId: org.id,
      resource: 'projects',
      action: 'edit',
      conditions: { project_id: '123', region: 'eu' },
    });
    fake().seed.grant(user.id, p.id);
    expect(await client.checkPermission(token, 'projects', 'edit')).toBe(false);
    expect(await client.checkPermission(token, 'projects', 'edit', { project_id: '123' })).toBe(false);
    expect(await client.checkPermission(token, 'projects', 'edit', { project_id: '999', region: 'eu' })).toBe(
      false,
    );
    expect(await client.checkPermission(token, 'projects', 'edit', { project_id: 123, region: 'eu' })).toBe(
      false,
    );
    expect(
      await client.checkPermission(token, 'projects', 'edit', { project_id: '123', region: 'eu', extra: 1 }),
    ).toBe(true);
  });

  it('group permissions count; permissions without conditions need no context', async () => {
    const { client } = clientFor(fake());
    const { org, user, token } = await member();
    const p = fake().seed.permission({ organizationId: org.id, resource: 'reports', action: 'export' });
    fake().seed.group({ organizationId: org.id, name: 'analysts', members: [user.id], permissions: [p.id] });
    expect(await client.checkPermission(token, 'reports', 'export')).toBe(true);
    expect(await client.checkPermission(token, 'reports', 'delete')).toBe(false);
  });

  it('batch helpers: checkPermissions, hasAnyPermission (stops at first true), hasAllPermissions', async () => {
    const { client } = clientFor(fake());
    const { token } = await member({ roleTemplate: 'viewer' });
    expect(
      await client.checkPermissions(token, [
        ['workflows', 'view'],
        ['workflows', 'create'],
      ]),
    ).toEqual({ 'workflows:view': true, 'workflows:create': false });
    fake().recorder.clear();
    expect(
      await client.hasAnyPermission(token, [
        ['workflows', 'view'],
        ['workflows', 'create'],
      ]),
    ).toBe(true);
    expect(fake().recorder.requests).toHaveLength(1);
    expect(
      await client.hasAllPermissions(token, [
        ['workflows', 'view'],
        ['workflows', 'create'],
      ]),
    ).toBe(false);
  });
});

describe('fail-safe: every failure mode denies and logs why', () => {
  const check = { match: { path: '/api/v1/auth/check' } };

  it('401 (invalid or expired token)', async () => {
    const { client, logger } = clientFor(fake());
    const { token } = await member();
    fake().clock.advance(31 * 60_000);
    expect(await client.checkPermission(token, 'workflows', 'view')).toBe(false);
    expect(logger.lines.at(-1)).toMatchObject({ level: 'warn', data: { status: 401 } });
    expect(logger.lines.at(-1)!.message).toContain('token is invalid or expired');
  });

  it('network error (connection reset) on every attempt, after the retries', async () => {
    const { client, logger } = clientFor(fake(), { maxRetries: 2 });
    const { token } = await member({ roleTemplate: 'admin' });
    fake().faults.enqueue({ ...check, reset: true, times: 3 });
    expect(await client.checkPermission(token, 'workflows', 'view')).toBe(false);
    expect(fake().recorder.requests.filter((r) => r.path === '/api/v1/auth/check')).toHaveLength(3);
    expect(logger.lines.at(-1)).toMatchObject({ level: 'warn', data: { code: 'service_unavailable' } });
  });

  it('connection refused (nothing listening)', async () => {
    const { client, logger } = clientFor(fake(), { baseUrl: 'http://127.0.0.1:9', maxRetries: 0 });
    expect(await client.checkPermission('a.b.c', 'workflows', 'view')).toBe(false);
    expect(logger.lines.at(-1)!.message).toContain('inkPass service unavailable');
  });

  it('timeout', async () => {
    const { client, logger } = clientFor(fake(), { timeout: 50, maxRetries: 0 });
    const { token } = await member({ roleTemplate: 'admin' });
    fake().faults.enqueue({ ...check, delayMs: 2000 });
    expect(await client.checkPermission(token, 'workflows', 'view')).toBe(false);
    expect(logger.lines.at(-1)!.message).toMatch(/timed out/);
  });

  it('abort by the caller', async () => {
    const { client, logger } = clientFor(fake());
    const { token } = await member({ roleTemplate: 'admin' });
    const controller = new AbortController();
    controller.abort(new Error('user went away'));
    expect(
      await client.checkPermission(token, 'workflows', 'view', undefined, { signal: controller.signal }),
    ).toBe(false);
    expect(logger.lines.at(-1)).toMatchObject({ data: { code: 'aborted' } });
  });

  it.each([500, 502, 503, 403, 404, 429])('HTTP %i (after retries where retryable)', async (status) => {
    const { client, logger } = clientFor(fake(), { maxRetries: 1 });
    const { token } = await member({ roleTemplate: 'admin' });
    fake().faults.enqueue({ ...check, status, body: { detail: 'boom' }, times: 2 });
    expect(await client.checkPermission(token, 'workflows', 'view')).toBe(false);
    expect(logger.lines.at(-1)).toMatchObject({ level: 'warn', data: { status } });
  });

  it.each([
    ['not JSON', 'Internal error<html>', 'application/json'],
    ['wrong shape', '{"allowed":true}', 'application/json'],
    ['string instead of boolean', '{"has_permission":"true"}', 'application/json'],
  ])('a malformed 200 body (%s)', async (_name, body, type) => {
    const { client, logger } = clientFor(fake());
    const { token } = await member({ roleTemplate: 'admin' });
    fake().faults.enqueue({ ...check, status: 200, body, headers: { 'content-type': type } });
    expect(await client.checkPermission(token, 'workflows', 'view')).toBe(false);
    expect(logger.lines.at(-1)).toMatchObject({ data: { code: 'response_validation' } });
  });

  it('a truncated body', async () => {
    const { client } = clientFor(fake(), { maxRetries: 0 });
    const { token } = await member({ roleTemplate: 'admin' });
    fake().faults.enqueue({ ...check, truncate: { body: '{"has_permission":tr', declaredLength: 100 } });
    expect(await client.checkPermission(token, 'workflows', 'view')).toBe(false);
  });

  it('bad input (empty resource, malformed token) without any request', async () => {
    const { client } = clientFor(fake());
    expect(await client.checkPermission('a.b.c', '', 'view')).toBe(false);
    expect(await client.checkPermission('bad token', 'workflows', 'view')).toBe(false);
    expect(fake().recorder.requests).toHaveLength(0);
  });

  it('an API key alone cannot pass /check (the server needs a user) → false', async () => {
    const { client } = clientFor(fake(), { apiKey: 'inkpass_x' });
    const response = await fetch(`${fake().url}/api/v1/auth/check?resource=a&action=b`, {
      method: 'POST',
      headers: { 'x-api-key': 'inkpass_x' },
    });
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ detail: 'Authentication required' });
    expect(await client.checkPermission('not.a.jwt', 'a', 'b')).toBe(false);
  });
});

describe('retries (transport errors, 429, 503; Retry-After honoured)', () => {
  it('retries 503 and 429 then succeeds; the Retry-After wait is taken', async () => {
    const { client } = clientFor(fake(), { maxRetries: 3 });
    const { token } = await member({ roleTemplate: 'admin' });
    fake().faults.enqueue(
      { match: { path: '/api/v1/auth/check' }, status: 503 },
      { match: { path: '/api/v1/auth/check' }, status: 429, headers: { 'Retry-After': '0' } },
      { match: { path: '/api/v1/auth/check' }, reset: true },
    );
    expect(await client.checkPermission(token, 'workflows', 'view')).toBe(true);
    expect(fake().recorder.requests.filter((r) => r.path === '/api/v1/auth/check')).toHaveLength(4);
  });

  it('stops after maxRetries and raises ServiceUnavailableError with the server detail', async () => {
    const { client } = clientFor(fake(), { maxRetries: 2 });
    const { token } = await member();
    fake().faults.enqueue({
      match: { path: '/api/v1/auth/me' },
      status: 503,
      body: { detail: 'maintenance' },
      times: 5,
    });
    const error = await client.validateToken(token).catch((e) => e);
    expect(error).toMatchObject({ name: 'ServiceUnavailableError', message: 'maintenance', statusCode: 503 });
    expect(fake().recorder.requests).toHaveLength(3);
  });

  it('500 is not retried; 429 surfaces as RateLimitError with retryAfterMs', async () => {
    const { client } = clientFor(fake(), { maxRetries: 0 });
    const { token } = await member();
    fake().faults.enqueue({ status: 500, body: { detail: 'oops' } });
    await expect(client.validateToken(token)).rejects.toMatchObject({
      name: 'InkPassError',
      statusCode: 500,
    });
    expect(fake().recorder.requests).toHaveLength(1);
    fake().faults.enqueue({
      status: 429,
      headers: { 'Retry-After': '7' },
      body: { detail: 'Rate limit exceeded: 30 requests per 60 seconds' },
    });
    await expect(client.validateToken(token)).rejects.toMatchObject({
      name: 'RateLimitError',
      retryAfterMs: 7000,
      message: 'Rate limit exceeded: 30 requests per 60 seconds',
    });
  });

  it('createApiKey is not retried after a transport error (a repeat would mint a second key)', async () => {
    const { client } = clientFor(fake(), { maxRetries: 3 });
    const { token } = await member({ roleTemplate: 'admin' });
    fake().faults.enqueue({ match: { path: '/api/v1/api-keys' }, reset: true });
    await expect(client.createApiKey(token, { name: 'x' })).rejects.toMatchObject({
      name: 'ServiceUnavailableError',
    });
    expect(fake().recorder.requests).toHaveLength(1);
  });

  it('the private retry marker never reaches the wire', async () => {
    const { client } = clientFor(fake());
    const { token } = await member();
    await client.checkPermission(token, 'workflows', 'view');
    expect(Object.keys(fake().recorder.last()!.headers).filter((h) => h.includes('inkpass'))).toEqual([]);
  });
});
