// `pnpm bench` for @x/artifact-gateway:
// 1. token verify per second: validateAppToken vs bare jose jwtVerify with a pre-imported key (target ≥0.9×);
// 2. a DuckDB query through the HTTP route (loopback, token check included) vs the same query on
//    @duckdb/node-api directly (target ≥0.7×);
// 3. external proxy overhead: a call through the gateway's proxy route vs a direct HTTPS request to the same
//    local upstream (reported; no target).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { utf8Encode } from '@x/crypto';
import { jwtVerify } from 'jose';
import { Agent, request } from 'undici';
import { blockedAddressReason, issueAppToken, scopeFromRole, validateAppToken } from '../src/index.ts';
import { DuckDbHandler, ExternalProxy } from '../src/node/index.ts';
import { startTestGateway } from '../src/testing/index.ts';
import { startHttpsUpstream, testCa } from '../test/https-upstream.ts';

// Loopback calls that wait on DuckDB's threads drift with the machine (thread wake-ups, GC, neighbours): by
// default each comparison runs 10 interleaved rounds and takes each case's median. BENCH_ROUNDS and
// BENCH_TIME_MS (total ms per case) override; the tooling reads BENCH_ROUNDS when it loads, hence the
// dynamic import.
process.env.BENCH_ROUNDS ??= '10';
const { compare, summarize } = await import('@x/tooling/bench');
const timeMs = Number(process.env.BENCH_TIME_MS ?? 5000);

async function tokens() {
  const secretKey = 'bench-secret';
  const token = await issueAppToken({
    secretKey,
    userId: 'u',
    accountId: 'a',
    context: 'lab_session:s',
    scope: scopeFromRole('member'),
  });
  const key = await crypto.subtle.importKey(
    'raw',
    utf8Encode(secretKey) as Uint8Array<ArrayBuffer>,
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['verify'],
  );
  return compare({
    title: 'app token verify',
    timeMs,
    baseline: {
      name: 'jose jwtVerify (pre-imported key)',
      fn: () => jwtVerify(token, key, { algorithms: ['HS256'] }),
    },
    candidates: [{ name: 'validateAppToken', target: 0.9, fn: () => validateAppToken({ secretKey, token }) }],
  });
}

async function duckdb() {
  const gw = await startTestGateway();
  const dir = await mkdtemp(join(tmpdir(), 'ag-bench-'));
  try {
    const token = await gw.issueToken('bench-user');
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${token}` };
    // undici.request: the lean Node client (keep-alive pool), so the candidate measures the gateway, not
    // the client; Node's global fetch adds its own ~1 ms per call and is reported separately.
    const post = async (path: string, body: unknown) => {
      const res = await request(`${gw.proxyBase}${path}`, {
        method: 'POST',
        headers,
        body: JSON.stringify(body),
      });
      if (res.statusCode !== 200) throw new Error(`${res.statusCode} ${await res.body.text()}`);
      return res.body.json();
    };
    const postWithFetch = async (path: string, body: unknown) => {
      const res = await fetch(`${gw.proxyBase}${path}`, {
        method: 'POST',
        headers,
        body: JSON.stringify(body),
      });
      if (res.status !== 200) throw new Error(`${res.status} ${await res.text()}`);
      return res.json();
    };
    const setup = 'CREATE TABLE t AS SELECT range AS n, range % 7 AS k FROM range(200000)';
    const sql = 'SELECT k, count(*) AS c, sum(n) AS s FROM t WHERE n > ? GROUP BY k ORDER BY k';
    await post('db/user/bench/exec', { sql: setup });
    // The same settings the gateway opens every file with (threads, memory limit, sandbox).
    const settings = new DuckDbHandler({ workspace: dir }).settings;
    const instance = await DuckDBInstance.create(join(dir, 'direct.duckdb'), { ...settings });
    const connection = await instance.connect();
    await connection.run(setup);
    const prepared = await connection.prepare(sql);
    try {
      return await compare({
        title:
          'DuckDB query: HTTP route (loopback, token check, JSON both ways) vs @duckdb/node-api on an already-open connection (same file settings)',
        timeMs,
        baseline: {
          name: 'connection.runAndReadAll + getRowsJson (open connection, no HTTP)',
          fn: async () => (await connection.runAndReadAll(sql, [10])).getRowsJson(),
        },
        candidates: [
          {
            name: 'POST db/user/bench/query (undici client)',
            target: 0.7,
            fn: () => post('db/user/bench/query', { sql, params: [10] }),
          },
          {
            // Reference, no target: how fast a reused prepared statement would be (the gateway does not
            // reuse them: a reused SELECT returned stale rows after a write with @duckdb/node-api 1.5.6).
            name: 'reused prepared statement, direct (no HTTP; reference only)',
            fn: async () => {
              prepared.bind([10]);
              return (await prepared.runAndReadAll()).getRowsJson();
            },
          },
          {
            name: 'POST db/user/bench/query (global fetch client)',
            fn: () => postWithFetch('db/user/bench/query', { sql, params: [10] }),
          },
        ],
      });
    } finally {
      prepared.destroySync();
      connection.closeSync();
      instance.closeSync();
    }
  } finally {
    await gw.close();
    await rm(dir, { recursive: true, force: true });
  }
}

async function proxy() {
  const upstream = await startHttpsUpstream();
  const external = new ExternalProxy({
    resolver: async () => [{ address: '127.0.0.1', family: 4 }],
    addressPolicy: (a) => (a === '127.0.0.1' ? undefined : blockedAddressReason(a)),
    ca: testCa,
  });
  const gw = await startTestGateway({ external });
  const agent = new Agent({
    connect: {
      ca: testCa,
      lookup: (_h, _o, cb) => cb(null, [{ address: '127.0.0.1', family: 4 }] as never, 4),
    },
  });
  try {
    const token = await gw.issueToken('bench-user');
    const url = `https://api.test:${upstream.port}/v1/data`;
    return await compare({
      title: 'external call: through the gateway vs direct (loopback TLS upstream)',
      timeMs,
      baseline: {
        name: 'direct undici request',
        fn: async () => (await request(url, { dispatcher: agent })).body.json(),
      },
      candidates: [
        { name: 'ExternalProxy.call', fn: () => external.call({ scope: scopeFromRole('member'), url }) },
        {
          name: 'POST external (gateway route)',
          fn: async () =>
            (
              await fetch(`${gw.proxyBase}external`, {
                method: 'POST',
                headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
                body: JSON.stringify({ url }),
              })
            ).json(),
        },
      ],
    });
  } finally {
    await gw.close();
    await external.close();
    await agent.close();
    await upstream.close();
  }
}

const groups = { tokens, duckdb, proxy };
// BENCH_ONLY=duckdb (comma-separated) runs a subset.
const only = process.env.BENCH_ONLY?.split(',');
const rows = [];
for (const [name, run] of Object.entries(groups))
  if (!only || only.includes(name)) rows.push(...(await run()));
summarize(rows);
