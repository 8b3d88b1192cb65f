/**
 * A durable state store in one DuckDB file: the gateway's default, so versions and history survive a
 * restart without MongoDB. Same tables as upstream's collections (`app_state`, `app_events`), same
 * semantics as the in-memory store. Every call runs on one connection, one at a time, and a `set` (read the
 * version, write the document, append the event, trim old events) is one transaction: two concurrent sets
 * with the same expected version cannot both succeed, and a crash never leaves a document without its event.
 *
 * @module
 */
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { DuckDBConnection, DuckDBInstance, DuckDBValue } from '@duckdb/node-api';
import { invalidRequest, VersionConflictError } from '../errors.ts';
import { checkName } from '../names.ts';
import type { StateDeleteResult, StateSetResult } from '../results.ts';
import {
  checkStateFilter,
  checkStateLimit,
  checkStateSet,
  checkStateSkip,
  matchesStateFilter,
  resourceId,
  type StateBackend,
  type StateDocument,
  type StateEvent,
  type StateStoreOptions,
} from '../state.ts';
import { loadDuckDb, sandboxSettings } from './duckdb.ts';

/** Options of {@link DuckDbStateStore}. */
export interface DuckDbStateStoreOptions extends StateStoreOptions {
  /** The DuckDB file (created with its folder when missing). */
  path: string;
}

const SCHEMA = [
  'CREATE SEQUENCE IF NOT EXISTS state_seq',
  `CREATE TABLE IF NOT EXISTS app_state (
    tenant VARCHAR NOT NULL, ns VARCHAR NOT NULL, resource_id VARCHAR NOT NULL, data VARCHAR NOT NULL,
    version INTEGER NOT NULL, created_at VARCHAR NOT NULL, updated_at VARCHAR NOT NULL, seq BIGINT NOT NULL,
    PRIMARY KEY (tenant, ns, resource_id))`,
  `CREATE TABLE IF NOT EXISTS app_events (
    id VARCHAR PRIMARY KEY, tenant VARCHAR NOT NULL, ns VARCHAR NOT NULL, resource_id VARCHAR NOT NULL,
    op VARCHAR NOT NULL, patch VARCHAR, version INTEGER, ts VARCHAR NOT NULL, seq BIGINT NOT NULL)`,
  'CREATE INDEX IF NOT EXISTS tenant_ns_resource_ts ON app_events (tenant, ns, resource_id, seq)',
];

type Row = Record<string, DuckDBValue>;

function toDocument(row: Row): StateDocument {
  return {
    ns: String(row['ns']),
    resource_id: String(row['resource_id']),
    data: JSON.parse(String(row['data'])) as Record<string, unknown>,
    version: Number(row['version']),
    created_at: String(row['created_at']),
    updated_at: String(row['updated_at']),
  };
}

function toEvent(row: Row): StateEvent {
  return {
    ns: String(row['ns']),
    resource_id: String(row['resource_id']),
    op: row['op'] === 'delete' ? 'delete' : 'set',
    patch: row['patch'] === null ? null : (JSON.parse(String(row['patch'])) as Record<string, unknown>),
    version: row['version'] === null ? null : Number(row['version']),
    ts: String(row['ts']),
  };
}

const DOC_COLUMNS = 'ns, resource_id, data, version, created_at, updated_at';

/**
 * Versioned per-tenant state with history in a DuckDB file.
 *
 * @example
 * ```ts
 * const state = new DuckDbStateStore({ path: '/var/gateway/state.duckdb' });
 * const { version } = await state.set('account:acc-1', 'boards', 'b1', { title: 'Plan' });
 * await state.close(); // a new store on the same file reads { title: 'Plan' }, version 1
 * ```
 */
export class DuckDbStateStore implements StateBackend {
  readonly #path: string;
  readonly #maxEvents: number;
  readonly #maxResources: number;
  readonly #maxPatchBytes: number;
  readonly #now: () => number;
  #open: Promise<{ instance: DuckDBInstance; connection: DuckDBConnection }> | undefined;
  #queue: Promise<unknown> = Promise.resolve();

