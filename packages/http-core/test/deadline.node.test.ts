// A deadline is a deadline: against a server that accepts the connection and never answers, an overall
// timeout aborts the request in flight instead of waiting for the per-request timeout.
import { createServer, type Server, type Socket } from 'node:net';
import { LATE_MS, raceDeadline } from '@x/tooling/deadline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpClient, longPoll, TimeoutError } from '../src/index.ts';

let server: Server;
let url: string;
const sockets = new Set<Socket>();

beforeAll(async () => {
  // Reads whatever arrives and never writes a byte back.
  server = createServer((socket) => {
    sockets.add(socket);
    socket.on('data', () => {});
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise((done) => server.close(done));
});

// Each call is timed against a plain 1 s timer started with it: the timer absorbs the machine's own lag, so
// `lateMs` is the code's lateness alone.

describe('overall deadlines against a server that never answers', () => {
  it('longPoll with totalTimeout 1000 rejects with TimeoutError at the deadline, not at the request timeout', async () => {
    const c = createHttpClient({ baseUrl: url });
    const { error, elapsedMs, lateMs } = await raceDeadline(1000, () =>
      longPoll(
        ({ waitSeconds, timeout, signal }) =>
          c.get('/wait', { query: { timeout: waitSeconds }, timeout, signal }),
        {
          waitSeconds: 30,
          totalTimeout: 1000,
        },
      ),
    );
    expect(TimeoutError.isInstance(error)).toBe(true);
    expect(lateMs).toBeLessThan(LATE_MS);
    expect(elapsedMs).toBeGreaterThanOrEqual(990);
  });

  it('longPoll ignoring the per-poll timeout is still stopped by its signal at the deadline', async () => {
    const c = createHttpClient({ baseUrl: url, timeout: false });
    const { error, lateMs } = await raceDeadline(1000, () =>
      longPoll(({ signal }) => c.get('/wait', { signal }), { totalTimeout: 1000 }),
    );
    expect(TimeoutError.isInstance(error)).toBe(true);
    expect(lateMs).toBeLessThan(LATE_MS);
  });

  it("a client call's totalTimeout aborts the attempt in flight", async () => {
    const c = createHttpClient({ baseUrl: url, timeout: 30_000 });
    const { error, lateMs } = await raceDeadline(1000, () => c.get('/slow', { totalTimeout: 1000 }));
    expect(TimeoutError.isInstance(error)).toBe(true);
    expect(lateMs).toBeLessThan(LATE_MS);
  });
});
