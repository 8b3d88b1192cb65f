import fc from 'fast-check';
import { expect, it } from 'vitest';
import {
  CryptoError,
  DecryptionError,
  deriveE2EKey,
  generateX25519KeyPair,
  hexEncode,
  InvalidKeyError,
  nobleBackend,
  openE2E,
  sealE2E,
  utf8Encode,
  webCryptoBackend,
} from '../src/index.ts';

const info = 'HARP-E2E-AES256GCM';

it('both parties derive the same key; a third party cannot open', async () => {
  const enforcer = await generateX25519KeyPair();
  const approver = await generateX25519KeyPair();
  const eve = await generateX25519KeyPair();
  const k1 = await deriveE2EKey({ privateKey: enforcer.privateKey, peerPublicKey: approver.publicKey, info });
  const k2 = await deriveE2EKey({ privateKey: approver.privateKey, peerPublicKey: enforcer.publicKey, info });
  expect(k1).toHaveLength(32);
  expect(hexEncode(k1)).toBe(hexEncode(k2));
  const sealed = await sealE2E({ key: k1, plaintext: utf8Encode('{"action":"test"}') });
  expect(new TextDecoder().decode(await openE2E({ key: k2, ...sealed }))).toBe('{"action":"test"}');
  const wrong = await deriveE2EKey({ privateKey: eve.privateKey, peerPublicKey: enforcer.publicKey, info });
  await expect(openE2E({ key: wrong, ...sealed })).rejects.toSatisfy((e: unknown) =>
    DecryptionError.isInstance(e),
  );
});

it('the info string separates domains; string and UTF-8 bytes are the same info', async () => {
  const a = await generateX25519KeyPair();
  const b = await generateX25519KeyPair();
  const base = { privateKey: a.privateKey, peerPublicKey: b.publicKey };
  const k = await deriveE2EKey({ ...base, info });
  expect(hexEncode(await deriveE2EKey({ ...base, info: utf8Encode(info) }))).toBe(hexEncode(k));
  expect(hexEncode(await deriveE2EKey({ ...base, info: 'other' }))).not.toBe(hexEncode(k));
  await expect(deriveE2EKey({ ...base } as never)).rejects.toThrow(CryptoError);
});

it('refuses a low-order peer key', async () => {
  const a = await generateX25519KeyPair();
  await expect(
    deriveE2EKey({ privateKey: a.privateKey, peerPublicKey: new Uint8Array(32), info }),
  ).rejects.toSatisfy((e: unknown) => InvalidKeyError.isInstance(e));
});

it('keys derived by either backend open each other’s messages (property)', async () => {
  await fc.assert(
    fc.asyncProperty(fc.uint8Array({ maxLength: 200 }), async (plaintext) => {
      const a = await generateX25519KeyPair();
      const b = await generateX25519KeyPair();
      const ka = await deriveE2EKey(
        { privateKey: a.privateKey, peerPublicKey: b.publicKey, info },
        { backend: nobleBackend },
      );
      const kb = await deriveE2EKey(
        { privateKey: b.privateKey, peerPublicKey: a.publicKey, info },
        { backend: webCryptoBackend },
      );
      expect(hexEncode(ka)).toBe(hexEncode(kb));
      const sealed = await sealE2E({ key: ka, plaintext }, { backend: nobleBackend });
      expect(await openE2E({ key: kb, ...sealed }, { backend: webCryptoBackend })).toEqual(plaintext);
    }),
    { numRuns: 20 },
  );
});
