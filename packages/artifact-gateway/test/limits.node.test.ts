// Bounded memory: request bodies, upstream answers and file uploads stop at their limits while streaming.
// Everything runs over real sockets: the gateway on a real port in this process (so its RSS is ours), a
// real HTTPS upstream, and requests sent with node:http.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { Agent, request as httpRequest } from 'node:http';
import { createServer } from 'node:https';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startTestServer, type TestServer } from '@x/http-core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blockedAddressReason, issueAppToken, scopeFromRole } from '../src/index.ts';
import { type ArtifactGateway, createArtifactGateway, ExternalProxy } from '../src/node/index.ts';
import { testCa } from './https-upstream.ts';

const MiB = 1024 * 1024;
const secretKey = 'limits-test-secret';
let workspace: string;
let gateway: ArtifactGateway;
let server: TestServer;
let upstream: ReturnType<typeof createServer>;
let upstreamPort: number;

const token = () =>
  issueAppToken({
    secretKey,
    userId: 'user-limits',
    accountId: 'acc-1',
    context: 'lab_session:sess-1',
    scope: scopeFromRole('member'),
  });

interface Sent {
  status: number;
  body: string;
  sentBytes: number;
  peakRssGrowth: number;
}

/**
 * POSTs `total` bytes chunked (no Content-Length), generated on the fly: `prefix`, then filler. Stops
 * writing as soon as the answer arrives, and samples this process's RSS meanwhile.
 */
async function sendChunked(path: string, prefix: string, total: number, filler = 'a'): Promise<Sent> {
  const auth = await token();
  globalThis.gc?.();
  const baseline = process.memoryUsage().rss;
  let peak = baseline;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 5);
  const chunk = Buffer.alloc(64 * 1024, filler);
  let sentBytes = 0;
  const agent = new Agent({ keepAlive: true });
  try {
    return await new Promise<Sent>((resolve, reject) => {
      let answered = false;
      const req = httpRequest(`${server.url}/api/lab/app/${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${auth}`, 'content-type': 'application/json' },
        // A fresh keep-alive connection each time: the server closes the one whose body it stopped reading
        // once it has drained a while, so it must not be reused; and with `Connection: close` (agent:
        // false) Node closes the socket right after the answer, before this client, writing on, reads it.
        agent,
      });
      req.on('response', (res) => {
        answered = true;
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => {
          body += d;
        });
        res.on('end', () =>
          resolve({
            status: res.statusCode!,
            body,
            sentBytes,
            peakRssGrowth: Math.max(peak, process.memoryUsage().rss) - baseline,
          }),
        );
        res.on('error', reject);
      });
      // The server may close the socket after its answer while we are still writing: not a failure.
      req.on('error', (error) => {
        if (!answered) reject(new Error(`${path} after ${sentBytes} bytes: ${error.message}`));
      });
      req.write(prefix);
      sentBytes = Buffer.byteLength(prefix);
      const pump = () => {
        while (!answered && sentBytes < total) {
          const part = chunk.subarray(0, Math.min(chunk.length, total - sentBytes));
          sentBytes += part.length;
          if (!req.write(part)) return void req.once('drain', pump);
        }
        if (!answered) req.end('"}');
      };
      pump();
    });
  } finally {
    clearInterval(sampler);
    agent.destroy();
  }
}

