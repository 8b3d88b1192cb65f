import canonicalizeNpm from 'canonicalize';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalizeGeneral } from '../src/canonical-json.ts';
import { CanonicalizationError, canonicalize } from '../src/index.ts';

const both = [
  ['canonicalize', canonicalize],
  ['general writer', canonicalizeGeneral],
] as const;

function refused(fn: () => unknown): CanonicalizationError {
  try {
    fn();
  } catch (error) {
    expect(CanonicalizationError.isInstance(error)).toBe(true);
    return error as CanonicalizationError;
  }
  throw new Error('expected a CanonicalizationError');
}

describe.each(both)('%s', (_name, canon) => {
  it('sorts keys by UTF-16 code units, recursively, without whitespace', () => {
    expect(canon({ b: { z: 1, a: [3, 2, 1] }, a: null })).toBe('{"a":null,"b":{"a":[3,2,1],"z":1}}');
    expect(canon({ '\uff21': 1, '\u{1f600}': 2, a: 3 })).toBe('{"a":3,"\u{1f600}":2,"\uff21":1}');
  });

  it('orders array-index-like keys as strings, not numerically', () => {
    expect(canon({ 2: 'b', 10: 'a', a: 0, '-1': 1, ' ': 2 })).toBe('{" ":2,"-1":1,"10":"a","2":"b","a":0}');
  });

  it('writes numbers in ECMAScript form', () => {
    expect(canon([1.0, -0, 1e21, 1e-7, 0.000001, 1e16, Number('333333333.33333329'), 4.5])).toBe(
      '[1,0,1e+21,1e-7,0.000001,10000000000000000,333333333.3333333,4.5]',
    );
  });

  it('writes bigint as exact integers', () => {
    expect(canon({ big: 12345678901234567890n, neg: -9007199254740993n })).toBe(
      '{"big":12345678901234567890,"neg":-9007199254740993}',
    );
  });

  it('escapes only what RFC 8785 requires', () => {
    expect(canon('\u0000\u0001\b\t\n\u000b\f\r\u001f\u007f"\\/<>&\u2028\u2029é😀')).toBe(
      '"\\u0000\\u0001\\b\\t\\n\\u000b\\f\\r\\u001f\u007f\\"\\\\/<>&\u2028\u2029é😀"',
    );
    // A literal backslash followed by "ud" is ordinary text, not a surrogate escape.
    expect(canon({ '\\ud800': '\\udc00' })).toBe('{"\\\\ud800":"\\\\udc00"}');
  });

  it('skips undefined members like JSON.stringify and honours toJSON', () => {
    expect(canon({ a: undefined, b: 1 })).toBe('{"b":1}');
    expect(canon({ when: new Date(Date.UTC(2025, 0, 1)) })).toBe('{"when":"2025-01-01T00:00:00.000Z"}');
    expect(canon({ x: { toJSON: (key: string) => ({ key, z: 1, a: 2 }) } })).toBe(
      '{"x":{"a":2,"key":"x","z":1}}',
    );
  });

  it('unwraps boxed primitives and accepts null-prototype objects and class instances', () => {
    expect(canon([new Number(1), new String('s'), new Boolean(false)])).toBe('[1,"s",false]');
    const bare = Object.create(null) as Record<string, number>;
    bare.b = 1;
    bare.a = 2;
    expect(canon(bare)).toBe('{"a":2,"b":1}');
    class Point {
      constructor(
        public y: number,
        public x: number,
      ) {}
    }
    expect(canon(new Point(2, 1))).toBe('{"x":1,"y":2}');
  });

  it('treats an own "__proto__" key (from JSON.parse) as data', () => {
    expect(canon(JSON.parse('{"__proto__":{"b":1},"a":0}'))).toBe('{"__proto__":{"b":1},"a":0}');
  });

  it('accepts shared (non-cyclic) references and deep nesting', () => {
    const shared = { k: 1 };
    expect(canon({ a: shared, b: [shared, shared] })).toBe('{"a":{"k":1},"b":[{"k":1},{"k":1}]}');
    let deep: unknown = 0;
    for (let i = 0; i < 1000; i++) deep = { d: [deep] };
    expect(canon(deep)).toBe(JSON.stringify(deep));
  });

  it('refuses what has no canonical form, naming the path but not the value', () => {
    expect(refused(() => canon(undefined)).code).toBe('canonicalization_failed');
    expect(refused(() => canon({ a: [1, Number.NaN] })).message).toContain('$["a"][1]');
    refused(() => canon(Number.POSITIVE_INFINITY));
    refused(() => canon([Number.NEGATIVE_INFINITY]));
    refused(() => canon([1, undefined]));
    // biome-ignore lint/suspicious/noSparseArray: a hole is what is under test
    refused(() => canon([1, , 2]));
    refused(() => canon({ f: () => 1 }));
    refused(() => canon({ s: Symbol('x') }));
    refused(() => canon(new Map([[1, 2]])));
    refused(() => canon({ s: new Set([1]) }));
    refused(() => canon({ bytes: new Uint8Array(2) }));
    refused(() => canon({ toJSON: () => undefined }));
    const secretish = refused(() => canon({ token: 'hunter2\ud800' }));
    expect(secretish.message).toContain('lone surrogate');
    expect(secretish.message).not.toContain('hunter2');
    refused(() => canon({ '\udc00': 1 }));
  });

  it('refuses cycles through objects and arrays', () => {
    const a: Record<string, unknown> = { x: 1 };
    a.self = a;
    expect(refused(() => canon(a)).message).toContain('cycle');
    const list: unknown[] = [1];
    list.push({ back: list });
    refused(() => canon(list));
  });

  it('refuses absurd nesting with a typed error instead of a stack overflow', () => {
    let deep: unknown = 0;
    for (let i = 0; i < 200_000; i++) deep = [deep];
    refused(() => canon(deep));
  });
});

