// Property tests: parsers never throw on any input, round trips hold for any payload and key.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  AirlockDecryptionError,
  aesGcmDecrypt,
  aesGcmEncrypt,
  canonicalize,
  deriveSharedKey,
  generateX25519KeyPair,
  parseConsentError,
  parseErrorBody,
  sha256Hex,
} from '../src/index.ts';

const b64u = (bytes: Uint8Array) =>
  btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');

describe('error parsing', () => {
  it('never throws, whatever the body', () => {
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), fc.string(), fc.json()), (body) => {
        const parsed = parseErrorBody(body);
        for (const value of Object.values(parsed)) expect(typeof value).toBe('string');
        const consent = parseConsentError(403, body);
        if (consent) expect(consent.errorCode).toMatch(/^app_consent_(required|pending|denied)$/);
      }),
    );
  });
});

describe('canonical JSON', () => {
  it('is idempotent and ignores key order and whitespace', async () => {
    await fc.assert(
      fc.asyncProperty(fc.jsonValue(), async (value) => {
        const text = JSON.stringify(value);
        const canonical = await canonicalize(text);
        expect(await canonicalize(canonical)).toBe(canonical);
        expect(await canonicalize(JSON.stringify(value, null, 2))).toBe(canonical);
      }),
      { numRuns: 200 },
    );
  });
});

describe('AES-256-GCM helpers', () => {
  it('round-trip any text under any key; any single-bit change is refused', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.string({ unit: 'grapheme' }),
        fc.nat(),
        async (keyBytes, text, at) => {
          const key = b64u(keyBytes);
          const sealed = await aesGcmEncrypt(key, text);
          expect(await aesGcmDecrypt(key, sealed)).toBe(text);
          const raw = Uint8Array.from(atob(sealed.tag), (c) => c.charCodeAt(0));
          raw[at % raw.length]! ^= 1 << (at % 8);
          const tag = btoa(String.fromCharCode(...raw));
          await expect(aesGcmDecrypt(key, { ...sealed, tag })).rejects.toSatisfy((e) =>
            AirlockDecryptionError.isInstance(e),
          );
        },
      ),
      { numRuns: 100 },
    );
  });

  it('the pairing key is symmetric for fresh key pairs and the hash is 64 lowercase hex digits', async () => {
    for (let i = 0; i < 10; i++) {
      const a = await generateX25519KeyPair();
      const b = await generateX25519KeyPair();
      expect(a.publicKey).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(await deriveSharedKey(a.privateKey, b.publicKey)).toBe(
        await deriveSharedKey(b.privateKey, a.publicKey),
      );
    }
    expect(await sha256Hex('')).toMatch(/^[0-9a-f]{64}$/);
  });
});
