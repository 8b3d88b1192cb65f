import { describe, expect, it } from 'vitest';
import {
  ArtifactGatewayError,
  checkFilter,
  checkLimit,
  checkUpdate,
  collectionName,
  InternalProxy,
  normaliseInternalPath,
  StateStore,
  scopeFromRole,
  tenantKey,
  VersionConflictError,
} from '../src/index.ts';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return ArtifactGatewayError.isInstance(error) ? error.code : 'other';
  }
  return undefined;
}

describe('Mongo validation', () => {
  it('refuses server-side JavaScript anywhere in a filter or update', () => {
    const attacks = [
      { $where: 'sleep(1000)' },
      { a: { $where: 'x' } },
      { $and: [{ b: 1 }, { $expr: { $function: { body: 'x', args: [], lang: 'js' } } }] },
      { $or: [{ c: { $elemMatch: { $where: '1' } } }] },
      { $expr: { $eq: [1, 1] } },
      { a: { $accumulator: {} } },
    ];
    for (const filter of attacks)
      expect(
        codeOf(() => checkFilter(filter)),
        JSON.stringify(filter),
      ).toBe('invalid_request');
    expect(codeOf(() => checkUpdate({ $set: { a: { $function: {} } } }))).toBe('invalid_request');
    expect(codeOf(() => checkUpdate({ a: 1 }))).toBe('invalid_request');
    expect(codeOf(() => checkUpdate({}))).toBe('invalid_request');
  });

  it('passes ordinary filters and updates, and bounds depth, size, regexes and limits', () => {
    expect(
      checkFilter({
        status: 'active',
        n: { $gte: 2, $in: [1, 2] },
        $or: [{ a: 1 }, { b: { $exists: true } }],
      }),
    ).toBeTruthy();
    expect(
      checkUpdate({ $set: { content: 'updated' }, $inc: { n: 1 }, $push: { tags: { $each: ['a'] } } }),
    ).toBeTruthy();
    let deep: Record<string, unknown> = { a: 1 };
    for (let i = 0; i < 20; i++) deep = { x: deep };
    expect(codeOf(() => checkFilter(deep))).toBe('invalid_request');
    expect(codeOf(() => checkFilter({ a: { $regex: 'a'.repeat(300) } }))).toBe('invalid_request');
    expect(codeOf(() => checkFilter({ a: 'x'.repeat(300_000) }))).toBe('invalid_request');
    expect(codeOf(() => checkFilter([]))).toBe('invalid_request');
    expect(checkLimit(undefined)).toBe(100);
    for (const bad of [0, 10_001, 1.5, '10']) expect(codeOf(() => checkLimit(bad))).toBe('invalid_request');
  });

  it('names collections unambiguously', () => {
    expect(collectionName('user', 'user-1', 'notes')).toBe('app_user_user-1.notes');
    expect(collectionName('user', 'a_b', 'c')).not.toBe(collectionName('user', 'a', 'b_c'));
    expect(collectionName('session', 'sess-1', 'notes')).toBe('app_session_sess-1.notes');
    for (const [id, name] of [
      ['a.b', 'c'],
      ['a', 'system.users'],
      ['a', 'b$c'],
      ['', 'c'],
      ['a', ''],
    ])
      expect(codeOf(() => collectionName('user', id, name!))).toBe('invalid_request');
    expect(codeOf(() => collectionName('session', undefined, 'c'))).toBe('invalid_request');
  });
});

describe('internal path normalisation', () => {
  it('refuses dot segments (plain and encoded), backslashes, double encoding and empty segments', () => {
    for (const path of [
      '/api/agent/../admin',
      '/api/agent/%2e%2e/admin',
      '/api/agent/%2E%2E%2Fadmin',
      '/api/agent/.',
      '/api/agent\\..',
      '/api/agent/%5c..',
      '/api/agent/%252e%252e',
      '/api//x',
      '/api/agent?x=1',
      '/api/agent/%00',
      '/api/a/%E0%A4%A',
      'api/agent',
      '/admin',
    ])
      expect(
        codeOf(() => normaliseInternalPath(path)),
        path,
      ).toBe('invalid_request');
    expect(normaliseInternalPath('/api/agent/my%20agent/')).toEqual(['api', 'agent', 'my agent']);
  });

  it('matches allowlist prefixes on segment boundaries and checks scopes first', () => {
    const proxy = new InternalProxy({ baseUrl: 'http://internal.test/' });
    const member = scopeFromRole('member');
    expect(proxy.authorize(member, 'GET', '/api/agent/my%20agent')).toBe('/api/agent/my%20agent');
    expect(codeOf(() => proxy.authorize(member, 'GET', '/api/agentfoo'))).toBe('permission_denied');
    expect(codeOf(() => proxy.authorize(member, 'PATCH', '/api/agent'))).toBe('permission_denied');
    expect(codeOf(() => proxy.authorize(scopeFromRole('viewer'), 'DELETE', '/api/agent'))).toBe(
      'permission_denied',
    );
    expect(codeOf(() => proxy.authorize([], 'GET', '/api/agent'))).toBe('permission_denied');
  });
});

describe('StateStore', () => {
  it('merges patches, bumps versions, detects conflicts and keeps history', async () => {
    let clock = Date.UTC(2026, 0, 1);
    const store = new StateStore({ now: () => clock });
    const tenant = tenantKey({ accountId: 'acc', userId: 'u' });
    expect(tenant).toBe('account:acc');
    expect(tenantKey({ sessionId: 's', accountId: 'a' })).toBe('session:s');
    expect(tenantKey({})).toBe('user:_unknown');
    expect(await store.set(tenant, 'ns', 1, { a: 1 })).toEqual({ ok: true, version: 1 });
    clock += 1000;
    await store.set(tenant, 'ns', '1', { b: 2 }, 1);
    const error = await store.set(tenant, 'ns', '1', { c: 3 }, 1).catch((e: unknown) => e);
    expect(VersionConflictError.isInstance(error) && error.currentVersion).toBe(2);
    expect(await store.get(tenant, 'ns', '1')).toEqual({
      ns: 'ns',
      resource_id: '1',
      data: { a: 1, b: 2 },
      version: 2,
      created_at: '2026-01-01T00:00:00.000Z',
      updated_at: '2026-01-01T00:00:01.000Z',
    });
    expect(await store.get('account:other', 'ns', '1')).toBeNull();
    await store.set(tenant, 'ns', 'r2', { a: 5 });
    expect((await store.list(tenant, 'ns', { a: { $gte: 2 } })).map((d) => d.resource_id)).toEqual(['r2']);
    expect((await store.list(tenant, 'ns', { 'data.b': 2 })).map((d) => d.resource_id)).toEqual(['1']);
    await expect(store.list(tenant, 'ns', { a: { $where: 'x' } })).rejects.toThrow(/not allowed/);
    expect(await store.delete(tenant, 'ns', '1')).toEqual({ ok: true, deleted: 1 });
    expect(await store.delete(tenant, 'ns', '1')).toEqual({ ok: true, deleted: 0 });
    expect((await store.history(tenant, 'ns', '1')).map((e) => e.op)).toEqual(['delete', 'set', 'set']);
    expect((await store.history(tenant, 'ns')).length).toBe(4);
    await expect(store.set(tenant, 'ns', 'x', { 'a.b': 1 })).rejects.toThrow(/not allowed/);
    await expect(store.set(tenant, 'ns', 'x', { $set: 1 })).rejects.toThrow(/not allowed/);
    await expect(store.set(tenant, '../ns', 'x', {})).rejects.toThrow(/namespace/);
  });
});
