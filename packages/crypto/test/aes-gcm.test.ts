import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  aesGcmOpen,
  aesGcmSeal,
  CryptoError,
  constantTimeEqual,
  DecryptionError,
  hexEncode,
  InvalidKeyError,
  randomBytes,
} from '../src/index.ts';
import { backendsFor, inEdgeRuntime } from './backends.ts';

const backends = backendsFor('aesGcm');

it('runs through node:crypto (node project only), WebCrypto, noble and auto', () => {
  expect(backends.map(([name]) => name)).toEqual(
    inEdgeRuntime ? ['webcrypto', 'noble', 'auto'] : ['node-crypto', 'webcrypto', 'noble', 'auto'],
  );
});

describe.each(backends)('AES-256-GCM through %s', (_name, backend) => {
  const opts = { backend };
  const key = new Uint8Array(32).fill(7);
  const plaintext = new TextEncoder().encode('attack at dawn, bring snacks');
  const aad = new Uint8Array([1, 2, 3]);

  async function sealed() {
    return aesGcmSeal({ key, plaintext, aad }, opts);
  }

  async function expectRefused(promise: Promise<Uint8Array>) {
    await expect(promise).rejects.toSatisfy((e: unknown) => DecryptionError.isInstance(e));
  }

  it('round-trips and uses a fresh random 12-byte nonce each time', async () => {
    const a = await sealed();
    const b = await sealed();
    expect(a.nonce).toHaveLength(12);
    expect(a.tag).toHaveLength(16);
    expect(a.ciphertext).toHaveLength(plaintext.length);
    expect(hexEncode(a.nonce)).not.toBe(hexEncode(b.nonce));
    expect(await aesGcmOpen({ key, aad, ...a }, opts)).toEqual(plaintext);
  });

  it('refuses every tampered part: ciphertext, tag, nonce, AAD, key', async () => {
    const s = await sealed();
    for (let i = 0; i < s.ciphertext.length; i += 7) {
      const ciphertext = s.ciphertext.slice();
      ciphertext[i]! ^= 0x80;
      await expectRefused(aesGcmOpen({ key, aad, ...s, ciphertext }, opts));
    }
    for (let i = 0; i < 16; i++) {
      const tag = s.tag.slice();
      tag[i]! ^= 0x01;
      await expectRefused(aesGcmOpen({ key, aad, ...s, tag }, opts));
    }
    for (let i = 0; i < 12; i++) {
      const nonce = s.nonce.slice();
      nonce[i]! ^= 0x01;
      await expectRefused(aesGcmOpen({ key, aad, ...s, nonce }, opts));
    }
    await expectRefused(aesGcmOpen({ key, aad: new Uint8Array([1, 2, 4]), ...s }, opts));
    await expectRefused(aesGcmOpen({ key, ...s }, opts));
    await expectRefused(aesGcmOpen({ key, aad, ...s, ciphertext: s.ciphertext.subarray(1) }, opts));
    await expectRefused(aesGcmOpen({ key, aad, ...s, tag: s.tag.subarray(0, 12) }, opts));
    await expectRefused(aesGcmOpen({ key: new Uint8Array(32).fill(8), aad, ...s }, opts));
  });

  it('treats an empty AAD like none (GCM defines them as equal)', async () => {
    const s = await aesGcmSeal({ key, plaintext }, opts);
    expect(await aesGcmOpen({ key, aad: new Uint8Array(0), ...s }, opts)).toEqual(plaintext);
  });

  it('refuses bad key and nonce lengths before doing anything', async () => {
    await expect(aesGcmSeal({ key: new Uint8Array(16), plaintext }, opts)).rejects.toSatisfy((e: unknown) =>
      InvalidKeyError.isInstance(e),
    );
    await expect(aesGcmSeal({ key, plaintext, nonce: new Uint8Array(16) }, opts)).rejects.toSatisfy(
      (e: unknown) => CryptoError.isInstance(e) && e.code === 'invalid_argument',
    );
    const s = await sealed();
    await expect(aesGcmOpen({ key: new Uint8Array(24), ...s }, opts)).rejects.toSatisfy((e: unknown) =>
      InvalidKeyError.isInstance(e),
    );
    await expect(aesGcmOpen({ key, ...s, nonce: new Uint8Array(8) }, opts)).rejects.toSatisfy((e: unknown) =>
      CryptoError.isInstance(e),
    );
  });

  it('accepts inputs backed by a SharedArrayBuffer (WebCrypto itself refuses them)', async () => {
    const shared = new Uint8Array(new SharedArrayBuffer(32 + 12 + 5));
    shared.fill(3);
    const s = await aesGcmSeal(
      { key: shared.subarray(0, 32), nonce: shared.subarray(32, 44), plaintext: shared.subarray(44) },
      opts,
    );
    const plain = await aesGcmSeal(
      {
        key: new Uint8Array(32).fill(3),
        nonce: new Uint8Array(12).fill(3),
        plaintext: new Uint8Array(5).fill(3),
      },
      opts,
    );
    expect(hexEncode(s.tag)).toBe(hexEncode(plain.tag));
  });

  it('handles subarray views (offset into a larger buffer) correctly', async () => {
    const pool = randomBytes(32 + 12 + 64 + 3 + 50);
    const k = pool.subarray(3, 35);
    const nonce = pool.subarray(35, 47);
    const pt = pool.subarray(47, 111);
    const s = await aesGcmSeal({ key: k, nonce, plaintext: pt }, opts);
    const copy = await aesGcmSeal({ key: k.slice(), nonce: nonce.slice(), plaintext: pt.slice() }, opts);
    expect(hexEncode(s.ciphertext)).toBe(hexEncode(copy.ciphertext));
    expect(hexEncode(s.tag)).toBe(hexEncode(copy.tag));
    const big = new Uint8Array(s.ciphertext.length + 20);
    big.set(s.ciphertext, 10);
    expect(
      await aesGcmOpen(
        { key: k, nonce, tag: s.tag, ciphertext: big.subarray(10, 10 + s.ciphertext.length) },
        opts,
      ),
    ).toEqual(pt);
  });
});