  /** Creates a store; the file is opened on first use. See {@link DuckDbStateStoreOptions}. */
  constructor(options: DuckDbStateStoreOptions) {
    this.#path = options.path;
    this.#maxEvents = options.maxEvents ?? 1000;
    this.#maxResources = options.maxResources ?? 10_000;
    this.#maxPatchBytes = options.maxPatchBytes ?? 256 * 1024;
    this.#now = options.now ?? Date.now;
  }

  /** Runs `work` on the connection after every earlier call finished. */
  #serial<T>(work: (connection: DuckDBConnection) => Promise<T>): Promise<T> {
    this.#open ??= (async () => {
      const { DuckDBInstance } = await loadDuckDb();
      await mkdir(dirname(this.#path), { recursive: true });
      const instance = await DuckDBInstance.create(this.#path, sandboxSettings('128MB', 1));
      const connection = await instance.connect();
      for (const statement of SCHEMA) await connection.run(statement);
      return { instance, connection };
    })();
    const opened = this.#open;
    opened.catch(() => {
      if (this.#open === opened) this.#open = undefined;
    });
    const run = this.#queue.then(async () => work((await opened).connection));
    this.#queue = run.catch(() => {});
    return run;
  }

  async #rows(connection: DuckDBConnection, sql: string, values: DuckDBValue[]): Promise<Row[]> {
    return (await connection.runAndReadAll(sql, values)).getRowObjectsJS() as Row[];
  }

