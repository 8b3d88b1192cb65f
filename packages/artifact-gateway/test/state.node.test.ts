import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from '../src/client/index.ts';
import { ArtifactGatewayError, type StateBackend, StateStore, VersionConflictError } from '../src/index.ts';
import { DuckDbStateStore } from '../src/node/index.ts';
import { startTestGateway } from '../src/testing/index.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ag-state-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

let clock = Date.parse('2026-01-01T00:00:00Z');
const now = () => (clock += 1000);

const backends: Array<[string, () => StateBackend]> = [
  ['in-memory StateStore', () => new StateStore({ now, maxEvents: 5 })],
  [
    'DuckDbStateStore',
    () => new DuckDbStateStore({ path: join(dir, `s-${Math.random()}`, 'state.duckdb'), now, maxEvents: 5 }),
  ],
];

describe.each(backends)('%s', (_name, make) => {
  const tenant = 'account:acc-1';

  it('merges patches, bumps versions and checks the expected version', async () => {
    const state = make();
    try {
      expect(await state.set(tenant, 'boards', 'b1', { title: 'Plan' })).toEqual({ ok: true, version: 1 });
      expect(await state.set(tenant, 'boards', 'b1', { done: true }, 1)).toEqual({ ok: true, version: 2 });
      const error = await state.set(tenant, 'boards', 'b1', { done: false }, 1).catch((e: unknown) => e);
      expect(VersionConflictError.isInstance(error)).toBe(true);
      expect((error as VersionConflictError).currentVersion).toBe(2);
      expect(await state.set(tenant, 'boards', 7, {}, 0)).toEqual({ ok: true, version: 1 });
      const doc = await state.get(tenant, 'boards', 'b1');
      expect(doc).toMatchObject({
        ns: 'boards',
        resource_id: 'b1',
        data: { title: 'Plan', done: true },
        version: 2,
      });
      expect(doc!.created_at < doc!.updated_at).toBe(true);
      expect(await state.get('account:other', 'boards', 'b1')).toBeNull();
      expect((await state.list(tenant, 'boards', { done: true })).map((d) => d.resource_id)).toEqual(['b1']);
      expect((await state.list(tenant, 'boards', {})).map((d) => d.resource_id)).toEqual(['b1', '7']);
      expect((await state.list(tenant, 'boards', { resource_id: { $in: ['7'] } })).length).toBe(1);
      await expect(state.list(tenant, 'boards', { title: { $where: 'true' } })).rejects.toThrow(/\$where/);
      await expect(state.set(tenant, 'boards', 'b1', { 'a.b': 1 })).rejects.toThrow(ArtifactGatewayError);
      await expect(state.list(tenant, 'boards', {}, 10, -1)).rejects.toThrow(/skip/);
      expect((await state.list(tenant, 'boards', {}, 10, 1)).map((d) => d.resource_id)).toEqual(['7']);
    } finally {
      await state.close?.();
    }
  });

  it('logs a delete only when something was deleted, newest first, bounded', async () => {
    const state = make();
    try {
      await state.set(tenant, 'notes', 'n1', { text: 'a' });
      expect(await state.delete(tenant, 'notes', 'n1')).toEqual({ ok: true, deleted: 1 });
      expect(await state.delete(tenant, 'notes', 'n1')).toEqual({ ok: true, deleted: 0 });
      expect((await state.history(tenant, 'notes', 'n1')).map((e) => [e.op, e.version, e.patch])).toEqual([
        ['delete', null, null],
        ['set', 1, { text: 'a' }],
      ]);
      for (let i = 0; i < 6; i++) await state.set(tenant, 'notes', 'n2', { i });
      const all = await state.history(tenant, 'notes');
      expect(all.length).toBe(5);
      expect(all[0]).toMatchObject({ resource_id: 'n2', op: 'set', version: 6, patch: { i: 5 } });
    } finally {
      await state.close?.();
    }
  });

  it('lets exactly one of several concurrent sets with the same expected version win', async () => {
    const state = make();
    try {
      await state.set(tenant, 'race', 'r', { n: 0 });
      const outcomes = await Promise.allSettled(
        Array.from({ length: 8 }, (_, i) => state.set(tenant, 'race', 'r', { n: i + 1 }, 1)),
      );
      expect(outcomes.filter((o) => o.status === 'fulfilled').length).toBe(1);
      for (const o of outcomes)
        if (o.status === 'rejected') expect(VersionConflictError.isInstance(o.reason)).toBe(true);
      expect((await state.get(tenant, 'race', 'r'))!.version).toBe(2);
    } finally {
      await state.close?.();
    }
  });
});

describe('DuckDbStateStore on disk', () => {
  it('reads state and history back after a restart', async () => {
    const path = join(dir, 'restart', 'state.duckdb');
    const first = new DuckDbStateStore({ path });
    await first.set('user:u', 'boards', 'b1', { title: 'Plan' });
    await first.set('user:u', 'boards', 'b1', { done: true }, 1);
    await first.close();
    const second = new DuckDbStateStore({ path });
    try {
      expect(await second.get('user:u', 'boards', 'b1')).toMatchObject({
        data: { title: 'Plan', done: true },
        version: 2,
      });
      expect((await second.history('user:u', 'boards', 'b1')).map((e) => e.version)).toEqual([2, 1]);
      expect(await second.set('user:u', 'boards', 'b1', {}, 2)).toEqual({ ok: true, version: 3 });
    } finally {
      await second.close();
    }
  });
});

describe('gateway state', () => {
  it('survives a gateway restart on the same workspace (DuckDB default)', async () => {
    const workspace = join(dir, 'gw-workspace');
    const first = await startTestGateway({ workspace });
    const a = createClient({ token: await first.issueToken('alice'), proxyBase: first.proxyBase });
    expect(await a.state.set('boards', 'b1', { title: 'Plan' })).toEqual({ ok: true, version: 1 });
    await first.close();

    const second = await startTestGateway({ workspace });
    try {
      const b = createClient({ token: await second.issueToken('alice'), proxyBase: second.proxyBase });
      expect((await b.state.get('boards', 'b1')).data).toMatchObject({ data: { title: 'Plan' }, version: 1 });
      expect((await b.state.history('boards', 'b1')).count).toBe(1);
    } finally {
      await second.close();
    }
  });

  it('answers concurrent sets with the same expected_version with one 200 and 409s', async () => {
    const gw = await startTestGateway();
    try {
      const token = await gw.issueToken('bob');
      const post = (body: unknown) =>
        fetch(`${gw.proxyBase}state/race/set`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify(body),
        });
      expect((await post({ resource_id: 'r', patch: { n: 0 } })).status).toBe(200);
      const responses = await Promise.all(
        Array.from({ length: 6 }, (_, i) => post({ resource_id: 'r', patch: { n: i }, expected_version: 1 })),
      );
      const statuses = responses.map((r) => r.status).sort();
      expect(statuses).toEqual([200, 409, 409, 409, 409, 409]);
      const conflict = await responses.find((r) => r.status === 409)!.json();
      expect(conflict).toEqual({ detail: expect.stringMatching(/version conflict/), current_version: 2 });
    } finally {
      await gw.close();
    }
  });
});
