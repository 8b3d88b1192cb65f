import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArtifactGatewayError } from '../src/index.ts';
import { DuckDbHandler } from '../src/node/index.ts';

let workspace: string;
let db: DuckDbHandler;
const target = { scope: 'user', userId: 'user-abc123', database: 'analytics' } as const;

beforeAll(async () => {
  workspace = await mkdtemp(join(tmpdir(), 'ag-duck-'));
  db = new DuckDbHandler({ workspace, maxRows: 100 });
});
afterAll(async () => {
  await db.close();
  await rm(workspace, { recursive: true, force: true });
});

async function refused(p: Promise<unknown>): Promise<ArtifactGatewayError> {
  const error = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(ArtifactGatewayError.isInstance(error), String(error)).toBe(true);
  return error as ArtifactGatewayError;
}

describe('DuckDbHandler', () => {
  it('runs the seed example in {workspace}/{user}/db/{name}.duckdb', async () => {
    expect(await db.exec(target, 'CREATE TABLE events (ts TEXT, val INT)')).toEqual({ success: true });
    await db.exec(target, 'INSERT INTO events VALUES (?, ?)', ['2026-01-01', 42]);
    expect(await db.query(target, 'SELECT * FROM events')).toEqual({
      columns: ['ts', 'val'],
      rows: [['2026-01-01', 42]],
      rowcount: 1,
    });
    expect(db.pathOf(target)).toBe(join(workspace, 'user-abc123', 'db', 'analytics.duckdb'));
  });

  it('keeps session databases apart and requires the session id', async () => {
    const s = {
      scope: 'session',
      userId: 'user-abc123',
      sessionId: 'sess-001',
      database: 'analytics',
    } as const;
    await db.exec(s, 'CREATE TABLE t (n INT)');
    expect((await db.query(s, 'SELECT count(*) AS n FROM t')).rows).toEqual([[0]]);
    expect(db.pathOf(s)).toBe(
      join(workspace, 'user-abc123', 'sessions', 'sess-001', 'db', 'analytics.duckdb'),
    );
    expect((await refused(db.query({ ...s, sessionId: undefined }, 'SELECT 1'))).code).toBe(
      'invalid_request',
    );
  });

  it('binds parameters as data: an injection string is stored, not run', async () => {
    const evil = "x'); DROP TABLE events; --";
    await db.exec(target, 'INSERT INTO events VALUES (?, ?)', [evil, 1]);
    expect((await db.query(target, 'SELECT ts FROM events WHERE val = ?', [1])).rows).toEqual([[evil]]);
    expect((await refused(db.query(target, 'SELECT ?', []))).message).toMatch(/1 parameters but 0/);
    expect((await refused(db.query(target, 'SELECT ?', [{ a: 1 }]))).code).toBe('invalid_request');
  });

  it('refuses more than one statement, running none of them', async () => {
    const before = (await db.query(target, 'SELECT count(*) AS n FROM events')).rows;
    const error = await refused(db.query(target, 'SELECT 1; DROP TABLE events'));
    expect(error.message).toBe('send exactly one SQL statement per call');
    for (const sql of [
      'DROP TABLE events; SELECT 1',
      'CREATE TABLE smuggled (a INT); SELECT 1',
      "SELECT 1 /* ; */; INSERT INTO events VALUES ('x', 2)",
    ]) {
      expect((await refused(db.exec(target, sql))).message).toBe('send exactly one SQL statement per call');
    }
    expect((await db.query(target, 'SELECT count(*) AS n FROM events')).rows).toEqual(before);
    expect((await refused(db.query(target, 'SELECT 1 FROM smuggled'))).message).toMatch(/smuggled/);
    // One statement with a trailing semicolon is one statement.
    expect((await db.query(target, 'SELECT 2 AS two;')).rows).toEqual([[2]]);
  });

  it('blocks file access, ATTACH, COPY, extensions, settings and transactions', async () => {
    const secret = join(workspace, 'secret.csv');
    await writeFile(secret, 'a\n1\n');
    const attacks = [
      `SELECT * FROM read_csv('${secret}')`,
      `SELECT * FROM read_text('/etc/passwd')`,
      `COPY events TO '${join(workspace, 'out.csv')}'`,
      `ATTACH '${join(workspace, 'other.duckdb')}' AS other`,
      'INSTALL httpfs',
      'LOAD httpfs',
      'SET enable_external_access = true',
      'PRAGMA enable_profiling',
      'BEGIN TRANSACTION',
      `EXPORT DATABASE '${workspace}'`,
      "SELECT * FROM 'https://example.com/x.csv'",
    ];
    for (const sql of attacks) {
      const error = await refused(db.exec(target, sql));
      expect(['permission_denied', 'invalid_request'], sql).toContain(error.code);
    }
  });

  it('lets read-only callers SELECT only', async () => {
    expect((await db.query(target, 'SELECT 1 AS one', [], 'read')).rows).toEqual([[1]]);
    expect((await refused(db.query(target, 'DELETE FROM events', [], 'read'))).code).toBe(
      'permission_denied',
    );
    expect((await refused(db.query(target, 'CREATE TABLE z (a INT)', [], 'read'))).code).toBe(
      'permission_denied',
    );
  });

  it('returns JSON-safe values', async () => {
    const result = await db.query(
      target,
      "SELECT 42::BIGINT AS small, 9007199254740993::BIGINT AS big, 12.34::DECIMAL(10,2) AS dec, 123456789012345678.12::DECIMAL(38,2) AS wide, DATE '2026-01-01' AS d, TIMESTAMP '2026-01-01 10:00:00' AS ts, '\\xAA'::BLOB AS b, [1, 2] AS l, {'x': 1} AS s, 'inf'::DOUBLE AS inf",
    );
    expect(result.rows[0]).toEqual([
      42,
      '9007199254740993',
      12.34,
      '123456789012345678.12',
      '2026-01-01',
      '2026-01-01 10:00:00',
      '\\xAA',
      [1, 2],
      { x: 1 },
      'Infinity',
    ]);
    expect(() => JSON.stringify(result)).not.toThrow();
  });

  it('refuses too many rows, bad names and bad SQL with clear errors', async () => {
    expect((await refused(db.query(target, 'SELECT * FROM range(1000)'))).message).toMatch(/LIMIT/);
    expect((await refused(db.query({ ...target, database: '../x' }, 'SELECT 1'))).code).toBe(
      'invalid_request',
    );
    expect((await refused(db.query({ ...target, userId: '../../etc' }, 'SELECT 1'))).code).toBe(
      'invalid_request',
    );
    expect((await refused(db.query(target, 'SELEC 1'))).message).toMatch(/^SQL error: /);
  });

  it('stops reading at the row cap instead of computing the whole result', async () => {
    // A billion rows would not fit in the 256 MB memory limit: only a streaming read can refuse it cleanly.
    const error = await refused(db.query(target, 'SELECT * FROM range(1000000000)'));
    expect(error.message).toBe('the result has more than 100 rows; add a LIMIT');
    expect((await db.query(target, 'SELECT * FROM range(100)')).rowcount).toBe(100);
  });

  it('reads what was written after an earlier SELECT of the same text (no stale prepared statement)', async () => {
    await db.exec(target, 'CREATE TABLE notes_seen (id INTEGER, body TEXT)');
    const read = 'SELECT id, body FROM notes_seen ORDER BY id';
    expect((await db.query(target, read)).rows).toEqual([]);
    for (const [id, body] of [
      [1, 'Buy oat milk'],
      [2, 'Call the plumber'],
    ] as const) {
      const next = await db.query(target, 'SELECT coalesce(max(id), 0) + 1 FROM notes_seen');
      expect(next.rows).toEqual([[id]]);
      await db.exec(target, 'INSERT INTO notes_seen VALUES (?, ?)', [id, body]);
      expect((await db.query(target, read)).rows.at(-1)).toEqual([id, body]);
    }
    expect((await db.query(target, read)).rows).toEqual([
      [1, 'Buy oat milk'],
      [2, 'Call the plumber'],
    ]);
  });

  it('sees schema changes after a cached SELECT', async () => {
    await db.exec(target, 'CREATE TABLE cached (a INT)');
    await db.exec(target, 'INSERT INTO cached VALUES (1)');
    expect((await db.query(target, 'SELECT * FROM cached')).columns).toEqual(['a']);
    await db.exec(target, "ALTER TABLE cached ADD COLUMN b TEXT DEFAULT 'x'");
    expect(await db.query(target, 'SELECT * FROM cached')).toEqual({
      columns: ['a', 'b'],
      rows: [[1, 'x']],
      rowcount: 1,
    });
    await db.exec(target, 'DROP TABLE cached');
    expect((await refused(db.query(target, 'SELECT * FROM cached'))).message).toMatch(/^SQL error: /);
  });
});

