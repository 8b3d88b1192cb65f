/**
 * The state store: versioned JSON documents per tenant, namespace and resource, with an
 * append-only event history. {@link StateBackend} is what the gateway needs; three backends implement it
 * with the same semantics (merge patches, `expectedVersion` checked atomically, a `delete` event only when
 * something was deleted): {@link StateStore} in process memory (tests, single short-lived processes),
 * `DuckDbStateStore` in a DuckDB file (the gateway's default; survives restarts) and `MongoStateStore` on
 * upstream's `app_state` / `app_events` collections (both in `@x/artifact-gateway/node`). Upstream's
 * read-then-write lets two concurrent sets with the same expected version both succeed; ours do not.
 *
 * @module
 */
import { invalidRequest, VersionConflictError } from './errors.ts';
import { checkName } from './names.ts';
import type { StateDeleteResult, StateSetResult } from './results.ts';

/** A state document as `get`/`list` return it. */
export interface StateDocument {
  /** The namespace. */
  ns: string;
  /** The resource id (always a string). */
  resource_id: string;
  /** The merged data. */
  data: Record<string, unknown>;
  /** Increases by one on every set. */
  version: number;
  /** ISO time of the first set. */
  created_at: string;
  /** ISO time of the last set. */
  updated_at: string;
}

/** One history event. */
export interface StateEvent {
  /** The namespace. */
  ns: string;
  /** The resource id. */
  resource_id: string;
  /** `set` or `delete`. */
  op: 'set' | 'delete';
  /** The patch of a set, `null` for a delete. */
  patch: Record<string, unknown> | null;
  /** The version after a set, `null` for a delete. */
  version: number | null;
  /** ISO time. */
  ts: string;
}

/** What the gateway's `state/*` routes need from a state store. */
export interface StateBackend {
  /**
   * Merges `patch` into the resource's data and bumps its version; records a `set` event.
   *
   * @throws {VersionConflictError} when `expectedVersion` is given and not current.
   */
  set(
    tenant: string,
    ns: string,
    id: unknown,
    patch?: unknown,
    expectedVersion?: number | null,
  ): Promise<StateSetResult>;
  /** The resource, or `null`. */
  get(tenant: string, ns: string, id: unknown): Promise<StateDocument | null>;
  /** Resources matching `filter` (keys `resource_id`, `data.x` or `x` for `data.x`; comparison operators only), oldest first. */
  list(tenant: string, ns: string, filter?: unknown, limit?: number, skip?: number): Promise<StateDocument[]>;
  /** Deletes the current state; records a `delete` event only when something was deleted. */
  delete(tenant: string, ns: string, id: unknown): Promise<StateDeleteResult>;
  /** Events of one resource (or of the namespace for `null`), newest first. */
  history(tenant: string, ns: string, id?: unknown, limit?: number): Promise<StateEvent[]>;
  /** Releases files or connections the store holds (optional). */
  close?(): Promise<void>;
}

/** Options of {@link StateStore}. */
export interface StateStoreOptions {
  /** Events kept per tenant and namespace (default 1000; the oldest go first). */
  maxEvents?: number;
  /** Resources kept per tenant and namespace (default 10 000). */
  maxResources?: number;
  /** Largest patch as JSON, in bytes (default 256 KiB). */
  maxPatchBytes?: number;
  /** The clock (default `Date.now`). */
  now?: () => number;
}

/**
 * The tenant key of a caller: the session wins, then the account, then the user.
 *
 * @example
 * ```ts
 * tenantKey({ accountId: 'acc-1', userId: 'u-1' }); // 'account:acc-1'
 * ```
 */
export function tenantKey(ids: { accountId?: string; userId?: string; sessionId?: string }): string {
  if (ids.sessionId) return `session:${ids.sessionId}`;
  if (ids.accountId) return `account:${ids.accountId}`;
  return `user:${ids.userId || '_unknown'}`;
}

const FILTER_OPERATORS = new Set(['$eq', '$ne', '$gt', '$gte', '$lt', '$lte', '$in', '$nin', '$exists']);

/** Checks and stringifies a resource id (always a string). */
export function resourceId(value: unknown): string {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value !== 'string' || value === '' || value.length > 256)
    throw invalidRequest('resource_id must be a non-empty string of at most 256 characters');
  return value;
}

function getPath(doc: StateDocument, key: string): unknown {
  const path =
    key === 'resource_id'
      ? ['resource_id']
      : key.startsWith('data.')
        ? key.split('.')
        : ['data', ...key.split('.')];
  let value: unknown = doc;
  for (const part of path)
    value =
      value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[part] : undefined;
  return value;
}

