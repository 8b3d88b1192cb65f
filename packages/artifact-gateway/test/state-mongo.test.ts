// The Mongo state store's building layer, without a server (the driver calls run in mongo.live.ts).
import { describe, expect, it } from 'vitest';
import { ArtifactGatewayError } from '../src/errors.ts';
import {
  buildStateEvent,
  buildStateListFilter,
  buildStateSet,
  MONGO_STATE_LAYOUT,
} from '../src/node/state-mongo.ts';
import { checkStateSet } from '../src/state.ts';

const now = new Date('2026-01-01T10:00:00Z');
const tenant = 'account:acc-1';

describe('Mongo state operations', () => {
  it("uses spec §8.1's collections and indexes", () => {
    expect(MONGO_STATE_LAYOUT).toEqual({
      stateCollection: 'app_state',
      eventsCollection: 'app_events',
      stateIndex: { key: { tenant: 1, ns: 1, resource_id: 1 }, name: 'tenant_ns_resource', unique: true },
      eventsIndex: { key: { tenant: 1, ns: 1, resource_id: 1, ts: -1 }, name: 'tenant_ns_resource_ts' },
    });
    expect(Object.keys(MONGO_STATE_LAYOUT.eventsIndex.key)).toEqual(['tenant', 'ns', 'resource_id', 'ts']);
  });

  it('merges a patch into data.<key> and bumps the version, upserting without an expected version', () => {
    const op = buildStateSet(
      tenant,
      checkStateSet('boards', 7, { title: 'Plan', tags: ['a'] }, null, 1024),
      now,
    );
    expect(op).toEqual({
      filter: { tenant, ns: 'boards', resource_id: '7' },
      update: {
        $set: { updated_at: now, 'data.title': 'Plan', 'data.tags': ['a'] },
        $inc: { version: 1 },
        $setOnInsert: { created_at: now },
      },
      upsert: true,
    });
  });

  it('matches only the expected version; a missing resource is expected as version 0', () => {
    const at3 = buildStateSet(tenant, checkStateSet('boards', 'b1', {}, 3, 1024), now);
    expect(at3.filter).toEqual({ tenant, ns: 'boards', resource_id: 'b1', version: 3 });
    expect(at3.upsert).toBe(false);
    const fresh = buildStateSet(tenant, checkStateSet('boards', 'b1', {}, 0, 1024), now);
    expect(fresh.filter).toEqual({ tenant, ns: 'boards', resource_id: 'b1', version: { $exists: false } });
    expect(fresh.upsert).toBe(true);
  });

  it('refuses operator and dotted patch keys before anything reaches Mongo', () => {
    for (const patch of [{ $set: { a: 1 } }, { 'a.b': 1 }, { '': 1 }, []])
      expect(() => checkStateSet('boards', 'b1', patch, null, 1024)).toThrow(ArtifactGatewayError);
    expect(() => checkStateSet('bad.ns', 'b1', {}, null, 1024)).toThrow(/namespace/);
    expect(() => checkStateSet('boards', 'b1', { big: 'x'.repeat(2000) }, null, 1024)).toThrow(/larger/);
    expect(() => checkStateSet('boards', 'b1', {}, 1.5, 1024)).toThrow(/whole number/);
  });

  it('rewrites list filters to data.<key>, drops tenant, and refuses server-side JS', () => {
    expect(
      buildStateListFilter(tenant, 'boards', {
        tenant: 'account:someone-else',
        status: 'open',
        'data.n': { $gt: 2 },
        resource_id: { $in: ['a', 'b'] },
      }),
    ).toEqual({
      tenant,
      ns: 'boards',
      'data.status': 'open',
      'data.n': { $gt: 2 },
      resource_id: { $in: ['a', 'b'] },
    });
    for (const filter of [
      { $where: 'sleep(1000)' },
      { n: { $where: 'true' } },
      { n: { $function: {} } },
      { n: { $regex: '.*' } },
      { 'a..b': 1 },
      'x',
    ])
      expect(() => buildStateListFilter(tenant, 'boards', filter)).toThrow(ArtifactGatewayError);
  });

  it('builds event documents in upstream shape', () => {
    expect(
      buildStateEvent(
        'uuid-1',
        tenant,
        { ns: 'boards', resource_id: 'b1', op: 'delete', patch: null, version: null },
        now,
      ),
    ).toEqual({
      _id: 'uuid-1',
      tenant,
      ns: 'boards',
      resource_id: 'b1',
      op: 'delete',
      patch: null,
      version: null,
      ts: now,
    });
  });
});
