import { describe, expect, it } from 'vitest';
import { TestClock } from '../src/testing/index.ts';

describe('TestClock', () => {
  it('starts where it is told (2026-01-01 by default) and moves only when the test moves it', () => {
    expect(new TestClock().now()).toBe(Date.UTC(2026, 0, 1));
    const clock = new TestClock(1_700_000_000_500);
    expect(clock.seconds()).toBe(1_700_000_000);
    clock.advance(1_500);
    expect(clock.now()).toBe(1_700_000_002_000);
    clock.set(1_000);
    expect(clock.now()).toBe(1_000);
  });

  it('refuses to move backwards through advance (set is for that) or by NaN', () => {
    const clock = new TestClock(0);
    expect(() => clock.advance(-1)).toThrow(RangeError);
    expect(() => clock.advance(Number.NaN)).toThrow(/must be ≥ 0/);
    expect(clock.now()).toBe(0);
  });
});
