/**
 * The state store on MongoDB with upstream's layout: `app_state` (one document per tenant,
 * namespace and resource; unique index `tenant_ns_resource`) and `app_events` (append-only; index
 * `tenant_ns_resource_ts`), shared by all tenants. Unlike upstream's read-then-write, a `set` is one
 * conditional `findOneAndUpdate` on `{tenant, ns, resource_id, version}`, so of two sets with the same
 * expected version exactly one wins; a first insert racing another loses on the unique index. The
 * operation builders are plain functions, tested without a server; the driver calls need a real MongoDB.
 *
 * @module
 */
import type { Db, Document, Filter, UpdateFilter } from 'mongodb';
import { ArtifactGatewayError, VersionConflictError } from '../errors.ts';
import { checkName } from '../names.ts';
import type { StateDeleteResult, StateSetResult } from '../results.ts';
import {
  type CheckedSet,
  checkStateFilter,
  checkStateLimit,
  checkStateSet,
  checkStateSkip,
  resourceId,
  type StateBackend,
  type StateDocument,
  type StateEvent,
} from '../state.ts';

/** The collections and indexes upstream uses. */
export const MONGO_STATE_LAYOUT = {
  stateCollection: 'app_state',
  eventsCollection: 'app_events',
  stateIndex: { key: { tenant: 1, ns: 1, resource_id: 1 }, name: 'tenant_ns_resource', unique: true },
  eventsIndex: { key: { tenant: 1, ns: 1, resource_id: 1, ts: -1 }, name: 'tenant_ns_resource_ts' },
} as const;

/** A built `findOneAndUpdate` for a `set`. */
export interface MongoStateSetOperation {
  /** Matches the resource, and its current version when one is expected. */
  filter: Filter<Document>;
  /** `$set` of each `data.<key>` and `updated_at`, `$inc` of `version`, `$setOnInsert` of `created_at`. */
  update: UpdateFilter<Document>;
  /** Whether a missing document may be inserted (no expected version, or expected version 0). */
  upsert: boolean;
}

/**
 * Builds the conditional update of a checked `set`: a merge of the patch into `data`, the version bumped,
 * and — when a version is expected — a filter that only matches that version.
 */
export function buildStateSet(tenant: string, checked: CheckedSet, now: Date): MongoStateSetOperation {
  const filter: Filter<Document> = { tenant, ns: checked.ns, resource_id: checked.rid };
  const expected = checked.expectedVersion;
  if (expected !== undefined) filter['version'] = expected === 0 ? { $exists: false } : expected;
  const set: Record<string, unknown> = { updated_at: now };
  for (const [key, value] of Object.entries(checked.patch)) set[`data.${key}`] = value;
  return {
    filter,
    update: { $set: set, $inc: { version: 1 }, $setOnInsert: { created_at: now } },
    upsert: expected === undefined || expected === 0,
  };
}

/**
 * Builds the Mongo filter of a `list`: `tenant` in the caller's filter ignored, `resource_id`
 * and `data.*` keys kept, any other key `k` read as `data.k`; only the checked comparison operators.
 *
 * @throws {ArtifactGatewayError} `invalid_request` for other operators (`$where`, `$function`, …).
 */
export function buildStateListFilter(tenant: string, ns: string, filter: unknown): Filter<Document> {
  const out: Filter<Document> = { tenant, ns };
  for (const [key, condition] of checkStateFilter(filter)) {
    const field = key === 'resource_id' || key.startsWith('data.') ? key : `data.${key}`;
    out[field] = condition;
  }
  return out;
}

/** Builds the event document upstream appends (`_id` a UUID string). */
export function buildStateEvent(
  id: string,
  tenant: string,
  event: Omit<StateEvent, 'ts'>,
  now: Date,
): Document {
  return { _id: id, tenant, ...event, ts: now };
}

function iso(value: unknown): string {
  return value instanceof Date ? value.toISOString() : String(value);
}

function toDocument(doc: Document): StateDocument {
  return {
    ns: String(doc['ns']),
    resource_id: String(doc['resource_id']),
    data: (doc['data'] ?? {}) as Record<string, unknown>,
    version: Number(doc['version']),
    created_at: iso(doc['created_at']),
    updated_at: iso(doc['updated_at']),
  };
}

function toEvent(doc: Document): StateEvent {
  return {
    ns: String(doc['ns']),
    resource_id: String(doc['resource_id']),
    op: doc['op'] === 'delete' ? 'delete' : 'set',
    patch: (doc['patch'] ?? null) as Record<string, unknown> | null,
    version: doc['version'] === null || doc['version'] === undefined ? null : Number(doc['version']),
    ts: iso(doc['ts']),
  };
}

/** Options of {@link MongoStateStore}. */
export interface MongoStateStoreOptions {
  /** The database holding `app_state` and `app_events`. */
  db: Db;
  /** Largest patch as JSON, in bytes (default 256 KiB). */
  maxPatchBytes?: number;
  /** The clock (default `Date.now`). */
  now?: () => number;
  /** Makes event ids (default `crypto.randomUUID`). */
  newId?: () => string;
}

/**
 * Versioned per-tenant state with history on MongoDB (upstream's collections and document shapes).
 *
 * @example
 * ```ts
 * const client = await new MongoClient(process.env.MONGODB_URL!).connect();
 * const state = new MongoStateStore({ db: client.db('ohwise') });
 * await state.set('account:acc-1', 'boards', 'b1', { title: 'Plan' }); // { ok: true, version: 1 }
 * ```
 */
