// A deadline is a deadline: against a server that accepts the connection and never answers, an overall
// timeout aborts the request in flight instead of waiting for the per-request timeout.
import { createServer, type Server, type Socket } from 'node:net';
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

async function timed<T>(run: () => Promise<T>): Promise<{ error: unknown; ms: number }> {
  const started = performance.now();
  const error = await run().then(
    () => undefined,
    (e) => e,
  );
  return { error, ms: performance.now() - started };
}

describe('overall deadlines against a server that never answers', () => {
  it('longPoll with totalTimeout 1000 rejects with TimeoutError within 1.2 s', async () => {
    const c = createHttpClient({ baseUrl: url });
    const { error, ms } = await timed(() =>
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
    expect(ms).toBeLessThan(1200);
    expect(ms).toBeGreaterThanOrEqual(990);
  });

  it('longPoll ignoring the per-poll timeout is still stopped by its signal at the deadline', async () => {
    const c = createHttpClient({ baseUrl: url, timeout: false });
    const { error, ms } = await timed(() =>
      longPoll(({ signal }) => c.get('/wait', { signal }), { totalTimeout: 1000 }),
    );
    expect(TimeoutError.isInstance(error)).toBe(true);
    expect(ms).toBeLessThan(1200);
  });

  it("a client call's totalTimeout aborts the attempt in flight", async () => {
    const c = createHttpClient({ baseUrl: url, timeout: 30_000 });
    const { error, ms } = await timed(() => c.get('/slow', { totalTimeout: 1000 }));
    expect(TimeoutError.isInstance(error)).toBe(true);
    expect(ms).toBeLessThan(1200);
  });
});
