/**
 * Per-user and per-session DuckDB, sandboxed: each database file is opened with
 * `enable_external_access=false`, `lock_configuration=true` and extension autoload/autoinstall off, so SQL
 * cannot read or write other files, attach databases, load extensions or undo the settings. One statement
 * per call; parameters are always bound; ATTACH/COPY/LOAD/SET/PRAGMA/transactions and friends are refused
 * by statement type; read-only callers may only SELECT.
 *
 * Values in results are JSON-safe: integers within ±2^53 are numbers and bigger ones decimal strings;
 * DECIMAL with up to 15 digits is a number, wider ones a decimal string; DATE/TIME/TIMESTAMP are strings
 * as DuckDB prints them (`2026-01-01`, `2026-01-01 10:00:00`); UUID a string; BLOB a string with non-printable
 * bytes as `\xNN`; INTERVAL `{months, days, micros}`; LIST an array; STRUCT an object; MAP an array of
 * `{key, value}`; ±Infinity and NaN strings. Inside lists and structs 64-bit integers are strings.
 *
 * @module
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { DuckDBConnection, DuckDBInstance, DuckDBPreparedStatement, DuckDBType } from '@duckdb/node-api';
import { ArtifactGatewayError, invalidRequest } from '../errors.ts';
import { checkId, checkName } from '../names.ts';
import type { ExecResult, QueryResult } from '../results.ts';
import type { StorageScope } from '../scopes.ts';

/** Options of {@link DuckDbHandler}. */
export interface DuckDbHandlerOptions {
  /** The workspace root: files live at `{workspace}/{user}/db/{name}.duckdb` and `{workspace}/{user}/sessions/{session}/db/{name}.duckdb`. */
  workspace: string;
  /**
   * Most rows a query may return (default 10 000). Rows are read chunk by chunk from a streaming result,
   * and reading stops at the first row past the cap: the call then fails and asks for a LIMIT, without
   * the whole result ever being computed or held in memory.
   */
  maxRows?: number;
  /**
   * Longest time one statement may run, in ms (default 10 000). Past it the running query is interrupted
   * (DuckDB's `interrupt`) and the call fails with `upstream_timeout` (504); the database stays usable.
   */
  queryTimeoutMs?: number;
  /** Longest SQL text in characters (default 100 000). */
  maxSqlLength?: number;
  /** Most database files kept open at once (default 32); the least recently used is closed. */
  maxOpenDatabases?: number;
  /** DuckDB `memory_limit` per database (default `256MB`). */
  memoryLimit?: string;
  /** DuckDB `threads` per database (default `2`). */
  threads?: number;
}

/** Which database a call uses. */
export interface DuckDbTarget {
  /** `user` or `session`. */
  scope: StorageScope;
  /** The user's id. */
  userId: string;
  /** The session id (required for `session`; always from the token). */
  sessionId?: string;
  /** The database name: 1–64 ASCII letters, digits, `_` or `-`. */
  database: string;
}

/** What a statement may do: `read` allows SELECT only, `write` adds DML and DDL. */
export type SqlAccess = 'read' | 'write';

// StatementType values of DuckDB's C API (stable numbering).
const SELECT = 1;
const WRITE_TYPES = new Set([
  2 /* INSERT */, 3 /* UPDATE */, 4 /* EXPLAIN */, 5 /* DELETE */, 7 /* CREATE */, 9 /* ALTER */,
  12 /* ANALYZE */, 14 /* CREATE_FUNC */, 15 /* DROP */, 18 /* VACUUM */, 30 /* MERGE_INTO */,
]);

type ParamValue = null | boolean | number | string;

function checkParams(params: unknown): ParamValue[] {
  if (params === undefined || params === null) return [];
  if (!Array.isArray(params)) throw invalidRequest('params must be an array');
  if (params.length > 1000) throw invalidRequest('params may hold at most 1000 values');
  return params.map((p, i) => {
    if (p === null || typeof p === 'boolean' || typeof p === 'string') return p;
    if (typeof p === 'number' && Number.isFinite(p)) return p;
    throw invalidRequest(`params[${i}] must be null, a boolean, a finite number or a string`);
  });
}

type DuckDbModule = typeof import('@duckdb/node-api');

interface OpenDatabase {
  instance: DuckDBInstance;
  connection: DuckDBConnection;
  queue: Promise<unknown>;
  /** Set once evicted: no new statements; the file closes after the queued ones. */
  retired: boolean;
  /** Prepared SELECTs by SQL text, least recently used first. */
  statements: Map<string, DuckDBPreparedStatement>;
}