export class MongoStateStore implements StateBackend {
  readonly #db: Db;
  readonly #maxPatchBytes: number;
  readonly #now: () => number;
  readonly #newId: () => string;
  #indexes: Promise<unknown> | undefined;

  /** Creates a store; indexes are created on first use. See {@link MongoStateStoreOptions}. */
  constructor(options: MongoStateStoreOptions) {
    this.#db = options.db;
    this.#maxPatchBytes = options.maxPatchBytes ?? 256 * 1024;
    this.#now = options.now ?? Date.now;
    this.#newId = options.newId ?? (() => globalThis.crypto.randomUUID());
  }

  async #collections() {
    const state = this.#db.collection(MONGO_STATE_LAYOUT.stateCollection);
    const events = this.#db.collection(MONGO_STATE_LAYOUT.eventsCollection);
    this.#indexes ??= Promise.all([
      state.createIndex(MONGO_STATE_LAYOUT.stateIndex.key, {
        name: MONGO_STATE_LAYOUT.stateIndex.name,
        unique: true,
      }),
      events.createIndex(MONGO_STATE_LAYOUT.eventsIndex.key, { name: MONGO_STATE_LAYOUT.eventsIndex.name }),
    ]).catch((error: unknown) => {
      this.#indexes = undefined;
      throw unreachable(error);
    });
    await this.#indexes;
    return { state, events };
  }

  async #currentVersion(tenant: string, ns: string, rid: string): Promise<number> {
    const { state } = await this.#collections();
    const doc = await state.findOne({ tenant, ns, resource_id: rid }, { projection: { version: 1 } });
    return Number(doc?.['version'] ?? 0);
  }

  /**
   * Merges `patch` into the resource's data and bumps its version, atomically on the server.
   *
   * @throws {VersionConflictError} when `expectedVersion` is given and not current.
   */
  async set(
    tenant: string,
    ns: string,
    id: unknown,
    patch: unknown = {},
    expectedVersion?: number | null,
  ): Promise<StateSetResult> {
    const checked = checkStateSet(ns, id, patch, expectedVersion, this.#maxPatchBytes);
    const { state, events } = await this.#collections();
    const now = new Date(this.#now());
    const operation = buildStateSet(tenant, checked, now);
    let updated: Document | null;
    try {
      updated = await state.findOneAndUpdate(operation.filter, operation.update, {
        upsert: operation.upsert,
        returnDocument: 'after',
        projection: { version: 1 },
      });
    } catch (error) {
      // A duplicate key: another set inserted the resource first, so the expected version is stale.
      if ((error as { code?: number })?.code === 11000)
        throw VersionConflictError.at(await this.#currentVersion(tenant, ns, checked.rid));
      throw unreachable(error);
    }
    if (!updated) throw VersionConflictError.at(await this.#currentVersion(tenant, ns, checked.rid));
    const version = Number(updated['version']);
    await events.insertOne(
      buildStateEvent(
        this.#newId(),
        tenant,
        { ns, resource_id: checked.rid, op: 'set', patch: checked.patch, version },
        now,
      ),
    );
    return { ok: true, version };
  }

  /** The resource, or `null`. */
  async get(tenant: string, ns: string, id: unknown): Promise<StateDocument | null> {
    checkName(ns, 'namespace');
    const { state } = await this.#collections();
    const doc = await state.findOne({ tenant, ns, resource_id: resourceId(id) });
    return doc ? toDocument(doc) : null;
  }

  /** Resources matching `filter` (keys `resource_id`, `data.x` or `x` for `data.x`; comparison operators only), oldest first. */
  async list(
    tenant: string,
    ns: string,
    filter: unknown = {},
    limit = 200,
    skip = 0,
  ): Promise<StateDocument[]> {
    checkName(ns, 'namespace');
    const query = buildStateListFilter(tenant, ns, filter);
    checkStateLimit(limit);
    checkStateSkip(skip);
    const { state } = await this.#collections();
    const docs = await state.find(query).sort({ _id: 1 }).skip(skip).limit(limit).toArray();
    return docs.map(toDocument);
  }

  /** Deletes the current state; records a `delete` event only when something was deleted. */
  async delete(tenant: string, ns: string, id: unknown): Promise<StateDeleteResult> {
    checkName(ns, 'namespace');
    const rid = resourceId(id);
    const { state, events } = await this.#collections();
    const { deletedCount } = await state.deleteOne({ tenant, ns, resource_id: rid });
    if (deletedCount > 0)
      await events.insertOne(
        buildStateEvent(
          this.#newId(),
          tenant,
          { ns, resource_id: rid, op: 'delete', patch: null, version: null },
          new Date(this.#now()),
        ),
      );
    return { ok: true, deleted: deletedCount };
  }

  /** Events of one resource (or of the namespace for `null`), newest first. */
  async history(tenant: string, ns: string, id: unknown = null, limit = 100): Promise<StateEvent[]> {
    checkName(ns, 'namespace');
    checkStateLimit(limit);
    const query: Filter<Document> = { tenant, ns };
    if (id !== null && id !== undefined) query['resource_id'] = resourceId(id);
    const { events } = await this.#collections();
    const docs = await events.find(query).sort({ ts: -1, _id: -1 }).limit(limit).toArray();
    return docs.map(toEvent);
  }
}

function unreachable(error: unknown): ArtifactGatewayError {
  if (ArtifactGatewayError.isInstance(error)) return error;
  return new ArtifactGatewayError('MongoDB is unreachable', {
    code: 'upstream_error',
    status: 503,
    cause: error,
  });
}
