// X25519 and Ed25519 through every backend that has them (WebCrypto, noble, auto) against each other and
// @noble/curves called directly, plus the edge cases where implementations usually differ, and the byte-level
// Ed25519 pre-checks against @noble/curves' own point decoding.
import {
  ED25519_TORSION_SUBGROUP,
  ed25519 as nobleEd25519,
  x25519 as nobleX25519,
} from '@noble/curves/ed25519.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isCanonicalEd25519Signature, isStrongEd25519PublicKey } from '../src/ed25519.ts';
import {
  ed25519PublicKey,
  ed25519Sign,
  ed25519Verify,
  generateEd25519KeyPair,
  generateX25519KeyPair,
  hexDecode,
  hexEncode,
  InvalidKeyError,
  nobleBackend,
  webCryptoBackend,
  x25519PublicKey,
  x25519SharedSecret,
} from '../src/index.ts';
import { backendsFor } from './backends.ts';

const noble = { backend: nobleBackend };
const web = { backend: webCryptoBackend };
const key32 = fc.uint8Array({ minLength: 32, maxLength: 32 });
const P = 2n ** 255n - 19n;
const L = 2n ** 252n + 27742317777372353535851937790883648493n;

function le(n: bigint): Uint8Array {
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++) out[i] = Number((n >> BigInt(8 * i)) & 255n);
  return out;
}

describe('X25519', () => {
  it('public keys and shared secrets match WebCrypto and @noble/curves', async () => {
    await fc.assert(
      fc.asyncProperty(key32, key32, async (a, b) => {
        const pubA = await x25519PublicKey(a, noble);
        expect(hexEncode(pubA)).toBe(hexEncode(await x25519PublicKey(a, web)));
        expect(hexEncode(pubA)).toBe(hexEncode(nobleX25519.getPublicKey(a)));
        const pubB = await x25519PublicKey(b, noble);
        const ab = await x25519SharedSecret(a, pubB, noble);
        expect(hexEncode(ab)).toBe(hexEncode(await x25519SharedSecret(a, pubB, web)));
        expect(hexEncode(ab)).toBe(hexEncode(nobleX25519.getSharedSecret(a, pubB)));
        expect(hexEncode(ab)).toBe(hexEncode(await x25519SharedSecret(b, pubA, noble)));
      }),
      { numRuns: 15 },
    );
  });

  it('ignores the top bit of u and reduces non-canonical u, like WebCrypto', async () => {
    const priv = new Uint8Array(32).fill(7);
    const { publicKey } = await generateX25519KeyPair();
    const flagged = publicKey.slice();
    flagged[31]! |= 0x80;
    const expected = hexEncode(await x25519SharedSecret(priv, publicKey, web));
    expect(hexEncode(await x25519SharedSecret(priv, flagged, noble))).toBe(expected);
    expect(hexEncode(await x25519SharedSecret(priv, flagged, web))).toBe(expected);
    // u = p + 9 is the base point in non-canonical form.
    const base = le(9n);
    expect(hexEncode(await x25519SharedSecret(priv, le(P + 9n), noble))).toBe(
      hexEncode(await x25519SharedSecret(priv, base, noble)),
    );
  });

  describe.each(backendsFor('x25519'))('through %s', (_n, backend) => {
    it.each([
      ['u = 0', le(0n)],
      ['u = 1', le(1n)],
      ['u = p - 1', le(P - 1n)],
      ['u = p (non-canonical 0)', le(P)],
      ['order-8 point', le(325606250916557431795983626356110631294008115727848805560023387167927233504n)],
    ])('refuses the low-order peer key %s (all-zero shared secret)', async (_d, peer) => {
      const { privateKey } = await generateX25519KeyPair({ backend });
      await expect(x25519SharedSecret(privateKey, peer, { backend })).rejects.toSatisfy((e: unknown) =>
        InvalidKeyError.isInstance(e),
      );
    });

    it('refuses keys of the wrong length', async () => {
      await expect(x25519PublicKey(new Uint8Array(31), { backend })).rejects.toSatisfy((e: unknown) =>
        InvalidKeyError.isInstance(e),
      );
      await expect(x25519SharedSecret(new Uint8Array(32), new Uint8Array(33), { backend })).rejects.toSatisfy(
        (e: unknown) => InvalidKeyError.isInstance(e),
      );
      await expect(x25519PublicKey('k'.repeat(32) as unknown as Uint8Array, { backend })).rejects.toSatisfy(
        (e: unknown) => InvalidKeyError.isInstance(e),
      );
    });
  });
});