/** What one statement produced: rows only for `query`. */
interface RunOutcome {
  columns: string[];
  types: DuckDBType[];
  rows: unknown[][];
}

// Statement types that leave the catalog as it is; anything else (CREATE, ALTER, DROP, …) may change what
// a cached SELECT binds to, so it empties the database's statement cache.
const CATALOG_SAFE_TYPES = new Set([SELECT, 2 /* INSERT */, 3 /* UPDATE */, 5 /* DELETE */]);

/** DuckDB settings of a sandboxed file: no file or network access, no extensions, settings locked. */
export function sandboxSettings(memoryLimit: string, threads: number): Record<string, string> {
  return {
    enable_external_access: 'false',
    autoload_known_extensions: 'false',
    autoinstall_known_extensions: 'false',
    allow_community_extensions: 'false',
    memory_limit: memoryLimit,
    threads: String(threads),
    // Last, so nothing above can be changed by SQL afterwards.
    lock_configuration: 'true',
  };
}

let duckDbModule: Promise<DuckDbModule> | undefined;

/** Loads the optional `@duckdb/node-api` once, with a clear error when it is not installed. */
export function loadDuckDb(): Promise<DuckDbModule> {
  duckDbModule ??= import('@duckdb/node-api').catch((error: unknown) => {
    duckDbModule = undefined;
    throw new ArtifactGatewayError('DuckDB needs the optional dependency @duckdb/node-api', {
      code: 'not_configured',
      cause: error,
    });
  });
  return duckDbModule;
}

/**
 * Runs SQL on a user's or session's own DuckDB file.
 *
 * @example
 * ```ts
 * const db = new DuckDbHandler({ workspace: '/var/workspaces' });
 * const target = { scope: 'user', userId: 'user-abc123', database: 'analytics' } as const;
 * await db.exec(target, 'CREATE TABLE events (ts TEXT, val INT)');
 * await db.exec(target, 'INSERT INTO events VALUES (?, ?)', ['2026-01-01', 42]);
 * await db.query(target, 'SELECT * FROM events'); // { columns: ['ts', 'val'], rows: [['2026-01-01', 42]], rowcount: 1 }
 * ```
 */
export class DuckDbHandler {
  readonly #workspace: string;
  readonly #maxRows: number;
  readonly #maxSqlLength: number;
  readonly #maxOpen: number;
  readonly #timeoutMs: number;
  readonly #maxStatements: number;
  readonly #config: Record<string, string>;
  readonly #open = new Map<string, Promise<OpenDatabase>>();
  // Files being closed after eviction: reopening one waits, or DuckDB would find the file still locked.
  readonly #closing = new Map<string, Promise<void>>();

