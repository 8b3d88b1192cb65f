// A request that is not idempotent is retried only when it cannot have reached the server: a reset after
// the server got it (it may have acted) is not repeated; a refused connection is.
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpClient, NetworkError, type RetryInfo } from '../src/index.ts';
import { type Kit, startKit } from './kit.ts';

let kit: Kit;
beforeAll(async () => {
  kit = await startKit((app) => {
    app.post('/write', (c) => c.json({ ok: true }));
    app.delete('/write', (c) => c.json({ ok: true }));
  });
});
afterAll(() => kit.server.close());

const writes = () => kit.recorder.requests.filter((r) => r.path === '/write').length;

describe('no duplicated writes', () => {
  it('a POST without an idempotency key reset after it was sent is not retried', async () => {
    kit.recorder.clear();
    kit.faults.enqueue({ reset: true, match: { path: '/write' } });
    const client = createHttpClient({ baseUrl: kit.server.url, ...kit.fast, retry: 3 });
    const error = await client.post('/write', { json: { a: 1 } }).catch((e: unknown) => e);
    expect(NetworkError.isInstance(error)).toBe(true);
    expect(writes()).toBe(1);
  });

  it('a DELETE marked idempotent: false is not retried after a reset; marked true, a POST is', async () => {
    kit.recorder.clear();
    kit.faults.enqueue({ reset: true, match: { path: '/write' } });
    const client = createHttpClient({ baseUrl: kit.server.url, ...kit.fast, retry: 3 });
    await expect(client.delete('/write', { idempotent: false })).rejects.toSatisfy((e) =>
      NetworkError.isInstance(e),
    );
    expect(writes()).toBe(1);
    kit.recorder.clear();
    kit.faults.enqueue({ reset: true, match: { path: '/write' } });
    expect(await client.post('/write', { idempotent: true })).toEqual({ ok: true });
    expect(writes()).toBe(2);
  });

  it('a refused connection is retried even for a POST (nothing was sent)', async () => {
    // A port that was free a moment ago: connecting is refused.
    const probe = createServer();
    await new Promise<void>((done) => probe.listen(0, '127.0.0.1', done));
    const port = (probe.address() as { port: number }).port;
    await new Promise((done) => probe.close(done));
    const retries: RetryInfo[] = [];
    const client = createHttpClient({
      baseUrl: `http://127.0.0.1:${port}`,
      ...kit.fast,
      retry: 2,
      hooks: { beforeRetry: [(info) => void retries.push(info)] },
    });
    const error = await client.post('/write', { json: {} }).catch((e: unknown) => e);
    expect(NetworkError.isInstance(error)).toBe(true);
    expect(retries).toHaveLength(2);
  });
});
