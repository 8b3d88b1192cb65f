import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CodecError, CryptoError, hexEncode, hkdfSha256, sha256, sha256Hex } from '../src/index.ts';
import { backendsFor, inEdgeRuntime } from './backends.ts';

const backends = backendsFor('sha256', 'hkdf');

it('runs through node:crypto (node project only), WebCrypto, noble and auto', () => {
  expect(backends.map(([name]) => name)).toEqual(
    inEdgeRuntime ? ['webcrypto', 'noble', 'auto'] : ['node-crypto', 'webcrypto', 'noble', 'auto'],
  );
});

describe.each(backends)('through %s', (_n, backend) => {
  const opts = { backend };

  it('sha256 hashes strings as UTF-8 and refuses lone surrogates', async () => {
    expect(await sha256Hex('', opts)).toBe(
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    );
    expect(await sha256('abc', opts)).toHaveLength(32);
    await expect(sha256('\ud800', opts)).rejects.toThrow(CodecError);
    await expect(sha256(42 as unknown as string, opts)).rejects.toThrow(CryptoError);
  });

  it('hkdf: no salt equals empty salt equals 32 zero bytes; info string equals its bytes', async () => {
    const ikm = new Uint8Array(32).fill(3);
    const none = hexEncode(await hkdfSha256({ ikm, info: 'x', length: 32 }, opts));
    expect(hexEncode(await hkdfSha256({ ikm, salt: new Uint8Array(0), info: 'x', length: 32 }, opts))).toBe(
      none,
    );
    expect(hexEncode(await hkdfSha256({ ikm, salt: new Uint8Array(32), info: 'x', length: 32 }, opts))).toBe(
      none,
    );
    expect(hexEncode(await hkdfSha256({ ikm, info: new Uint8Array([0x78]), length: 32 }, opts))).toBe(none);
    expect(
      hexEncode(await hkdfSha256({ ikm, salt: new Uint8Array([1]), info: 'x', length: 32 }, opts)),
    ).not.toBe(none);
  });

  it('hkdf refuses lengths outside 1..8160', async () => {
    const ikm = new Uint8Array(32);
    for (const length of [0, -1, 8161, 1.5]) {
      await expect(hkdfSha256({ ikm, length }, opts)).rejects.toSatisfy(
        (e: unknown) => CryptoError.isInstance(e) && e.code === 'invalid_argument',
      );
    }
    expect(await hkdfSha256({ ikm, length: 8160 }, opts)).toHaveLength(8160);
  });
});

it('every backend agrees on random inputs (property)', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.uint8Array({ maxLength: 100 }),
      fc.option(fc.uint8Array({ maxLength: 80 }), { nil: undefined }),
      fc.uint8Array({ maxLength: 40 }),
      fc.integer({ min: 1, max: 300 }),
      async (ikm, salt, info, length) => {
        const okm = new Set<string>();
        const digests = new Set<string>();
        for (const [, backend] of backends) {
          okm.add(hexEncode(await hkdfSha256({ ikm, salt, info, length }, { backend })));
          digests.add(await sha256Hex(ikm, { backend }));
        }
        expect(okm.size).toBe(1);
        expect(digests.size).toBe(1);
      },
    ),
    { numRuns: 100 },
  );
});