  /**
   * Merges `patch` into the resource's data and bumps its version (one transaction).
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
    const { rid } = checked;
    return this.#serial(async (connection) => {
      await connection.run('BEGIN TRANSACTION');
      try {
        const key = [tenant, ns, rid];
        const [current] = await this.#rows(
          connection,
          `SELECT ${DOC_COLUMNS} FROM app_state WHERE tenant = ? AND ns = ? AND resource_id = ?`,
          key,
        );
        const doc = current ? toDocument(current) : undefined;
        const currentVersion = doc?.version ?? 0;
        if (checked.expectedVersion !== undefined && checked.expectedVersion !== currentVersion)
          throw VersionConflictError.at(currentVersion);
        if (!doc) {
          const [count] = await this.#rows(
            connection,
            'SELECT count(*) AS n FROM app_state WHERE tenant = ? AND ns = ?',
            [tenant, ns],
          );
          if (Number(count?.['n']) >= this.#maxResources)
            throw invalidRequest(`this namespace holds the maximum of ${this.#maxResources} resources`);
        }
        const ts = new Date(this.#now()).toISOString();
        const data = JSON.stringify({ ...doc?.data, ...checked.patch });
        const version = currentVersion + 1;
        if (doc)
          await connection.run(
            'UPDATE app_state SET data = ?, version = ?, updated_at = ? WHERE tenant = ? AND ns = ? AND resource_id = ?',
            [data, version, ts, ...key],
          );
        else
          await connection.run("INSERT INTO app_state VALUES (?, ?, ?, ?, ?, ?, ?, nextval('state_seq'))", [
            ...key,
            data,
            version,
            ts,
            ts,
          ]);
        await this.#event(connection, tenant, ns, rid, 'set', JSON.stringify(checked.patch), version, ts);
        await connection.run('COMMIT');
        return { ok: true as const, version };
      } catch (error) {
        await connection.run('ROLLBACK').catch(() => {});
        throw error;
      }
    });
  }

  async #event(
    connection: DuckDBConnection,
    tenant: string,
    ns: string,
    rid: string,
    op: 'set' | 'delete',
    patch: string | null,
    version: number | null,
    ts: string,
  ): Promise<void> {
    await connection.run(
      "INSERT INTO app_events VALUES (uuid()::VARCHAR, ?, ?, ?, ?, ?, ?, ?, nextval('state_seq'))",
      [tenant, ns, rid, op, patch, version, ts],
    );
    // Keep the newest maxEvents per tenant and namespace, like the in-memory store.
    await connection.run(
      `DELETE FROM app_events WHERE tenant = ? AND ns = ? AND seq <= (
         SELECT seq FROM app_events WHERE tenant = ? AND ns = ? ORDER BY seq DESC LIMIT 1 OFFSET ?)`,
      [tenant, ns, tenant, ns, this.#maxEvents],
    );
  }

  /** The resource, or `null`. */
  async get(tenant: string, ns: string, id: unknown): Promise<StateDocument | null> {
    checkName(ns, 'namespace');
    const rid = resourceId(id);
    const [row] = await this.#serial((connection) =>
      this.#rows(
        connection,
        `SELECT ${DOC_COLUMNS} FROM app_state WHERE tenant = ? AND ns = ? AND resource_id = ?`,
        [tenant, ns, rid],
      ),
    );
    return row ? toDocument(row) : null;
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
    const conditions = checkStateFilter(filter);
    checkStateLimit(limit);
    checkStateSkip(skip);
    const rows = await this.#serial((connection) =>
      this.#rows(
        connection,
        `SELECT ${DOC_COLUMNS} FROM app_state WHERE tenant = ? AND ns = ? ORDER BY seq`,
        [tenant, ns],
      ),
    );
    const out: StateDocument[] = [];
    let skipped = 0;
    for (const row of rows) {
      const doc = toDocument(row);
      if (!matchesStateFilter(doc, conditions)) continue;
      if (skipped++ < skip) continue;
      out.push(doc);
      if (out.length >= limit) break;
    }
    return out;
  }

  /** Deletes the current state; records a `delete` event only when something was deleted. */
  async delete(tenant: string, ns: string, id: unknown): Promise<StateDeleteResult> {
    checkName(ns, 'namespace');
    const rid = resourceId(id);
    return this.#serial(async (connection) => {
      await connection.run('BEGIN TRANSACTION');
      try {
        const [row] = await this.#rows(
          connection,
          'DELETE FROM app_state WHERE tenant = ? AND ns = ? AND resource_id = ? RETURNING version',
          [tenant, ns, rid],
        );
        if (row)
          await this.#event(
            connection,
            tenant,
            ns,
            rid,
            'delete',
            null,
            null,
            new Date(this.#now()).toISOString(),
          );
        await connection.run('COMMIT');
        return { ok: true as const, deleted: row ? 1 : 0 };
      } catch (error) {
        await connection.run('ROLLBACK').catch(() => {});
        throw error;
      }
    });
  }

  /** Events of one resource (or of the namespace for `null`), newest first. */
  async history(tenant: string, ns: string, id: unknown = null, limit = 100): Promise<StateEvent[]> {
    checkName(ns, 'namespace');
    checkStateLimit(limit);
    const rid = id === null || id === undefined ? undefined : resourceId(id);
    const rows = await this.#serial((connection) =>
      this.#rows(
        connection,
        `SELECT ns, resource_id, op, patch, version, ts FROM app_events
         WHERE tenant = ? AND ns = ?${rid === undefined ? '' : ' AND resource_id = ?'} ORDER BY seq DESC LIMIT ?`,
        rid === undefined ? [tenant, ns, limit] : [tenant, ns, rid, limit],
      ),
    );
    return rows.map(toEvent);
  }

  /** Closes the file (after calls in flight); the next call opens it again. */
  async close(): Promise<void> {
    const opened = this.#open;
    this.#open = undefined;
    if (!opened) return;
    await this.#queue;
    const { instance, connection } = await opened.catch(() => ({
      instance: undefined,
      connection: undefined,
    }));
    connection?.closeSync();
    instance?.closeSync();
  }
}
