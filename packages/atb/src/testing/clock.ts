/**
 * The clock of the fake AgentAuth and broker: time moves only when the test says so.
 *
 * @module
 */

/**
 * A manual clock in epoch milliseconds. Give the same one to the fakes (`clock`) and to the client
 * (`now: () => clock.now()`) so challenge and token expiry happen without waiting.
 *
 * @example
 * ```ts
 * const clock = new FakeClock();
 * clock.advance(301_000); // every PoA of the default 300 s lifetime has now expired
 * ```
 */
export class FakeClock {
  #now: number;

  /** Starts at `start`, epoch ms (default: the real time now, so TLS certificates are valid). */
  constructor(start: number = Date.now()) {
    this.#now = start;
  }

  /** The current time, epoch ms. */
  now(): number {
    return this.#now;
  }

  /** The current time in whole seconds (what JWT claims use). */
  seconds(): number {
    return Math.floor(this.#now / 1000);
  }

  /** Moves time forward by `ms` (never backwards). */
  advance(ms: number): void {
    if (!(ms >= 0)) throw new RangeError(`FakeClock.advance: ms must be ≥ 0, got ${ms}`);
    this.#now += ms;
  }
}
