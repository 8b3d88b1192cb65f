/**
 * Deadline checks that hold on a loaded machine: the call under test is timed against a plain timer of
 * the same length started at the same moment, so event-loop lag (other suites, a busy CI core) delays
 * both alike and only the call's own lateness is left to assert on.
 *
 * @module
 */

/**
 * How late a call may settle after the reference timer and still count as keeping its deadline. The
 * failure this guards against is waiting for the per-request timeout or the next poll (5 s and more
 * late); on a quiet machine the calls settle 5-20 ms after the timer, but with every suite of the
 * repository running on two cores the work after the abort (errors, sockets) has been seen to take 0.3 s.
 */
export const LATE_MS = 1000;

/** What {@link raceDeadline} measured. */
export interface DeadlineMeasure {
  /** What the call rejected with (`undefined` when it resolved). */
  error: unknown;
  /** Milliseconds from the start until the call settled. */
  elapsedMs: number;
  /** Milliseconds from the start until the reference timer fired (the deadline plus the machine's lag). */
  timerMs: number;
  /** How much later than the reference timer the call settled (negative: earlier). */
  lateMs: number;
}

/** Runs `call` next to a `deadlineMs` reference timer and reports when each settled. */
export async function raceDeadline(
  deadlineMs: number,
  call: () => Promise<unknown>,
): Promise<DeadlineMeasure> {
  const started = performance.now();
  const timer = new Promise<number>((done) =>
    setTimeout(() => done(performance.now() - started), deadlineMs),
  );
  let error: unknown;
  try {
    await call();
  } catch (thrown) {
    error = thrown;
  }
  const elapsedMs = performance.now() - started;
  const timerMs = await timer;
  return { error, elapsedMs, timerMs, lateMs: elapsedMs - timerMs };
}