beforeAll(async () => {
  workspace = await mkdtemp(join(tmpdir(), 'ag-limits-'));
  // An upstream whose answer never ends on its own: 1 MiB chunks, no Content-Length, until the reader stops.
  const key = await readFile(new URL('./fixtures/test-key.pem', import.meta.url), 'utf8');
  upstream = createServer({ key, cert: testCa }, (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/octet-stream' });
    const block = Buffer.alloc(MiB, 'u');
    let sent = 0;
    const pump = () => {
      while (sent < 300 * MiB) {
        sent += block.length;
        if (!res.write(block)) return void res.once('drain', pump);
      }
      res.end();
    };
    res.on('close', () => {
      sent = Number.POSITIVE_INFINITY;
    });
    pump();
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  upstreamPort = (upstream.address() as AddressInfo).port;
  gateway = createArtifactGateway({
    secretKey,
    workspace,
    basePath: '/api/lab/app',
    maxFileBytes: 1 * MiB,
    external: new ExternalProxy({
      resolver: async () => [{ address: '127.0.0.1', family: 4 }],
      addressPolicy: (a) => (a === '127.0.0.1' ? undefined : blockedAddressReason(a)),
      ca: testCa,
      maxResponseBytes: 2 * MiB,
      maxStreamBytes: 2 * MiB,
    }),
  });
  server = await startTestServer(gateway);
});

afterAll(async () => {
  await server.close();
  await gateway.close();
  upstream.closeAllConnections();
  await new Promise<void>((resolve) => upstream.close(() => resolve()));
  await rm(workspace, { recursive: true, force: true });
});

describe('request bodies are counted while streaming', () => {
  it('answers 413 to 300 MiB sent chunked to a 10 MiB limit, with RSS growing less than 32 MiB', async () => {
    // Warm up the route first (code loading, the token check, the files folder), so that what is measured
    // below is what the large body costs.
    expect((await sendChunked('files/user/write', '{"path":"warm.txt","content":"', 1024)).status).toBe(200);
    await rm(join(workspace, 'user-limits', 'files', 'warm.txt'));
    const sent = await sendChunked('files/user/write', '{"path":"big.txt","content":"', 300 * MiB);
    console.log(
      `chunked 300 MiB: status ${sent.status}, ${Math.round(sent.sentBytes / MiB)} MiB written before the answer, RSS +${(sent.peakRssGrowth / MiB).toFixed(1)} MiB`,
    );
    expect(sent.status).toBe(413);
    expect(JSON.parse(sent.body)).toEqual({ detail: expect.stringMatching(/exceeds/) });
    expect(sent.peakRssGrowth).toBeLessThan(32 * MiB);
    // The gateway stopped reading: the client never got to send the whole body.
    expect(sent.sentBytes).toBeLessThan(300 * MiB);
    expect(await readdir(join(workspace, 'user-limits', 'files'))).toEqual([]);
  });

  it('counts the body on every route that reads one, not only files', async () => {
    for (const path of ['db/user/big/query', 'state/ns/set', 'external', 'internal', 'run']) {
      const sent = await sendChunked(path, '{"x":"', 12 * MiB);
      expect({ path, status: sent.status }).toEqual({ path, status: 413 });
    }
  });

  it('still accepts a chunked body under the limit', async () => {
    const prefix = '{"path":"ok.txt","content":"';
    const sent = await sendChunked('files/user/write', prefix, 64 * 1024);
    expect(sent.status).toBe(200);
    expect((await readFile(join(workspace, 'user-limits', 'files', 'ok.txt'), 'utf8')).length).toBe(
      64 * 1024 - prefix.length,
    );
    await rm(join(workspace, 'user-limits', 'files', 'ok.txt'));
  });
});

describe('upstream answers are counted while streaming', () => {
  it('answers 502 payload_too_large to an endless upstream answer and stops reading it', async () => {
    const auth = await token();
    const before = process.memoryUsage().rss;
    const response = await fetch(`${server.url}/api/lab/app/external`, {
      method: 'POST',
      headers: { authorization: `Bearer ${auth}`, 'content-type': 'application/json' },
      body: JSON.stringify({ method: 'GET', url: `https://api.test:${upstreamPort}/endless` }),
    });
    expect(response.status).toBe(502);
    expect(await response.json()).toEqual({ detail: expect.stringMatching(/upstream response exceeds/) });
    expect(process.memoryUsage().rss - before).toBeLessThan(32 * MiB);
  });

  it('cuts a relayed upstream stream at maxStreamBytes', async () => {
    const auth = await token();
    const response = await fetch(`${server.url}/api/lab/app/external/stream`, {
      method: 'POST',
      headers: { authorization: `Bearer ${auth}`, 'content-type': 'application/json' },
      body: JSON.stringify({ method: 'GET', url: `https://api.test:${upstreamPort}/endless` }),
    });
    expect(response.status).toBe(200);
    let received = 0;
    const reading = (async () => {
      for await (const part of response.body as unknown as AsyncIterable<Uint8Array>)
        received += part.byteLength;
    })();
    await expect(reading).rejects.toThrow();
    expect(received).toBeLessThanOrEqual(2 * MiB);
  });
});

describe('file uploads over the limit leave nothing on disk', () => {
  const dir = () => join(workspace, 'user-limits', 'files');

  it('refuses a file over maxFileBytes without creating it or touching the old one', async () => {
    const auth = await token();
    const write = (path: string, content: string) =>
      fetch(`${server.url}/api/lab/app/files/user/write`, {
        method: 'POST',
        headers: { authorization: `Bearer ${auth}`, 'content-type': 'application/json' },
        body: JSON.stringify({ path, content }),
      });
    expect((await write('keep.txt', 'old content')).status).toBe(200);
    const big = 'x'.repeat(1 * MiB + 1);
    expect((await write('keep.txt', big)).status).toBe(413);
    expect((await write('new.txt', big)).status).toBe(413);
    expect(await readFile(join(dir(), 'keep.txt'), 'utf8')).toBe('old content');
    expect((await readdir(dir())).sort()).toEqual(['keep.txt']);
  });

  it('leaves no file, and no temporary file, when the upload is cut off mid-body', async () => {
    const auth = await token();
    await new Promise<void>((resolve) => {
      const req = httpRequest(`${server.url}/api/lab/app/files/user/write`, {
        method: 'POST',
        headers: { authorization: `Bearer ${auth}`, 'content-type': 'application/json' },
      });
      req.on('error', () => resolve());
      req.on('close', () => resolve());
      req.write('{"path":"cut.txt","content":"');
      req.write('y'.repeat(256 * 1024), () => setTimeout(() => req.destroy(), 50));
    });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect((await readdir(dir())).sort()).toEqual(['keep.txt']);
  });
});

describe('a file write that fails half-way leaves nothing half-written', () => {
  // A real failure in the middle of a write: the gateway runs in a child whose file size limit
  // (`ulimit -f`, 256 KiB) is below the file being written (Node ignores SIGXFSZ, so the write gets EFBIG
  // after the first 256 KiB are on disk).
  let child: ChildProcess;
  let childUrl: string;
  let childWorkspace: string;
  const childSecret = 'limits-child-secret';

  beforeAll(async () => {
    childWorkspace = await mkdtemp(join(tmpdir(), 'ag-limits-child-'));
    const tsx = createRequire(import.meta.url).resolve('tsx');
    const script = fileURLToPath(new URL('./fixtures/files-child.ts', import.meta.url));
    child = spawn(
      'bash',
      [
        '-c',
        'ulimit -f 256 && exec "$0" --import "$1" --conditions=@x/source "$2"',
        process.execPath,
        tsx,
        script,
      ],
      {
        env: { ...process.env, GATEWAY_SECRET: childSecret, GATEWAY_WORKSPACE: childWorkspace },
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    childUrl = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        const port = /PORT (\d+)/.exec(out)?.[1];
        if (port) resolve(`http://127.0.0.1:${port}`);
      });
      child.once('exit', (code) => reject(new Error(`the gateway child exited with ${code}`)));
    });
  }, 30_000);

  afterAll(async () => {
    if (child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    await rm(childWorkspace, { recursive: true, force: true });
  });

  it('keeps the old content and leaves no partial or temporary file when the disk refuses the rest', async () => {
    const auth = await issueAppToken({
      secretKey: childSecret,
      userId: 'user-child',
      accountId: 'acc-1',
      context: 'lab_session:sess-1',
      scope: scopeFromRole('member'),
    });
    const write = (path: string, content: string) =>
      fetch(`${childUrl}/files/user/write`, {
        method: 'POST',
        headers: { authorization: `Bearer ${auth}`, 'content-type': 'application/json' },
        body: JSON.stringify({ path, content }),
      });
    expect((await write('report.txt', 'complete old report')).status).toBe(200);
    const big = 'z'.repeat(1024 * 1024);
    const failed = await write('report.txt', big);
    expect(failed.status).toBe(507);
    expect(await failed.json()).toEqual({ detail: 'There is not enough storage for the file' });
    expect((await write('fresh.txt', big)).status).toBe(507);
    const dir = join(childWorkspace, 'user-child', 'files');
    expect(await readFile(join(dir, 'report.txt'), 'utf8')).toBe('complete old report');
    expect(await readdir(dir)).toEqual(['report.txt']);
  });
});
