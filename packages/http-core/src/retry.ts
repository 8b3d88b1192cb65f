/**
 * Retry policy and the small timing helpers ky does not expose: `Retry-After` as a number for errors (with
 * `retry-after-ms` and an injectable clock), the full-jitter backoff, and an abortable sleep. The waits
 * themselves are ky's.
 *
 * @module
 */

import { AbortError, TimeoutError } from './errors.ts';

/** The retry policy of a client or a call. */
export interface RetryOptions {
  /** Retries after the first attempt (default 2). `0` disables retries. */
  limit?: number;
  /** Statuses that are retried (default 408, 425, 429, 500, 502, 503, 504). */
  statuses?: readonly number[];
  /** First backoff ceiling in ms (default 500); it doubles per retry. */
  baseDelay?: number;
  /** Backoff ceiling cap in ms (default 8000). */
  maxDelay?: number;
  /**
   * The longest server-requested wait (`Retry-After`, `retry-after-ms`) honoured, in ms (default 60 000).
   * A longer request is not retried: the error surfaces with `retryAfterMs` so the caller can decide.
   */
  maxRetryAfter?: number;
}

/** {@link RetryOptions} with every default filled in. */
export type ResolvedRetry = Required<RetryOptions>;

const defaultRetryStatuses: readonly number[] = [408, 425, 429, 500, 502, 503, 504];

/** Fills in the defaults; a number is a `limit`, `false` means no retries. */
export function resolveRetry(
  retry: number | false | RetryOptions | undefined,
  base?: ResolvedRetry,
): ResolvedRetry {
  const from: ResolvedRetry = base ?? {
    limit: 2,
    statuses: defaultRetryStatuses,
    baseDelay: 500,
    maxDelay: 8000,
    maxRetryAfter: 60_000,
  };
  if (retry === undefined) return from;
  if (retry === false) return { ...from, limit: 0 };
  if (typeof retry === 'number') return { ...from, limit: retry };
  return { ...from, ...retry };
}

/**
 * The full-jitter backoff before retry number `retry` (1-based): a uniform draw from
 * `[0, min(maxDelay, baseDelay × 2^(retry-1)))`. Full jitter spreads a crowd of clients best.
 */
export function backoffDelay(
  retry: number,
  policy: Pick<ResolvedRetry, 'baseDelay' | 'maxDelay'>,
  random: () => number,
): number {
  const ceiling = Math.min(policy.maxDelay, policy.baseDelay * 2 ** Math.max(0, retry - 1));
  return Math.floor(random() * ceiling);
}

/**
 * Reads how long the server asked us to wait, in ms: `retry-after-ms` first (a float of ms), then
 * `Retry-After` as delta-seconds or an HTTP date (relative to `now`). Invalid or negative values give
 * `undefined`; a date in the past gives 0.
 */
export function parseRetryAfter(headers: Headers, now: number): number | undefined {
  const ms = headers.get('retry-after-ms');
  if (ms !== null && /^\s*\d+(\.\d+)?\s*$/.test(ms)) return Math.ceil(Number(ms));
  const value = headers.get('retry-after')?.trim();
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Math.ceil(Number(value) * 1000);
  const date = Date.parse(value);
  // Bare numbers Date.parse accepts (e.g. "-1", "2020") are not HTTP dates.
  if (Number.isNaN(date) || !/[a-z]/i.test(value)) return undefined;
  return Math.max(0, date - now);
}

/**
 * Resolves after `ms`, or rejects with an {@link AbortError} as soon as `signal` aborts (with the signal's
 * reason when it is already one of our errors, e.g. a timeout).
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const fail = () => reject(abortReason(signal!));
    if (signal?.aborted) return fail();
    const onAbort = () => {
      clearTimeout(timer);
      fail();
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** The error to throw for an aborted signal: our own error when we aborted it, else an {@link AbortError}. */
export function abortReason(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (AbortError.isInstance(reason) || TimeoutError.isInstance(reason)) {
    return reason as Error;
  }
  return new AbortError('The operation was aborted by the caller.', { cause: reason });
}

/** Settles like `value`, or rejects with the abort error as soon as `signal` aborts first. */
export function untilAborted<T>(value: T | Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortReason(signal));
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    Promise.resolve(value)
      .then(resolve, reject)
      .finally(() => signal.removeEventListener('abort', onAbort));
  });
}