function compare(a: unknown, b: unknown): number | undefined {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  return undefined;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

function matches(value: unknown, condition: unknown): boolean {
  if (condition === null || typeof condition !== 'object' || Array.isArray(condition))
    return same(value, condition);
  const entries = Object.entries(condition);
  if (!entries.some(([k]) => k.startsWith('$'))) return same(value, condition);
  return entries.every(([op, arg]) => {
    if (!FILTER_OPERATORS.has(op)) throw invalidRequest(`filter operator ${op} is not allowed`);
    const c = compare(value, arg);
    switch (op) {
      case '$eq':
        return same(value, arg);
      case '$ne':
        return !same(value, arg);
      case '$gt':
        return c !== undefined && c > 0;
      case '$gte':
        return c !== undefined && c >= 0;
      case '$lt':
        return c !== undefined && c < 0;
      case '$lte':
        return c !== undefined && c <= 0;
      case '$in':
        return Array.isArray(arg) && arg.some((x) => same(value, x));
      case '$nin':
        return Array.isArray(arg) && !arg.some((x) => same(value, x));
      default:
        return (value !== undefined) === Boolean(arg);
    }
  });
}

/** A checked `set` call: the namespace, id, a private copy of the patch, and the expected version. */
export interface CheckedSet {
  /** The namespace. */
  ns: string;
  /** The resource id. */
  rid: string;
  /** A copy of the patch (top-level keys are plain field names). */
  patch: Record<string, unknown>;
  /** The version the caller expects, or `undefined` for none. */
  expectedVersion: number | undefined;
}

/**
 * Checks the input of a `set` for every backend: namespace and id, a plain-object patch whose keys are
 * field names (no `.`, no leading `$`, not `__proto__`) within `maxPatchBytes`, a whole expected version.
 *
 * @throws {ArtifactGatewayError} `invalid_request`.
 */
export function checkStateSet(
  ns: string,
  id: unknown,
  patch: unknown,
  expectedVersion: number | null | undefined,
  maxPatchBytes: number,
): CheckedSet {
  checkName(ns, 'namespace');
  const rid = resourceId(id);
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch))
    throw invalidRequest('patch must be an object');
  for (const key of Object.keys(patch))
    if (key === '' || key.includes('.') || key.startsWith('$') || key === '__proto__')
      throw invalidRequest(`patch key ${JSON.stringify(key)} is not allowed (no ".", no leading "$")`);
  if (new TextEncoder().encode(JSON.stringify(patch)).byteLength > maxPatchBytes)
    throw invalidRequest(`patch is larger than ${maxPatchBytes} bytes`);
  if (expectedVersion !== undefined && expectedVersion !== null && !Number.isInteger(expectedVersion))
    throw invalidRequest('expected_version must be a whole number');
  return {
    ns,
    rid,
    patch: structuredClone(patch) as Record<string, unknown>,
    expectedVersion: expectedVersion ?? undefined,
  };
}

/** A checked list filter: `[key, condition]` pairs, `tenant` dropped. */
export type StateFilter = Array<[string, unknown]>;

/**
 * Checks a `list` filter for every backend: an object whose conditions use only
 * `$eq $ne $gt $gte $lt $lte $in $nin $exists` (anything else, e.g. `$where`, is refused up front).
 *
 * @throws {ArtifactGatewayError} `invalid_request`.
 */
export function checkStateFilter(filter: unknown): StateFilter {
  if (filter === null || typeof filter !== 'object' || Array.isArray(filter))
    throw invalidRequest('filter must be an object');
  const conditions = Object.entries(filter).filter(([key]) => key !== 'tenant');
  for (const [key, condition] of conditions) {
    if (
      key === '' ||
      key.startsWith('$') ||
      key.split('.').some((part) => part === '' || part === '__proto__')
    )
      throw invalidRequest(`filter key ${JSON.stringify(key)} is not allowed`);
    if (condition !== null && typeof condition === 'object' && !Array.isArray(condition))
      for (const op of Object.keys(condition))
        if (op.startsWith('$') && !FILTER_OPERATORS.has(op))
          throw invalidRequest(`filter operator ${op} is not allowed`);
  }
  return conditions;
}

/** Whether `doc` matches every checked condition (the in-process evaluation of a list filter). */
export function matchesStateFilter(doc: StateDocument, conditions: StateFilter): boolean {
  return conditions.every(([key, condition]) => matches(getPath(doc, key), condition));
}

/**
 * Checks a `list` or `history` limit (1–1000).
 *
 * @throws {ArtifactGatewayError} `invalid_request`.
 */
export function checkStateLimit(limit: number): number {
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000)
    throw invalidRequest('limit must be from 1 to 1000');
  return limit;
}

/**
 * Checks a `list` skip (a whole number ≥ 0).
 *
 * @throws {ArtifactGatewayError} `invalid_request`.
 */
export function checkStateSkip(skip: number): number {
  if (!Number.isInteger(skip) || skip < 0) throw invalidRequest('skip must be a whole number of 0 or more');
  return skip;
}

interface Space {
  docs: Map<string, StateDocument>;
  events: StateEvent[];
}

