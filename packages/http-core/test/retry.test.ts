import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AbortError, sleep, TimeoutError } from '../src/index.ts';
// Internal helpers, no longer exported (ky owns the retries; these feed its options).
import { backoffDelay, parseRetryAfter, resolveRetry } from '../src/retry.ts';
import { failure } from './failure.ts';

const policy = { baseDelay: 500, maxDelay: 8000 };

describe('backoffDelay (full jitter, 0.5 s doubling to an 8 s cap)', () => {
  it('draws from [0, ceiling) where the ceiling doubles and is capped', () => {
    const almostOne = () => 0.999_999;
    expect([1, 2, 3, 4, 5, 6, 7].map((n) => backoffDelay(n, policy, almostOne))).toEqual([
      499, 999, 1999, 3999, 7999, 7999, 7999,
    ]);
    expect(backoffDelay(3, policy, () => 0)).toBe(0);
    expect(backoffDelay(2, policy, () => 0.5)).toBe(500);
  });

  it('never leaves the jitter window (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (n, r) => {
          const delay = backoffDelay(n, policy, () => r);
          const ceiling = Math.min(8000, 500 * 2 ** (n - 1));
          return delay >= 0 && delay < ceiling && Number.isInteger(delay);
        },
      ),
    );
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');
  const h = (init: Record<string, string>) => new Headers(init);

  it('reads delta-seconds', () => {
    expect(parseRetryAfter(h({ 'retry-after': '3' }), now)).toBe(3000);
    expect(parseRetryAfter(h({ 'retry-after': '0' }), now)).toBe(0);
    expect(parseRetryAfter(h({ 'retry-after': '1.5' }), now)).toBe(1500);
  });

  it('reads an HTTP date relative to the injected clock, past dates as 0', () => {
    expect(parseRetryAfter(h({ 'retry-after': 'Thu, 01 Jan 2026 00:00:10 GMT' }), now)).toBe(10_000);
    expect(parseRetryAfter(h({ 'retry-after': 'Wed, 31 Dec 2025 23:00:00 GMT' }), now)).toBe(0);
  });

  it('prefers retry-after-ms', () => {
    expect(parseRetryAfter(h({ 'retry-after-ms': '250', 'retry-after': '9' }), now)).toBe(250);
    expect(parseRetryAfter(h({ 'retry-after-ms': '12.2' }), now)).toBe(13);
  });

  it('ignores garbage', () => {
    for (const value of ['soon', '-1', '', '1e3', '2026-01-01']) {
      expect(parseRetryAfter(h({ 'retry-after': value }), now)).toBeUndefined();
    }
    expect(parseRetryAfter(h({ 'retry-after-ms': 'abc' }), now)).toBeUndefined();
    expect(parseRetryAfter(h({}), now)).toBeUndefined();
  });

  it('never returns a negative or non-integer delay (property)', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (a, b) => {
        let headers: Headers;
        try {
          headers = new Headers({ 'retry-after': a, 'retry-after-ms': b });
        } catch {
          return true; // not a valid header value at all
        }
        const ms = parseRetryAfter(headers, now);
        return ms === undefined || (ms >= 0 && Number.isInteger(ms));
      }),
    );
  });
});

describe('resolveRetry', () => {
  it('defaults to 2 retries on 408/425/429/500/502/503/504, 0.5 s → 8 s, Retry-After up to 60 s', () => {
    expect(resolveRetry(undefined)).toEqual({
      limit: 2,
      statuses: [408, 425, 429, 500, 502, 503, 504],
      baseDelay: 500,
      maxDelay: 8000,
      maxRetryAfter: 60_000,
    });
    expect(resolveRetry(false).limit).toBe(0);
    expect(resolveRetry(5).limit).toBe(5);
    expect(resolveRetry({ maxDelay: 100 }, resolveRetry(4))).toMatchObject({ limit: 4, maxDelay: 100 });
  });
});

describe('sleep', () => {
  it('resolves after the delay', async () => {
    await expect(sleep(1)).resolves.toBeUndefined();
  });

  it('rejects with AbortError when the caller aborts, keeping the reason as cause', async () => {
    const ctl = new AbortController();
    const pending = sleep(60_000, ctl.signal);
    ctl.abort('stop');
    const error = await failure(pending);
    expect(AbortError.isInstance(error)).toBe(true);
    expect(error.cause).toBe('stop');
  });

  it('rejects with our own error when the signal was aborted with one (a timeout stays a timeout)', async () => {
    const ctl = new AbortController();
    ctl.abort(new TimeoutError('total timeout'));
    await expect(sleep(10, ctl.signal)).rejects.toSatisfy((e) => TimeoutError.isInstance(e));
  });
});
