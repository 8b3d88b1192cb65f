// The overall deadline of waitForApproval against a loopback server that accepts connections and never
// answers: it must abort the request in flight, not wait for the 30 s per-request timeout.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TimeoutError } from '@x/http-core';
import { LATE_MS, raceDeadline } from '@x/tooling/deadline';
import { afterEach, describe, expect, it } from 'vitest';
import { AgentAuthClient, AtbError } from '../src/index.ts';

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

describe('waitForApproval deadline', () => {
  it('a 1 s deadline rejects with TimeoutError at the deadline, not at the request timeout and aborts the request in flight', async () => {
    const silent = await silentServer();
    const client = new AgentAuthClient({ baseUrl: silent.url, timeout: 30_000, retry: 0 });
    const { error, elapsedMs, lateMs } = await raceDeadline(1000, () =>
      client.waitForApproval('chal_abc', { timeoutMs: 1000 }),
    );
    expect(TimeoutError.isInstance(error), String(error)).toBe(true);
    expect((error as TimeoutError).code).toBe('timeout');
    expect(elapsedMs).toBeGreaterThanOrEqual(990);
    // Settles with a plain 1 s timer started with it, not seconds later at a request timeout or poll.
    expect(lateMs).toBeLessThan(LATE_MS);
    expect(silent.received.map((r) => r.url)).toEqual(['/v1/challenge/chal_abc']);
    // The client hung up on the request it abandoned.
    await expect.poll(silent.closed, { timeout: 500 }).toBe(1);
  });

  it("the caller's own abort stays an AbortError, not a TimeoutError", async () => {
    const silent = await silentServer();
    const client = new AgentAuthClient({ baseUrl: silent.url, timeout: 30_000, retry: 0 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const error = await client
      .waitForApproval('chal_abc', { timeoutMs: 1000, signal: controller.signal })
      .catch((e: unknown) => e);
    expect((error as { code?: string }).code).toBe('aborted');
  });

  it('a timeoutMs that is not a positive number is refused before any request', async () => {
    const silent = await silentServer();
    const client = new AgentAuthClient({ baseUrl: silent.url, retry: 0 });
    for (const timeoutMs of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      const error = await client.waitForApproval('chal_abc', { timeoutMs }).catch((e: unknown) => e);
      expect(AtbError.isInstance(error) && error.code).toBe('invalid_input');
    }
    expect(silent.received).toHaveLength(0);
  });
});