/**
 * Versioned per-tenant state with history.
 *
 * @example
 * ```ts
 * const state = new StateStore();
 * const { version } = await state.set('account:acc-1', 'boards', 'b1', { title: 'Plan' });
 * await state.set('account:acc-1', 'boards', 'b1', { done: true }, version); // ok; a stale version throws VersionConflictError
 * ```
 */
export class StateStore implements StateBackend {
  readonly #spaces = new Map<string, Space>();
  readonly #maxEvents: number;
  readonly #maxResources: number;
  readonly #maxPatchBytes: number;
  readonly #now: () => number;

  /** Creates a store; see {@link StateStoreOptions}. */
  constructor(options: StateStoreOptions = {}) {
    this.#maxEvents = options.maxEvents ?? 1000;
    this.#maxResources = options.maxResources ?? 10_000;
    this.#maxPatchBytes = options.maxPatchBytes ?? 256 * 1024;
    this.#now = options.now ?? Date.now;
  }

  #space(tenant: string, ns: string): Space {
    const key = `${tenant}\u0000${checkName(ns, 'namespace')}`;
    let space = this.#spaces.get(key);
    if (!space) {
      space = { docs: new Map(), events: [] };
      this.#spaces.set(key, space);
    }
    return space;
  }

  #event(space: Space, event: StateEvent): void {
    space.events.push(event);
    if (space.events.length > this.#maxEvents) space.events.splice(0, space.events.length - this.#maxEvents);
  }

  /**
   * Merges `patch` into the resource's data and bumps its version.
   *
   * @throws {VersionConflictError} when `expectedVersion` is given and not current.
   * @throws {ArtifactGatewayError} `invalid_request` for a bad namespace, id or patch.
   */
  async set(
    tenant: string,
    ns: string,
    id: unknown,
    patch: unknown = {},
    expectedVersion?: number | null,
  ): Promise<StateSetResult> {
    const checked = checkStateSet(ns, id, patch, expectedVersion, this.#maxPatchBytes);
    const { rid, patch: copy } = checked;
    const space = this.#space(tenant, ns);
    const current = space.docs.get(rid);
    const currentVersion = current?.version ?? 0;
    if (checked.expectedVersion !== undefined && checked.expectedVersion !== currentVersion)
      throw VersionConflictError.at(currentVersion);
    if (!current && space.docs.size >= this.#maxResources)
      throw invalidRequest(`this namespace holds the maximum of ${this.#maxResources} resources`);
    const ts = new Date(this.#now()).toISOString();
    const doc: StateDocument = {
      ns,
      resource_id: rid,
      data: { ...current?.data, ...copy },
      version: currentVersion + 1,
      created_at: current?.created_at ?? ts,
      updated_at: ts,
    };
    space.docs.set(rid, doc);
    this.#event(space, { ns, resource_id: rid, op: 'set', patch: copy, version: doc.version, ts });
    return { ok: true, version: doc.version };
  }

  /** The resource, or `null`. */
  async get(tenant: string, ns: string, id: unknown): Promise<StateDocument | null> {
    const doc = this.#space(tenant, ns).docs.get(resourceId(id));
    return doc ? structuredClone(doc) : null;
  }

  /**
   * Resources whose fields match `filter` (keys: `resource_id`, `data.x` or `x` meaning `data.x`; values
   * literal or with `$eq $ne $gt $gte $lt $lte $in $nin $exists`), oldest first.
   */
  async list(
    tenant: string,
    ns: string,
    filter: unknown = {},
    limit = 200,
    skip = 0,
  ): Promise<StateDocument[]> {
    const conditions = checkStateFilter(filter);
    checkStateLimit(limit);
    checkStateSkip(skip);
    const out: StateDocument[] = [];
    let skipped = 0;
    for (const doc of this.#space(tenant, ns).docs.values()) {
      if (!matchesStateFilter(doc, conditions)) continue;
      if (skipped++ < skip) continue;
      out.push(structuredClone(doc));
      if (out.length >= limit) break;
    }
    return out;
  }

  /** Deletes the resource's current state; records a `delete` event when something was deleted. */
  async delete(tenant: string, ns: string, id: unknown): Promise<StateDeleteResult> {
    const space = this.#space(tenant, ns);
    const rid = resourceId(id);
    const deleted = space.docs.delete(rid) ? 1 : 0;
    if (deleted)
      this.#event(space, {
        ns,
        resource_id: rid,
        op: 'delete',
        patch: null,
        version: null,
        ts: new Date(this.#now()).toISOString(),
      });
    return { ok: true, deleted };
  }

  /** Events of one resource (or of the namespace for `null`), newest first. */
  async history(tenant: string, ns: string, id: unknown = null, limit = 100): Promise<StateEvent[]> {
    checkStateLimit(limit);
    const rid = id === null || id === undefined ? undefined : resourceId(id);
    const out: StateEvent[] = [];
    const events = this.#space(tenant, ns).events;
    for (let i = events.length - 1; i >= 0 && out.length < limit; i--)
      if (rid === undefined || events[i]!.resource_id === rid) out.push(structuredClone(events[i]!));
    return out;
  }
}
