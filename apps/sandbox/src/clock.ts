import { TestClock } from '@x/http-core/testing';

/**
 * The fakes' clock type, following the wall clock: a long-running sandbox talks to SDKs that judge token
 * expiry with `Date.now()`, so the fakes must not stand still the way a test's clock does.
 */
export class WallClock extends TestClock {
  override now(): number {
    return Date.now();
  }

  override seconds(): number {
    return Math.floor(Date.now() / 1000);
  }

  /** The wall clock cannot be moved; waiting means waiting. */
  override advance(ms: number): void {
    throw new RangeError(`The sandbox follows the wall clock; it cannot be advanced by ${ms} ms.`);
  }

  override set(epochMs: number): void {
    throw new RangeError(`The sandbox follows the wall clock; it cannot be set to ${epochMs}.`);
  }
}
