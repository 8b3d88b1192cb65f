import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { serializeQuery } from '../src/index.ts';

describe('serializeQuery', () => {
  it('sorts keys, repeats arrays, writes booleans and dates, skips undefined and null', () => {
    expect(
      serializeQuery({
        z: 'last',
        tags: ['b', 'a'],
        active: true,
        hidden: false,
        since: new Date('2026-01-02T03:04:05.000Z'),
        skip: undefined,
        none: null,
        n: 10,
        big: 12345678901234567890n,
      }),
    ).toBe(
      'active=true&big=12345678901234567890&hidden=false&n=10&since=2026-01-02T03%3A04%3A05.000Z&tags=b&tags=a&z=last',
    );
  });

  it('supports comma and bracket array formats', () => {
    expect(serializeQuery({ a: [1, 2, undefined, 3] }, { arrayFormat: 'comma' })).toBe('a=1%2C2%2C3');
    expect(serializeQuery({ a: [1, 2] }, { arrayFormat: 'brackets' })).toBe('a%5B%5D=1&a%5B%5D=2');
    expect(serializeQuery({ a: [] })).toBe('');
  });

  it('escapes reserved characters', () => {
    expect(serializeQuery({ q: 'a&b=c d', 'k&': '/' })).toBe('k%26=%2F&q=a%26b%3Dc+d');
  });

  it('round-trips through URLSearchParams and ignores key insertion order (property)', () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.string({ minLength: 1 }), fc.array(fc.string(), { minLength: 1, maxLength: 3 })),
        (q) => {
          const text = serializeQuery(q);
          const reversed = serializeQuery(Object.fromEntries(Object.entries(q).reverse()));
          const parsed = new URLSearchParams(text);
          return (
            text === reversed &&
            Object.entries(q).every(
              ([k, values]) => JSON.stringify(parsed.getAll(k)) === JSON.stringify(values),
            )
          );
        },
      ),
    );
  });
});