  /** Creates a handler; see {@link DuckDbHandlerOptions}. */
  constructor(options: DuckDbHandlerOptions) {
    if (typeof options?.workspace !== 'string' || options.workspace === '')
      throw invalidRequest('DuckDbHandler needs a workspace');
    this.#workspace = options.workspace;
    this.#maxRows = options.maxRows ?? 10_000;
    this.#maxSqlLength = options.maxSqlLength ?? 100_000;
    this.#maxOpen = options.maxOpenDatabases ?? 32;
    this.#timeoutMs = options.queryTimeoutMs ?? 10_000;
    // Reusing a prepared SELECT after the table was written returned wrong rows with @duckdb/node-api
    // 1.5.6 (test: "reads what was written after an earlier SELECT"), so statements are never reused.
    this.#maxStatements = 0;
    if (!Number.isInteger(this.#maxRows) || this.#maxRows < 0)
      throw invalidRequest('maxRows must be a whole number ≥ 0');
    if (!(this.#timeoutMs > 0)) throw invalidRequest('queryTimeoutMs must be a positive number of ms');
    this.#config = sandboxSettings(options.memoryLimit ?? '256MB', options.threads ?? 2);
  }

  /** The DuckDB settings every database file is opened with (the sandbox, memory limit and threads). */
  get settings(): Readonly<Record<string, string>> {
    return { ...this.#config };
  }

  /** The database file of `target` (names checked). */
  pathOf(target: DuckDbTarget): string {
    const user = checkId(target.userId, 'user id');
    const name = checkName(target.database, 'database name');
    if (target.scope === 'session') {
      if (target.sessionId === undefined)
        throw invalidRequest(
          'session_id is required for session-scoped DuckDB (the token has no lab_session context)',
        );
      return join(
        this.#workspace,
        user,
        'sessions',
        checkId(target.sessionId, 'session id'),
        'db',
        `${name}.duckdb`,
      );
    }
    return join(this.#workspace, user, 'db', `${name}.duckdb`);
  }

  #database(path: string): Promise<OpenDatabase> {
    let db = this.#open.get(path);
    if (db) {
      // Re-insert: the map's order is the LRU order.
      this.#open.delete(path);
      this.#open.set(path, db);
      return db;
    }
    // Taken now, before any await: an earlier copy of this file still closing must be closed first.
    const previousClose = this.#closing.get(path);
    db = (async () => {
      const { DuckDBInstance } = await loadDuckDb();
      await mkdir(join(path, '..'), { recursive: true });
      await previousClose;
      const instance = await DuckDBInstance.create(path, this.#config);
      return {
        instance,
        connection: await instance.connect(),
        queue: Promise.resolve(),
        retired: false,
        statements: new Map(),
      };
    })();
    this.#open.set(path, db);
    db.catch(() => {
      if (this.#open.get(path) === db) this.#open.delete(path);
    });
    while (this.#open.size > this.#maxOpen) {
      const [oldest, victim] = this.#open.entries().next().value as [string, Promise<OpenDatabase>];
      this.#open.delete(oldest);
      this.#retire(oldest, victim);
    }
    return db;
  }

  /** Closes an evicted database once its queued statements are done; a reopen of the file waits for it. */
  #retire(path: string, db: Promise<OpenDatabase>): Promise<void> {
    const previous = this.#closing.get(path);
    const closed = Promise.all([
      previous,
      db.then((d) => {
        d.retired = true;
        return d.queue.finally(() => closeDatabase(d));
      }),
    ])
      .then(() => {})
      .catch(() => {})
      .finally(() => {
        if (this.#closing.get(path) === closed) this.#closing.delete(path);
      });
    this.#closing.set(path, closed);
    return closed;
  }

  async #prepare(db: OpenDatabase, sql: string): Promise<DuckDBPreparedStatement> {
    const cached = db.statements.get(sql);
    if (cached) {
      db.statements.delete(sql);
      db.statements.set(sql, cached);
      return cached;
    }
    // DuckDB prepares one statement only and refuses text holding several (before running any), so no
    // separate statement split is needed: that would cost another thread-pool round trip per call.
    const prepared = await db.connection.prepare(sql).catch((error: Error) => {
      if (/cannot prepare multiple statements/i.test(error.message))
        throw invalidRequest('send exactly one SQL statement per call');
      throw sqlError(error);
    });
    if ((prepared.statementType as number) === SELECT && this.#maxStatements > 0) {
      db.statements.set(sql, prepared);
      if (db.statements.size > this.#maxStatements) {
        const [oldest, statement] = db.statements.entries().next().value as [string, DuckDBPreparedStatement];
        db.statements.delete(oldest);
        statement.destroySync();
      }
    }
    return prepared;
  }

  async #run(
    target: DuckDbTarget,
    sql: unknown,
    params: unknown,
    access: SqlAccess,
    maxRows: number | undefined,
  ): Promise<RunOutcome> {
    if (typeof sql !== 'string' || sql.trim() === '') throw invalidRequest('sql must be a non-empty string');
    if (sql.length > this.#maxSqlLength)
      throw invalidRequest(`sql is longer than ${this.#maxSqlLength} characters`);
    const values = checkParams(params);
    const path = this.pathOf(target);
    let db = await this.#database(path);
    // Evicted between lookup and now: its file is closing, so queue on a fresh copy instead.
    while (db.retired) db = await this.#database(path);
    // One connection per file; statements on it run one at a time.
    const run = db.queue.then(async () => {
      const prepared = await this.#prepare(db, sql);
      const cached = db.statements.get(sql) === prepared;
      let timedOut = false;
      let timer: ReturnType<typeof setTimeout> | undefined;
      try {
        const type = prepared.statementType as number;
        if (type !== SELECT && !(access === 'write' && WRITE_TYPES.has(type)))
          throw new ArtifactGatewayError(
            access === 'read'
              ? 'this token may only run SELECT statements here'
              : 'this statement type is not allowed (ATTACH, COPY, LOAD, SET, PRAGMA, transactions and the like are refused)',
            { code: 'permission_denied' },
          );
        if (prepared.parameterCount !== values.length)
          throw invalidRequest(
            `the statement has ${prepared.parameterCount} parameters but ${values.length} were given`,
          );
        if (values.length > 0) prepared.bind(values);
        if (!CATALOG_SAFE_TYPES.has(type)) clearStatements(db);
        timer = setTimeout(() => {
          timedOut = true;
          db.connection.interrupt();
        }, this.#timeoutMs);
        try {
          return maxRows === undefined ? await runForEffect(prepared) : await readRows(prepared, maxRows);
        } catch (error) {
          if (ArtifactGatewayError.isInstance(error)) throw error;
          if (timedOut)
            throw new ArtifactGatewayError(
              `the statement ran longer than ${this.#timeoutMs} ms and was stopped; narrow the query or add a LIMIT`,
              { code: 'upstream_timeout', cause: error },
            );
          throw sqlError(error as Error);
        }
      } finally {
        clearTimeout(timer);
        if (!cached) prepared.destroySync();
      }
    });
    db.queue = run.catch(() => {});
    return run;
  }

  /**
   * Runs one statement and returns its rows. `access: 'read'` allows SELECT only.
   *
   * @throws {ArtifactGatewayError} `invalid_request` (bad SQL, several statements, wrong parameters,
   *   too many rows), `permission_denied` (statement type not allowed).
   */
  async query(
    target: DuckDbTarget,
    sql: string,
    params: unknown[] = [],
    access: SqlAccess = 'write',
  ): Promise<QueryResult> {
    const { columns, types, rows } = await this.#run(target, sql, params, access, this.#maxRows);
    jsonSafe(types, rows);
    return { columns, rows, rowcount: rows.length };
  }

  /**
   * Runs one statement for its effect.
   *
   * @throws {ArtifactGatewayError} as {@link query}.
   */
  async exec(
    target: DuckDbTarget,
    sql: string,
    params: unknown[] = [],
  ): Promise<Pick<ExecResult, 'success'>> {
    await this.#run(target, sql, params, 'write', undefined);
    return { success: true };
  }

  /** Closes every open database. */
  async close(): Promise<void> {
    const all = [...this.#open];
    this.#open.clear();
    await Promise.all([...all.map(([path, db]) => this.#retire(path, db)), ...this.#closing.values()]);
  }
}

function clearStatements(db: OpenDatabase): void {
  for (const statement of db.statements.values()) statement.destroySync();
  db.statements.clear();
}

function closeDatabase(db: OpenDatabase): void {
  clearStatements(db);
  db.connection.closeSync();
  db.instance.closeSync();
}

async function runForEffect(prepared: DuckDBPreparedStatement): Promise<RunOutcome> {
  await prepared.run();
  return { columns: [], types: [], rows: [] };
}

/** Streams the result chunk by chunk and stops at the first row past `maxRows`. */
async function readRows(prepared: DuckDBPreparedStatement, maxRows: number): Promise<RunOutcome> {
  const { JsonDuckDBValueConverter } = await loadDuckDb();
  const result = await prepared.stream();
  const rows: unknown[][] = [];
  for (;;) {
    const chunk = await result.fetchChunk();
    const count = chunk?.rowCount ?? 0;
    if (!chunk || count === 0) break;
    if (rows.length + count > maxRows)
      throw invalidRequest(`the result has more than ${maxRows} rows; add a LIMIT`);
    for (let row = 0; row < count; row++) rows.push(chunk.convertRowValues(row, JsonDuckDBValueConverter));
  }
  return { columns: result.columnNames(), types: result.columnTypes(), rows };
}

function sqlError(error: Error): ArtifactGatewayError {
  // DuckDB's messages name the problem (syntax, missing table, permission) and contain no secrets.
  return invalidRequest(`SQL error: ${error.message}`);
}

// DuckDBTypeId values: BIGINT 5, UBIGINT 9, HUGEINT 16, UHUGEINT 32, DECIMAL 19, plus the floating types.
const BIG_INTEGER_TYPES = new Set([5, 9, 16, 32]);
const DECIMAL = 19;

/** Turns 64-bit integers within ±2^53 and narrow DECIMALs (strings from the JSON converter) into numbers. */
function jsonSafe(types: DuckDBType[], rows: unknown[][]): void {
  types.forEach((type, column) => {
    const id = type.typeId as number;
    const width = (type as { width?: number }).width ?? 0;
    const toNumber = BIG_INTEGER_TYPES.has(id) || (id === DECIMAL && width <= 15);
    if (!toNumber) return;
    for (const row of rows) {
      const value = row[column];
      if (typeof value !== 'string') continue;
      const n = Number(value);
      if (id === DECIMAL || Number.isSafeInteger(n)) row[column] = n;
    }
  });
}
