// Every byte-level case of the shared Airlock vector file, byte for byte, through every backend that supports
// (some of) the group's algorithms in this runtime (see ./backends.ts). The checks live in ./vector-checks.ts,
// shared with the Chromium run.
import { describe, expect, it } from 'vitest';
import type { CryptoBackend } from '../src/index.ts';
import { backendsForAny } from './backends.ts';
import { groups, vectorChecks } from './vector-checks.ts';
import vectors from './vectors/airlock.json';

it('the vector file is the expected format, and every group of it has checks', () => {
  expect(vectors.format).toBe('airlock-test-vectors/1');
  expect(vectorChecks.map((v) => v.group).sort()).toEqual(Object.keys(groups).sort());
  for (const { group } of vectorChecks) expect(groups[group].length, group).toBeGreaterThan(0);
});

for (const { group, algorithms, run } of vectorChecks) {
  // Codec-only groups need no backend; the rest go through every backend that has one of their algorithms.
  const backends: Array<[string, CryptoBackend | undefined]> = algorithms.length
    ? backendsForAny(...algorithms)
    : [['no backend', undefined]];
  describe.each(backends)(`${group} through %s`, (_name, backend) => {
    const cases = (groups[group] as ReadonlyArray<{ description: string }>).map(
      (c) => [c.description, c] as const,
    );
    it.each(cases)('%s', async (_d, c) => {
      await run(c, { backend }, (what, actual, expected) => expect(actual, what).toBe(expected));
    });
  });
}
