import { afterEach, expect, it, vi } from 'vitest';
import { CryptoError, resolveBackends, webCryptoBackend } from '../src/index.ts';

afterEach(() => {
  vi.unstubAllGlobals();
  vi.resetModules();
});

it('picks WebCrypto for every algorithm where the runtime has it', async () => {
  expect(await resolveBackends()).toEqual({
    sha256: 'webcrypto',
    hkdf: 'webcrypto',
    aesGcm: 'webcrypto',
    x25519: 'webcrypto',
    ed25519: 'webcrypto',
  });
});

it('falls back to the portable backend without crypto.subtle, with the same results', async () => {
  const { getRandomValues } = globalThis.crypto;
  vi.stubGlobal('crypto', { getRandomValues: getRandomValues.bind(globalThis.crypto) });
  const fresh = await import('../src/index.ts');
  expect(await fresh.resolveBackends()).toEqual({
    sha256: 'portable',
    hkdf: 'portable',
    aesGcm: 'portable',
    x25519: 'portable',
    ed25519: 'portable',
  });
  expect(await fresh.sha256Hex('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  const a = await fresh.generateX25519KeyPair();
  const b = await fresh.generateX25519KeyPair();
  const key = await fresh.deriveE2EKey({ privateKey: a.privateKey, peerPublicKey: b.publicKey, info: 'i' });
  const sealed = await fresh.sealE2E({ key, plaintext: new Uint8Array([1, 2]) });
  expect(await fresh.openE2E({ key, ...sealed })).toEqual(new Uint8Array([1, 2]));
  // Forcing WebCrypto where there is none is a typed error, not a TypeError.
  await expect(fresh.sha256('x', { backend: fresh.webCryptoBackend })).rejects.toSatisfy(
    (e: unknown) => CryptoError.isInstance(e) && e.code === 'unsupported',
  );
});

it('falls back per algorithm when only some are missing', async () => {
  const real = globalThis.crypto.subtle;
  const partial = new Proxy(real, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target);
      if (prop === 'importKey') {
        return (
          format: KeyFormat,
          data: BufferSource,
          algorithm: AlgorithmIdentifier,
          ...rest: unknown[]
        ) => {
          const name = typeof algorithm === 'string' ? algorithm : algorithm.name;
          if (name === 'X25519' || name === 'Ed25519') {
            return Promise.reject(new DOMException('Unrecognized algorithm name', 'NotSupportedError'));
          }
          return (value as (...args: unknown[]) => unknown).call(target, format, data, algorithm, ...rest);
        };
      }
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  vi.stubGlobal('crypto', {
    getRandomValues: globalThis.crypto.getRandomValues.bind(globalThis.crypto),
    subtle: partial,
  });
  const fresh = await import('../src/index.ts');
  expect(await fresh.resolveBackends()).toMatchObject({
    aesGcm: 'webcrypto',
    x25519: 'portable',
    ed25519: 'portable',
  });
  await expect(
    fresh.x25519PublicKey(new Uint8Array(32), { backend: fresh.webCryptoBackend }),
  ).rejects.toSatisfy((e: unknown) => CryptoError.isInstance(e) && e.code === 'unsupported');
  expect(await fresh.x25519PublicKey(new Uint8Array(32))).toHaveLength(32);
});

it('exposes the backends by name', () => {
  expect(webCryptoBackend.name).toBe('webcrypto');
});

it('AES-GCM: short messages run in JavaScript, long ones on WebCrypto, same bytes', async () => {
  const { aesGcmSeal, aesGcmOpen, portableBackend } = await import('../src/index.ts');
  const encrypt = vi.spyOn(globalThis.crypto.subtle, 'encrypt');
  const decrypt = vi.spyOn(globalThis.crypto.subtle, 'decrypt');
  const key = new Uint8Array(32).fill(1);
  const nonce = new Uint8Array(12);
  const short = await aesGcmSeal({ key, nonce, plaintext: new Uint8Array(4095) });
  await aesGcmOpen({ key, ...short });
  expect(encrypt).not.toHaveBeenCalled();
  expect(decrypt).not.toHaveBeenCalled();
  const plaintext = new Uint8Array(4096).fill(2);
  const long = await aesGcmSeal({ key, nonce, plaintext });
  await aesGcmOpen({ key, ...long });
  // (The first long message also runs the one-time WebCrypto probe, itself an encrypt call.)
  expect(encrypt).toHaveBeenCalled();
  expect(decrypt).toHaveBeenCalledTimes(1);
  const viaJs = await aesGcmSeal({ key, nonce, plaintext }, { backend: portableBackend });
  expect(viaJs.tag).toEqual(long.tag);
  vi.restoreAllMocks();
});

it('the public X25519 function refuses an all-zero secret even from a backend that returns one', async () => {
  const { InvalidKeyError, portableBackend, webCryptoBackend, x25519SharedSecret } = await import(
    '../src/index.ts'
  );
  const lax = { ...portableBackend, name: 'lax', x25519SharedSecret: async () => new Uint8Array(32) };
  await expect(
    x25519SharedSecret(new Uint8Array(32).fill(5), new Uint8Array(32).fill(9), { backend: lax }),
  ).rejects.toSatisfy(InvalidKeyError.isInstance);
  // And each built-in backend refuses it on its own, without the public wrapper.
  for (const backend of [portableBackend, webCryptoBackend]) {
    await expect(
      backend.x25519SharedSecret(new Uint8Array(32).fill(5), new Uint8Array(32)),
    ).rejects.toSatisfy(InvalidKeyError.isInstance);
  }
});
