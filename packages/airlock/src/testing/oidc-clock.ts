/**
 * The clock of the fake identity provider: time moves only when the test says so.
 *
 * @module
 */

/**
 * A manual clock in epoch milliseconds. Give the same one to the fake (`clock`) and to the client
 * (`now: () => clock.now()`, `sleep: async (ms) => clock.advance(ms)`) so device polling, code expiry and
 * token expiry run without real waiting.
 *
 * @example
 * ```ts
 * const clock = new OidcFakeClock();
 * clock.advance(301_000); // every access token of the default lifetime has now expired
 * ```
 */
export class OidcFakeClock {
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
    if (!(ms >= 0)) throw new RangeError(`OidcFakeClock.advance: ms must be ≥ 0, got ${ms}`);
    this.#now += ms;
  }

  /** Sets the time, epoch ms. */
  set(epochMs: number): void {
    this.#now = epochMs;
  }
}