describe('DuckDbHandler limits', () => {
  it('interrupts a statement that runs past the timeout and keeps the database usable', async () => {
    const limited = new DuckDbHandler({ workspace, queryTimeoutMs: 300 });
    const t = { ...target, database: 'slow' };
    try {
      // 10^12 rows: runs for hours unless interrupted.
      const error = await refused(
        limited.query(
          t,
          'SELECT count(*) FROM range(1000000) a, range(1000000) b WHERE a.range + b.range = -1',
        ),
      );
      expect(error.code).toBe('upstream_timeout');
      expect(error.status).toBe(504);
      expect(error.message).toMatch(/ran longer than 300 ms and was stopped/);
      expect((await limited.query(t, 'SELECT 41 + 1 AS n')).rows).toEqual([[42]]);
    } finally {
      await limited.close();
    }
  });

  it('reopens an evicted database safely while concurrent requests hit it', async () => {
    const small = new DuckDbHandler({ workspace, maxOpenDatabases: 1 });
    const names = ['lock_a', 'lock_b', 'lock_c'];
    try {
      for (const database of names) await small.exec({ ...target, database }, 'CREATE TABLE t (n INT)');
      // Every call evicts another file while its statement may still be queued; a reopen must wait for
      // the close, or DuckDB refuses the still-locked file.
      const calls = Array.from({ length: 30 }, (_, i) =>
        small.exec({ ...target, database: names[i % names.length]! }, 'INSERT INTO t VALUES (?)', [i]),
      );
      await Promise.all(calls);
      let total = 0;
      for (const database of names)
        total += (await small.query({ ...target, database }, 'SELECT count(*) FROM t')).rows[0]![0] as number;
      expect(total).toBe(30);
    } finally {
      await small.close();
    }
  });

  it('validates its limits', () => {
    expect(() => new DuckDbHandler({ workspace, queryTimeoutMs: 0 })).toThrow(/queryTimeoutMs/);
    expect(() => new DuckDbHandler({ workspace, maxRows: -1 })).toThrow(/maxRows/);
  });
});
