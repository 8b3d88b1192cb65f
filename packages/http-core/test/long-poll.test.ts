import { describe, expect, it } from 'vitest';
import {
  AbortError,
  BadRequestError,
  longPoll,
  NetworkError,
  ServiceUnavailableError,
  TimeoutError,
} from '../src/index.ts';

const instant = (delays: number[]) => async (ms: number, signal: AbortSignal) => {
  delays.push(ms);
  if (signal.aborted) throw signal.reason;
};

describe('longPoll', () => {
  it('polls until a result, passing the server wait and a timeout that exceeds it', async () => {
    const contexts: Array<{ waitSeconds: number; timeout: number; poll: number }> = [];
    const result = await longPoll(
      async ({ waitSeconds, timeout, poll }) => {
        contexts.push({ waitSeconds, timeout, poll });
        return poll < 3 ? undefined : poll === 3 ? null : 'decided';
      },
      { waitSeconds: 20 },
    );
    expect(result).toBe('decided');
    expect(contexts).toEqual([1, 2, 3, 4].map((poll) => ({ waitSeconds: 20, timeout: 25_000, poll })));
  });

  it('reconnects after transient errors with jittered, growing backoff', async () => {
    const delays: number[] = [];
    let n = 0;
    const result = await longPoll(
      async () => {
        n++;
        if (n === 1) throw new NetworkError('reset');
        if (n === 2) throw new TimeoutError('slow', { retryable: true });
        if (n === 3) throw new ServiceUnavailableError('down');
        return 42;
      },
      { random: () => 0.5, sleep: instant(delays) },
    );
    expect(result).toBe(42);
    expect(delays).toEqual([250, 500, 1000]);
  });

  it('ends on a non-transient error', async () => {
    await expect(
      longPoll(async () => {
        throw new BadRequestError('bad id');
      }),
    ).rejects.toSatisfy((e) => BadRequestError.isInstance(e));
  });

  it('clamps the wait to the time left and gives up with TimeoutError at the deadline', async () => {
    let clock = 0;
    const waits: number[] = [];
    const error = await longPoll(
      async ({ waitSeconds }) => {
        waits.push(waitSeconds);
        clock += waitSeconds * 1000;
        return undefined;
      },
      { waitSeconds: 30, totalTimeout: 45_000, now: () => clock },
    ).catch((e) => e);
    expect(TimeoutError.isInstance(error)).toBe(true);
    expect(waits).toEqual([30, 15]);
  });

  it('rejects with AbortError when the caller aborts, also during a reconnect wait', async () => {
    const ctl = new AbortController();
    const pending = longPoll(
      async () => {
        throw new NetworkError('down');
      },
      { signal: ctl.signal, baseDelay: 60_000 },
    ).catch((e) => e);
    await new Promise((r) => setTimeout(r, 10));
    ctl.abort();
    expect(AbortError.isInstance(await pending)).toBe(true);

    const before = new AbortController();
    before.abort();
    await expect(longPoll(async () => 1, { signal: before.signal })).rejects.toSatisfy((e) =>
      AbortError.isInstance(e),
    );
  });
});