describe('Ed25519', () => {
  it('keeps imported verification keys apart: each key verifies only its own signatures, however often used', async () => {
    const a = await generateEd25519KeyPair();
    const b = await generateEd25519KeyPair();
    const message = new TextEncoder().encode('decision');
    const byA = await ed25519Sign(a.privateKey, message, web);
    const byB = await ed25519Sign(b.privateKey, message, web);
    for (let round = 0; round < 3; round++) {
      expect(await ed25519Verify(a.publicKey, message, byA, web)).toBe(true);
      expect(await ed25519Verify(b.publicKey, message, byA, web)).toBe(false);
      expect(await ed25519Verify(b.publicKey, message, byB, web)).toBe(true);
      expect(await ed25519Verify(a.publicKey, message, byB, web)).toBe(false);
    }
    // More keys than the cache holds: every one still verifies its own signature and no other.
    const many = await Promise.all(Array.from({ length: 70 }, () => generateEd25519KeyPair()));
    for (const pair of many) {
      const signature = await ed25519Sign(pair.privateKey, message, web);
      expect(await ed25519Verify(pair.publicKey, message, signature, web)).toBe(true);
      expect(await ed25519Verify(a.publicKey, message, signature, web)).toBe(false);
    }
  });

  it('keys and signatures match WebCrypto and @noble/curves; both verify each other', async () => {
    await fc.assert(
      fc.asyncProperty(key32, fc.uint8Array({ maxLength: 100 }), async (seed, message) => {
        const pub = await ed25519PublicKey(seed, noble);
        expect(hexEncode(pub)).toBe(hexEncode(await ed25519PublicKey(seed, web)));
        expect(hexEncode(pub)).toBe(hexEncode(nobleEd25519.getPublicKey(seed)));
        const sig = await ed25519Sign(seed, message, noble);
        expect(hexEncode(sig)).toBe(hexEncode(await ed25519Sign(seed, message, web)));
        expect(hexEncode(sig)).toBe(hexEncode(nobleEd25519.sign(message, seed)));
        expect(await ed25519Verify(pub, message, sig, noble)).toBe(true);
        expect(await ed25519Verify(pub, message, sig, web)).toBe(true);
      }),
      { numRuns: 10 },
    );
  });

  it('the key check refuses non-canonical encodings (y >= p) of ordinary points', () => {
    // Only y < 19 has a second encoding y + p below 2^255; keep those that are points of large order.
    const ys = [...Array(19).keys()].map(BigInt).filter((y) => {
      try {
        return !nobleEd25519.Point.fromBytes(le(y), false).isSmallOrder();
      } catch {
        return false;
      }
    });
    expect(ys.length).toBeGreaterThan(0);
    for (const y of ys) {
      expect(isStrongEd25519PublicKey(le(y))).toBe(true);
      expect(isStrongEd25519PublicKey(le(y + P))).toBe(false);
    }
  });

  it('the key check refuses exactly the eight small-order points (either sign bit)', () => {
    expect(ED25519_TORSION_SUBGROUP).toHaveLength(8);
    for (const hex of ED25519_TORSION_SUBGROUP) {
      const point = hexDecode(hex);
      expect(nobleEd25519.Point.fromBytes(point, false).isSmallOrder()).toBe(true);
      expect(isStrongEd25519PublicKey(point)).toBe(false);
      const flipped = point.slice();
      flipped[31]! ^= 0x80;
      expect(isStrongEd25519PublicKey(flipped)).toBe(false);
    }
  });

  it('the key check agrees with @noble/curves on random encodings that decode', () => {
    fc.assert(
      fc.property(key32, (bytes) => {
        let point: ReturnType<typeof nobleEd25519.Point.fromBytes>;
        try {
          point = nobleEd25519.Point.fromBytes(bytes, false);
        } catch {
          return; // not a canonical curve point: the backends answer false themselves
        }
        expect(isStrongEd25519PublicKey(bytes)).toBe(!point.isSmallOrder());
      }),
      { numRuns: 300 },
    );
    fc.assert(
      fc.property(key32, (seed) => {
        expect(isStrongEd25519PublicKey(nobleEd25519.getPublicKey(seed))).toBe(true);
      }),
      { numRuns: 50 },
    );
  });

  it('the signature check wants R canonical and S < L', () => {
    const sig = (r: bigint, s: bigint) => {
      const out = new Uint8Array(64);
      out.set(le(r));
      out.set(le(s), 32);
      return out;
    };
    expect(isCanonicalEd25519Signature(sig(9n, 0n))).toBe(true);
    expect(isCanonicalEd25519Signature(sig(P - 1n, L - 1n))).toBe(true);
    expect(isCanonicalEd25519Signature(sig(9n, L))).toBe(false);
    expect(isCanonicalEd25519Signature(sig(9n, 2n ** 256n - 1n))).toBe(false);
    expect(isCanonicalEd25519Signature(sig(P, 0n))).toBe(false);
    const signBit = sig(P - 1n, 0n);
    signBit[31]! |= 0x80;
    expect(isCanonicalEd25519Signature(signBit)).toBe(true);
  });

  describe.each(backendsFor('ed25519'))('through %s', (_n, backend) => {
    const opts = { backend };

    it('rejects tampered messages, signatures and keys with false', async () => {
      const { privateKey, publicKey } = await generateEd25519KeyPair(opts);
      const message = new Uint8Array([1, 2, 3]);
      const sig = await ed25519Sign(privateKey, message, opts);
      expect(await ed25519Verify(publicKey, message, sig, opts)).toBe(true);
      expect(await ed25519Verify(publicKey, new Uint8Array([1, 2, 4]), sig, opts)).toBe(false);
      for (const index of [0, 31, 32, 63]) {
        const bad = sig.slice();
        bad[index]! ^= 0x01;
        expect(await ed25519Verify(publicKey, message, bad, opts)).toBe(false);
      }
      const other = await generateEd25519KeyPair(opts);
      expect(await ed25519Verify(other.publicKey, message, sig, opts)).toBe(false);
      expect(await ed25519Verify(publicKey, message, sig.subarray(0, 63), opts)).toBe(false);
      expect(await ed25519Verify(publicKey, message, new Uint8Array(64), opts)).toBe(false);
    });

    it('rejects S >= L (signature malleability) with false', async () => {
      const { privateKey, publicKey } = await generateEd25519KeyPair(opts);
      const message = new Uint8Array([9]);
      const sig = await ed25519Sign(privateKey, message, opts);
      let s = 0n;
      for (let i = 63; i >= 32; i--) s = (s << 8n) | BigInt(sig[i]!);
      const malleable = sig.slice();
      malleable.set(le(s + L), 32);
      expect(await ed25519Verify(publicKey, message, malleable, opts)).toBe(false);
    });

    it('answers false for a public key that is not a curve point', async () => {
      // y = 2 has no x on Ed25519.
      expect(await ed25519Verify(le(2n), new Uint8Array(1), new Uint8Array(64).fill(1), opts)).toBe(false);
    });

    it('refuses non-canonical and small-order public keys (forgeable) with false', async () => {
      const message = new Uint8Array([1]);
      // R = identity, S = 0: satisfies [S]B = R + [k]A for every small-order A whose [k]A is the identity.
      const trivial = new Uint8Array(64);
      trivial.set(le(1n));
      for (const key of [le(1n), le(P + 1n), le(P - 1n), le(0n)]) {
        expect(await ed25519Verify(key, message, trivial, opts)).toBe(false);
      }
      // Ordinary keys are unaffected by the check.
      const { privateKey, publicKey } = await generateEd25519KeyPair(opts);
      const sig = await ed25519Sign(privateKey, message, opts);
      expect(await ed25519Verify(publicKey, message, sig, opts)).toBe(true);
    });

    it('refuses keys of the wrong length', async () => {
      await expect(ed25519Sign(new Uint8Array(64), new Uint8Array(1), opts)).rejects.toSatisfy((e: unknown) =>
        InvalidKeyError.isInstance(e),
      );
      await expect(ed25519PublicKey(new Uint8Array(16), opts)).rejects.toSatisfy((e: unknown) =>
        InvalidKeyError.isInstance(e),
      );
      await expect(
        ed25519Verify(new Uint8Array(31), new Uint8Array(1), new Uint8Array(64), opts),
      ).rejects.toSatisfy((e: unknown) => InvalidKeyError.isInstance(e));
    });
  });
});