it('is re-entrant (toJSON may call canonicalize)', () => {
  const inner = { toJSON: () => canonicalize({ b: 2, a: 1 }) };
  expect(canonicalize({ z: inner, y: [inner] })).toBe(
    '{"y":["{\\"a\\":1,\\"b\\":2}"],"z":"{\\"a\\":1,\\"b\\":2}"}',
  );
});

// Numbers JSON can represent exactly and round-trip (no -0, which JSON.parse cannot give back as -0).
const json = fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.parse(JSON.stringify(v)) as unknown);

describe('properties', () => {
  it('is idempotent and JSON.parse(canonicalize(x)) deep-equals x', () => {
    fc.assert(
      fc.property(json, (value) => {
        const text = canonicalize(value);
        expect(canonicalize(JSON.parse(text))).toBe(text);
        expect(JSON.parse(text)).toStrictEqual(value);
      }),
      { numRuns: 300 },
    );
  });

  it('the fast path and the general writer agree', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 5 }), (value) => {
        expect(canonicalize(value)).toBe(canonicalizeGeneral(value));
      }),
      { numRuns: 300 },
    );
  });

  it('agrees with the independent `canonicalize` npm package on JSON values', () => {
    fc.assert(
      fc.property(json, (value) => {
        expect(canonicalize(value)).toBe((canonicalizeNpm as (v: unknown) => string)(value));
      }),
      { numRuns: 300 },
    );
  });

  it('key order does not change the output', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 2 })), (dict) => {
        const reversed = Object.fromEntries(Object.entries(dict).reverse());
        expect(canonicalize(reversed)).toBe(canonicalize(dict));
      }),
      { numRuns: 200 },
    );
  });

  it('any string either canonicalizes to its JSON form or is refused for a lone surrogate', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        const wellFormed = !/\p{Cs}/u.test(s);
        if (wellFormed) expect(canonicalize(s)).toBe(JSON.stringify(s));
        else expect(() => canonicalize({ k: s })).toThrow(CanonicalizationError);
      }),
      { numRuns: 300 },
    );
  });
});
