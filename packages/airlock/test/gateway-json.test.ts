// The exact JSON parser behind canonicalize: JSON.parse's results for ordinary JSON, exact big integers,
// safe "__proto__" keys, and refusals with positions.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalize } from '../src/index.ts';
import { parseJsonExact } from '../src/json.ts';

describe('parseJsonExact', () => {
  it('reads what JSON.parse reads for any JSON of safe numbers', () => {
    fc.assert(
      fc.property(fc.json(), (text) => {
        const expected = JSON.parse(text);
        const unsafe = JSON.stringify(expected).match(/-?\d{16,}(?![\d.eE])/);
        if (!unsafe) expect(parseJsonExact(text)).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });

  it('keeps integers beyond 2^53 exact, and only those', () => {
    expect(parseJsonExact('[12345678901234567890,-9007199254740993,9007199254740991,1e20,1.5]')).toEqual([
      12345678901234567890n,
      -9007199254740993n,
      9007199254740991,
      1e20,
      1.5,
    ]);
  });

  it('treats "__proto__" as data and lets the last duplicate win', () => {
    const value = parseJsonExact('{"__proto__":{"polluted":true},"a":1,"a":2}') as Record<string, unknown>;
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(Object.keys(value)).toEqual(['__proto__', 'a']);
    expect(value['a']).toBe(2);
  });

  it.each([
    '',
    ' ',
    '{',
    '[1,]',
    '{"a":1,}',
    '{a:1}',
    "'x'",
    '01',
    '1.',
    '.5',
    '+1',
    'NaN',
    'Infinity',
    'tru',
    '"unterminated',
    '"bad \\x escape"',
    '"raw \u0001 control"',
    '[1] 2',
    '{"a" 1}',
  ])('refuses %j', (text) => {
    expect(() => parseJsonExact(text)).toThrow(SyntaxError);
  });

  it('refuses absurd nesting instead of overflowing the stack', () => {
    expect(() => parseJsonExact('['.repeat(10_000) + ']'.repeat(10_000))).toThrow(/nested too deeply/);
  });
});

describe('canonicalize with exact integers', () => {
  it('writes every digit of a large id', async () => {
    expect(await canonicalize('{"orderId": 123456789012345678901234567890, "n": 1.0}')).toBe(
      '{"n":1,"orderId":123456789012345678901234567890}',
    );
  });
});
