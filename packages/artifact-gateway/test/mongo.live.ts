// The Mongo routes against a real MongoDB server: `MONGODB_URL=mongodb://… pnpm --filter @x/artifact-gateway
// test:mongo`. No MongoDB server can be installed on our CI machines, so this file is not part of `pnpm test`
// (the validation layer is, in validation.test.ts). It fails loudly when MONGODB_URL is not set.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from '../src/client/index.ts';
import { startTestGateway, type TestGateway } from '../src/testing/index.ts';

const url = process.env.MONGODB_URL;
let gw: TestGateway;

beforeAll(async () => {
  if (!url) throw new Error('MONGODB_URL is not set: point it at a MongoDB server to run these tests');
  gw = await startTestGateway({ mongo: { url, dbName: `artifact_gateway_test_${Date.now()}` } });
});
afterAll(() => gw?.close());

describe('Mongo routes on a real server', () => {
  it('finds, upserts and deletes in the user collection, isolated per user', async () => {
    const alice = createClient({ token: await gw.issueToken('alice'), proxyBase: gw.proxyBase });
    const bob = createClient({ token: await gw.issueToken('bob'), proxyBase: gw.proxyBase });
    expect(
      await alice.db.upsert('notes', { key: 'n1' }, { $set: { content: 'hi', status: 'active' } }),
    ).toEqual({
      ok: true,
      matched: 0,
      modified: 0,
      upserted: true,
    });
    expect(await alice.db.upsert('notes', { key: 'n1' }, { $set: { content: 'updated' } })).toMatchObject({
      matched: 1,
      modified: 1,
      upserted: false,
    });
    const found = await alice.db.find('notes', { status: 'active' });
    expect(found.count).toBe(1);
    expect(found.data[0]).toMatchObject({ key: 'n1', content: 'updated' });
    expect(typeof found.data[0]!._id).toBe('string');
    expect((await bob.db.find('notes', {})).count).toBe(0);
    await expect(alice.db.find('notes', { $where: 'sleep(100) || true' })).rejects.toMatchObject({
      status: 400,
    });
    expect(await alice.db.delete('notes', { key: 'n1' })).toEqual({ ok: true, deleted: 1 });
  });

  it('keeps state in app_state / app_events with atomic version checks', async () => {
    const alice = createClient({ token: await gw.issueToken('alice'), proxyBase: gw.proxyBase });
    expect(await alice.state.set('boards', 'b1', { title: 'Plan' })).toEqual({ ok: true, version: 1 });
    expect(await alice.state.set('boards', 'b1', { done: true }, 1)).toEqual({ ok: true, version: 2 });
    await expect(alice.state.set('boards', 'b1', {}, 1)).rejects.toMatchObject({ status: 409 });
    await expect(alice.state.set('boards', 'new', {}, 3)).rejects.toMatchObject({ status: 409 });
    expect((await alice.state.get('boards', 'b1')).data).toMatchObject({
      data: { title: 'Plan', done: true },
      version: 2,
    });
    const outcomes = await Promise.allSettled(
      Array.from({ length: 6 }, (_, i) => alice.state.set('boards', 'b1', { n: i }, 2)),
    );
    expect(outcomes.filter((o) => o.status === 'fulfilled').length).toBe(1);
    const fresh = await Promise.allSettled(
      Array.from({ length: 4 }, (_, i) => alice.state.set('boards', 'b2', { n: i }, 0)),
    );
    expect(fresh.filter((o) => o.status === 'fulfilled').length).toBe(1);
    expect((await alice.state.list('boards', { done: true })).count).toBe(1);
    expect(await alice.state.remove('boards', 'b1')).toEqual({ ok: true, deleted: 1 });
    expect(await alice.state.remove('boards', 'b1')).toEqual({ ok: true, deleted: 0 });
    const events = (await alice.state.history('boards', 'b1')).data;
    expect(events.map((e) => e.op)).toEqual(['delete', 'set', 'set', 'set']);
  });
});
