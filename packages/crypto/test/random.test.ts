import { expect, it } from 'vitest';
import { CryptoError, constantTimeEqual, randomBytes } from '../src/index.ts';

it('randomBytes returns the requested number of bytes, beyond the 64 KiB quota too', () => {
  expect(randomBytes(0)).toEqual(new Uint8Array(0));
  expect(randomBytes(32)).toHaveLength(32);
  const big = randomBytes(200_000);
  expect(big).toHaveLength(200_000);
  // The last chunk is filled as well (all-zero 1 KiB at the end is vanishingly unlikely).
  expect(big.subarray(199_000).some((b) => b !== 0)).toBe(true);
  expect(randomBytes(32)).not.toEqual(randomBytes(32));
});

it('randomBytes refuses bad lengths', () => {
  for (const bad of [-1, 1.5, Number.NaN]) expect(() => randomBytes(bad)).toThrow(CryptoError);
});

it('constantTimeEqual compares contents', () => {
  expect(constantTimeEqual(new Uint8Array([1, 2, 3]), new Uint8Array([1, 2, 3]))).toBe(true);
  expect(constantTimeEqual(new Uint8Array([1, 2, 3]), new Uint8Array([1, 2, 4]))).toBe(false);
  expect(constantTimeEqual(new Uint8Array([1, 2, 3]), new Uint8Array([1, 2]))).toBe(false);
  expect(constantTimeEqual(new Uint8Array(0), new Uint8Array(0))).toBe(true);
  expect(() => constantTimeEqual('a' as unknown as Uint8Array, new Uint8Array(1))).toThrow(CryptoError);
});
