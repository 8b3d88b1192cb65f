import { NetworkError, ServerError, TimeoutError, type XError } from './errors.ts';
import { abortReason, backoffDelay, sleep as defaultSleep } from './retry.ts';

/** What each poll is given. */
export interface PollContext {
  /** Seconds the server should hold the request (the wait parameter to send), already clamped to the deadline. */
  waitSeconds: number;
  /** A per-request timeout (ms) that exceeds the server wait, to pass as the call's `timeout`. */
  timeout: number;
  /** The loop's signal; pass it to the call. */
  signal: AbortSignal;
  /** 1 for the first poll. */
  poll: number;
}

/** Options of {@link longPoll}. */
export interface LongPollOptions {
  /** The server-side wait per poll, in seconds (default 30). */
  waitSeconds?: number;
  /** Added to the server wait to form each request's timeout, in ms (default 5000). */
  timeoutMargin?: number;
  /** Stops the loop; it rejects with an AbortError. */
  signal?: AbortSignal;
  /**
   * Overall time limit in ms; when it passes the loop rejects with a {@link TimeoutError}, aborting the poll
   * in flight (through the signal it was given).
   */
  totalTimeout?: number;
  /** Reconnect backoff after a network error: first ceiling in ms (default 500), doubling up to `maxDelay`. */
  baseDelay?: number;
  /** Reconnect backoff cap in ms (default 8000). */
  maxDelay?: number;
  /** Which errors mean "reconnect" (default: network errors, timeouts and retryable 5xx). */
  isTransient?: (error: unknown) => boolean;
  /** Called before each reconnect wait. */
  onReconnect?: (error: unknown, delayMs: number) => void;
  /** Clock, randomness and sleep, injectable for tests. */
  now?: () => number;
  /** Random source in [0, 1) for the reconnect jitter. */
  random?: () => number;
  /** Waits between reconnects. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

const defaultTransient = (error: unknown): boolean =>
  NetworkError.isInstance(error) ||
  TimeoutError.isInstance(error) ||
  (ServerError.isInstance(error) && (error as XError).retryable);

/**
 * Polls until `poll` returns a result. Each poll asks the server to hold the request for up to
 * `waitSeconds`; `undefined` or `null` means "nothing yet" and polls again at once. Network errors and
 * timeouts reconnect after a jittered backoff; other errors end the loop.
 *
 * @example
 * ```ts
 * const decision = await longPoll(
 *   ({ waitSeconds, timeout, signal }) =>
 *     client.get(`/requests/${id}/wait`, { query: { timeout: waitSeconds }, timeout, signal, schema: v.optional(Decision) }),
 *   { waitSeconds: 30, totalTimeout: 600_000, signal },
 * );
 * ```
 */
export async function longPoll<T>(
  poll: (context: PollContext) => Promise<T | null | undefined>,
  options: LongPollOptions = {},
): Promise<T> {
  const now = options.now ?? Date.now;
  const random = options.random ?? Math.random;
  const sleep = options.sleep ?? defaultSleep;
  const isTransient = options.isTransient ?? defaultTransient;
  const wait = options.waitSeconds ?? 30;
  const deadline =
    options.totalTimeout === undefined ? Number.POSITIVE_INFINITY : now() + options.totalTimeout;
  const ctl = new AbortController();
  const onAbort = () => ctl.abort(abortReason(options.signal!));
  if (options.signal?.aborted) onAbort();
  else options.signal?.addEventListener('abort', onAbort, { once: true });
  const timeUp = () =>
    new TimeoutError(`Long poll gave up after ${options.totalTimeout} ms without a result.`);
  // The deadline also aborts the poll in flight: a server that never answers must not outlive it.
  const deadlineTimer =
    options.totalTimeout === undefined || !(options.totalTimeout < 2 ** 31)
      ? undefined
      : setTimeout(() => ctl.abort(timeUp()), Math.max(0, options.totalTimeout));
  let failures = 0;
  try {
    for (let n = 1; ; n++) {
      if (ctl.signal.aborted) throw abortReason(ctl.signal);
      const remaining = deadline - now();
      if (remaining <= 0) throw timeUp();
      const waitSeconds = Math.max(1, Math.min(wait, Math.ceil(remaining / 1000)));
      try {
        const result = await poll({
          waitSeconds,
          timeout: Math.min(waitSeconds * 1000 + (options.timeoutMargin ?? 5000), Math.max(1, remaining)),
          signal: ctl.signal,
          poll: n,
        });
        failures = 0;
        if (result !== undefined && result !== null) return result;
      } catch (error) {
        // Aborted by the deadline or the caller: their error, not whatever the poll made of the abort.
        if (ctl.signal.aborted) throw abortReason(ctl.signal);
        if (!isTransient(error)) throw error;
        failures++;
        const delay = backoffDelay(
          failures,
          { baseDelay: options.baseDelay ?? 500, maxDelay: options.maxDelay ?? 8000 },
          random,
        );
        if (now() + delay >= deadline) throw timeUp();
        options.onReconnect?.(error, delay);
        await sleep(delay, ctl.signal);
      }
    }
  } finally {
    clearTimeout(deadlineTimer);
    options.signal?.removeEventListener('abort', onAbort);
  }
}
