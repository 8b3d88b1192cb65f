/**
 * The fake's clock: time moves only when the test says so.
 *
 * @module
 */

/**
 * A manual clock in epoch milliseconds. Token lifetimes, sessions, verification codes, 2FA codes and
 * temporary-file expiry of the fake all read it, so a test can jump 31 minutes without waiting.
 *
 * @example
 * ```ts
 * const clock = new FakeClock();
 * const fake = await startFakeInkPass({ clock });
 * clock.advance(31 * 60_000); // every access token issued so far has expired
 * ```
 */
export class FakeClock {
  #now: number;

  /** Starts at `start` (default 2026-01-01T00:00:00Z). */
  constructor(start: number = Date.UTC(2026, 0, 1)) {
    this.#now = start;
  }

  /** The current time, epoch ms. */
  now(): number {
    return this.#now;
  }

  /** Moves time forward by `ms` (never backwards). */
  advance(ms: number): void {
    if (!(ms >= 0)) throw new RangeError(`FakeClock.advance: ms must be ≥ 0, got ${ms}`);
    this.#now += ms;
  }
}
