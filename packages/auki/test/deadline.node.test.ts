// The overall deadline of a call against a loopback server that accepts connections and never answers:
// it must abort the request in flight, not wait for the 30 s per-request timeout.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TimeoutError } from '@x/http-core';
import { LATE_MS, raceDeadline } from '@x/tooling/deadline';
import { afterEach, describe, expect, it } from 'vitest';
import { AukiClient, AukiInputError } from '../src/index.ts';

let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

/** A server that reads each request and never answers; `closed` counts requests whose client hung up. */
async function silentServer(): Promise<{ url: string; received: IncomingMessage[]; closed: () => number }> {
  const received: IncomingMessage[] = [];
  let closed = 0;
  server = createServer((request) => {
    received.push(request);
    request.socket.on('close', () => closed++);
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, received, closed: () => closed };
}

const clientOf = (url: string) =>
  new AukiClient({
    apiUrl: url,
    ddsUrl: url,
    clientId: 'test-app',
    timeout: 30_000,
    credentials: { type: 'email', email: 'ada@example.test', password: 'pw' },
  });

describe('overall deadline (timeoutMs)', () => {
  for (const [name, call] of [
    ['authenticate', (c: AukiClient) => c.authenticate({ timeoutMs: 1000 })],
    ['getDomainAccess', (c: AukiClient) => c.getDomainAccess('domain-1', { timeoutMs: 1000 })],
  ] as const) {
    it(`${name}: a 1 s deadline rejects with TimeoutError at the deadline, not at the request timeout and aborts the request in flight`, async () => {
      const silent = await silentServer();
      const { error, elapsedMs, lateMs } = await raceDeadline(1000, () => call(clientOf(silent.url)));
      expect(TimeoutError.isInstance(error), String(error)).toBe(true);
      expect(elapsedMs).toBeGreaterThanOrEqual(990);
      // Settles with a plain 1 s timer started with it, not seconds later at a request timeout or poll.
      expect(lateMs).toBeLessThan(LATE_MS);
      expect(silent.received.map((r) => r.url)).toEqual(['/user/login']);
      await expect.poll(silent.closed, { timeout: 500 }).toBe(1);
    });
  }

  it('a timeoutMs that is not a positive number is refused before any request', async () => {
    const silent = await silentServer();
    for (const timeoutMs of [0, -5, Number.NaN]) {
      const error = await clientOf(silent.url)
        .authenticate({ timeoutMs })
        .catch((e: unknown) => e);
      expect(AukiInputError.isInstance(error), String(error)).toBe(true);
    }
    expect(silent.received).toHaveLength(0);
  });
});
