/**
 * A clock a test moves by hand, shared by the fake servers of the @x SDKs: tokens, codes and exchanges
 * expire when the test says so, not when the wall clock does, so tests need no sleeps.
 *
 * @example
 * ```ts
 * const clock = new TestClock();
 * const fake = await startFakeSomething({ clock });
 * clock.advance(31 * 60_000); // the access token is now expired
 * ```
 */
export class TestClock {
  #now: number;

  /** Starts at `start` (epoch ms; default 2026-01-01T00:00:00Z, so runs are repeatable). */
  constructor(start: number = Date.UTC(2026, 0, 1)) {
    this.#now = start;
  }

  /** The current time, epoch ms (pass `() => clock.now()` where a `now` function is wanted). */
  now(): number {
    return this.#now;
  }

  /** The current time in whole epoch seconds, as JWT claims count it. */
  seconds(): number {
    return Math.floor(this.#now / 1000);
  }

  /** Moves the clock forward by `ms` (≥ 0). */
  advance(ms: number): void {
    if (!(ms >= 0)) throw new RangeError(`TestClock.advance: ms must be ≥ 0, got ${ms}`);
    this.#now += ms;
  }

  /** Sets the clock to `epochMs` (forwards or backwards, e.g. to test a clock that jumped back). */
  set(epochMs: number): void {
    this.#now = epochMs;
  }
}
