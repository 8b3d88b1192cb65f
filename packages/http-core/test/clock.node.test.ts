import { describe, expect, it } from 'vitest';
import { TestClock, WallClock } from '../src/testing/index.ts';

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

describe('WallClock', () => {
  it('ticks with the wall clock, and an advance or set shifts it while it keeps ticking', async () => {
    const clock = new WallClock();
    const before = Date.now();
    expect(Math.abs(clock.now() - before)).toBeLessThan(1_000);
    const first = clock.now();
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(clock.now()).toBeGreaterThan(first);
    expect(clock.seconds()).toBe(Math.floor(clock.now() / 1000));

    clock.advance(3_600_000);
    expect(clock.now() - Date.now()).toBeGreaterThanOrEqual(3_600_000 - 1_000);
    const shifted = clock.now();
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(clock.now()).toBeGreaterThan(shifted);

    clock.set(Date.UTC(2030, 0, 1));
    expect(Math.abs(clock.now() - Date.UTC(2030, 0, 1))).toBeLessThan(1_000);
    expect(() => clock.advance(-1)).toThrow(RangeError);
  });
});
