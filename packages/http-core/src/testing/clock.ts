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

/**
 * A clock that follows the wall clock, for fakes that run for people rather than for a test (a sandbox, a demo,
 * a dev server): device-code polls, token lifetimes and expiry checks then agree with SDKs that judge time with
 * `Date.now()`. It can still be moved forward or set, which shifts it by an offset and keeps it ticking.
 *
 * @example
 * ```ts
 * const clock = new WallClock();
 * const fake = await startFakeSomething({ clock });
 * clock.advance(60_000); // from now on the fake is one minute ahead of the wall clock
 * ```
 */
export class WallClock extends TestClock {
  #offset = 0;

  /** Starts at the wall clock's time. */
  constructor() {
    super(Date.now());
  }

  override now(): number {
    return Date.now() + this.#offset;
  }

  override seconds(): number {
    return Math.floor(this.now() / 1000);
  }

  /** Moves the clock forward by `ms` (≥ 0); it keeps ticking from there. */
  override advance(ms: number): void {
    if (!(ms >= 0)) throw new RangeError(`WallClock.advance: ms must be ≥ 0, got ${ms}`);
    this.#offset += ms;
  }

  /** Sets the clock to `epochMs`; it keeps ticking from there. */
  override set(epochMs: number): void {
    this.#offset = epochMs - Date.now();
  }
}