describe('properties', () => {
  const params = fc.record({
    key: fc.uint8Array({ minLength: 32, maxLength: 32 }),
    nonce: fc.uint8Array({ minLength: 12, maxLength: 12 }),
    plaintext: fc.uint8Array({ maxLength: 300 }),
    aad: fc.option(fc.uint8Array({ maxLength: 40 }), { nil: undefined }),
  });

  it('seal/open round-trips, and every backend produces and accepts the same bytes', async () => {
    await fc.assert(
      fc.asyncProperty(params, async ({ key, nonce, plaintext, aad }) => {
        const sealed = [];
        for (const [, backend] of backends)
          sealed.push(await aesGcmSeal({ key, nonce, plaintext, aad }, { backend }));
        for (const s of sealed) {
          expect(hexEncode(s.ciphertext)).toBe(hexEncode(sealed[0]!.ciphertext));
          expect(hexEncode(s.tag)).toBe(hexEncode(sealed[0]!.tag));
        }
        // Each backend opens what the next one sealed.
        for (const [i, [, backend]] of backends.entries()) {
          const other = sealed[(i + 1) % sealed.length]!;
          expect(await aesGcmOpen({ key, aad, ...other }, { backend })).toEqual(plaintext);
        }
      }),
      { numRuns: 100 },
    );
  });

  it('1 MiB messages give identical bytes through every backend', async () => {
    const key = randomBytes(32);
    const nonce = randomBytes(12);
    const plaintext = randomBytes(1 << 20);
    const aad = randomBytes(100);
    const sealed = [];
    for (const [, backend] of backends)
      sealed.push(await aesGcmSeal({ key, nonce, plaintext, aad }, { backend }));
    for (const s of sealed) {
      expect(hexEncode(s.tag)).toBe(hexEncode(sealed[0]!.tag));
      // toEqual walks 1M elements slowly; a byte comparison is the same check.
      expect(constantTimeEqual(s.ciphertext, sealed[0]!.ciphertext)).toBe(true);
    }
    for (const [i, [, backend]] of backends.entries()) {
      const other = sealed[(i + 1) % sealed.length]!;
      expect(constantTimeEqual(await aesGcmOpen({ key, aad, ...other }, { backend }), plaintext)).toBe(true);
    }
  });
});
