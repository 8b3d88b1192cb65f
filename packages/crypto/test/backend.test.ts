import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  type CryptoBackend,
  CryptoError,
  InvalidKeyError,
  nobleBackend,
  nodeCryptoBackend,
  resolveBackends,
  webCryptoBackend,
  x25519SharedSecret,
} from '../src/index.ts';
import { inEdgeRuntime } from './backends.ts';

afterEach(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
  vi.doUnmock('../src/noble-curves.ts');
  vi.doUnmock('../src/noble-symmetric.ts');
  vi.resetModules();
});

const isUnsupported = (e: unknown) => CryptoError.isInstance(e) && e.code === 'unsupported';

/** A fresh copy of the package (its detection caches empty), as a new process would load it. */
const freshPackage = () => import('../src/index.ts');

type Scope = { process?: { getBuiltinModule?: (id: string) => unknown } };

/** Makes node:crypto unreachable, as in a browser: getBuiltinModule answers undefined for it. */
function hideNodeCrypto(): void {
  const proc = (globalThis as Scope).process;
  const original = proc?.getBuiltinModule;
  if (!proc || !original) return;
  vi.spyOn(proc as Required<Scope>['process'], 'getBuiltinModule').mockImplementation((id: string) =>
    id === 'node:crypto' || id === 'crypto' ? undefined : original.call(proc, id),
  );
}

/** Replaces crypto.subtle with one whose importKey/encrypt refuse the given algorithms as unknown. */
function stubSubtleWithout(...names: string[]): void {
  const real = globalThis.crypto.subtle;
  const refuse = () => Promise.reject(new DOMException('Unrecognized algorithm name', 'NotSupportedError'));
  const nameOf = (algorithm: AlgorithmIdentifier) =>
    typeof algorithm === 'string' ? algorithm : algorithm.name;
  const partial = new Proxy(real, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target);
      if (prop === 'importKey') {
        return (format: KeyFormat, data: BufferSource, algorithm: AlgorithmIdentifier, ...rest: unknown[]) =>
          names.includes(nameOf(algorithm))
            ? refuse()
            : (value as (...args: unknown[]) => unknown).call(target, format, data, algorithm, ...rest);
      }
      if (prop === 'digest') {
        return (algorithm: AlgorithmIdentifier, data: BufferSource) =>
          names.includes(nameOf(algorithm)) ? refuse() : target.digest(algorithm, data);
      }
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  vi.stubGlobal('crypto', {
    getRandomValues: globalThis.crypto.getRandomValues.bind(globalThis.crypto),
    subtle: partial,
  });
}

describe('the automatic choice', () => {
  it('Node: node:crypto for hashes, HKDF, AES-GCM and Ed25519, WebCrypto for X25519; edge: WebCrypto for all', async () => {
    expect(await resolveBackends()).toEqual(
      inEdgeRuntime
        ? {
            sha256: 'webcrypto',
            hkdf: 'webcrypto',
            aesGcm: 'webcrypto',
            x25519: 'webcrypto',
            ed25519: 'webcrypto',
          }
        : {
            sha256: 'node-crypto',
            hkdf: 'node-crypto',
            aesGcm: 'node-crypto',
            x25519: 'webcrypto',
            ed25519: 'node-crypto',
          },
    );
  });

  it('uses the chosen backend for every message size (no size threshold)', async () => {
    const { aesGcmOpen, aesGcmSeal } = await freshPackage();
    const encrypt = vi.spyOn(globalThis.crypto.subtle, 'encrypt');
    const decrypt = vi.spyOn(globalThis.crypto.subtle, 'decrypt');
    const nodeCrypto = (globalThis as Scope).process?.getBuiltinModule?.('node:crypto') as
      | { createCipheriv: (...a: unknown[]) => unknown; createDecipheriv: (...a: unknown[]) => unknown }
      | undefined;
    const cipher = nodeCrypto && vi.spyOn(nodeCrypto, 'createCipheriv');
    const decipher = nodeCrypto && vi.spyOn(nodeCrypto, 'createDecipheriv');
    const key = new Uint8Array(32).fill(1);
    for (const length of [0, 16, 1024, 4096, 1 << 20]) {
      const sealed = await aesGcmSeal({ key, plaintext: new Uint8Array(length) });
      expect(await aesGcmOpen({ key, ...sealed })).toHaveLength(length);
    }
    if (inEdgeRuntime) {
      // (Plus one encrypt for the one-time WebCrypto probe.)
      expect(encrypt).toHaveBeenCalledTimes(6);
      expect(decrypt).toHaveBeenCalledTimes(5);
    } else {
      expect(cipher).toHaveBeenCalledTimes(5);
      expect(decipher).toHaveBeenCalledTimes(5);
      expect(encrypt).not.toHaveBeenCalled();
      expect(decrypt).not.toHaveBeenCalled();
    }
  });

  it('without node:crypto (a browser): WebCrypto for everything', async () => {
    hideNodeCrypto();
    const fresh = await freshPackage();
    expect(await fresh.nodeCryptoBackend.supports('aesGcm')).toBe(false);
    expect(await fresh.resolveBackends()).toEqual({
      sha256: 'webcrypto',
      hkdf: 'webcrypto',
      aesGcm: 'webcrypto',
      x25519: 'webcrypto',
      ed25519: 'webcrypto',
    });
  });

  it('without node:crypto and crypto.subtle: noble for everything, with the same results', async () => {
    hideNodeCrypto();
    const { getRandomValues } = globalThis.crypto;
    vi.stubGlobal('crypto', { getRandomValues: getRandomValues.bind(globalThis.crypto) });
    const fresh = await freshPackage();
    expect(await fresh.resolveBackends()).toEqual({
      sha256: 'noble',
      hkdf: 'noble',
      aesGcm: 'noble',
      x25519: 'noble',
      ed25519: 'noble',
    });
    expect(await fresh.sha256Hex('')).toBe(
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    );
    const a = await fresh.generateX25519KeyPair();
    const b = await fresh.generateX25519KeyPair();
    const key = await fresh.deriveE2EKey({ privateKey: a.privateKey, peerPublicKey: b.publicKey, info: 'i' });
    const sealed = await fresh.sealE2E({ key, plaintext: new Uint8Array([1, 2]) });
    expect(await fresh.openE2E({ key, ...sealed })).toEqual(new Uint8Array([1, 2]));
    const { privateKey, publicKey } = await fresh.generateEd25519KeyPair();
    const signature = await fresh.ed25519Sign(privateKey, new Uint8Array([7]));
    expect(await fresh.ed25519Verify(publicKey, new Uint8Array([7]), signature)).toBe(true);
    // Forcing WebCrypto where there is none is a typed error, not a TypeError.
    await expect(fresh.sha256('x', { backend: fresh.webCryptoBackend })).rejects.toSatisfy(isUnsupported);
  });

  it('falls back per algorithm when crypto.subtle lacks X25519 and Ed25519', async () => {
    stubSubtleWithout('X25519', 'Ed25519');
    const fresh = await freshPackage();
    const native = inEdgeRuntime ? 'webcrypto' : 'node-crypto';
    expect(await fresh.resolveBackends()).toEqual({
      sha256: native,
      hkdf: native,
      aesGcm: native,
      x25519: 'noble',
      ed25519: inEdgeRuntime ? 'noble' : 'node-crypto',
    });
    await expect(
      fresh.x25519PublicKey(new Uint8Array(32), { backend: fresh.webCryptoBackend }),
    ).rejects.toSatisfy(isUnsupported);
    expect(await fresh.x25519PublicKey(new Uint8Array(32))).toHaveLength(32);
  });

  it('falls back to noble when crypto.subtle lacks AES-GCM and SHA-256 and node:crypto is absent', async () => {
    hideNodeCrypto();
    stubSubtleWithout('AES-GCM', 'SHA-256');
    const fresh = await freshPackage();
    expect(await fresh.resolveBackends()).toEqual({
      sha256: 'noble',
      hkdf: 'webcrypto',
      aesGcm: 'noble',
      x25519: 'webcrypto',
      ed25519: 'webcrypto',
    });
    const key = new Uint8Array(32).fill(4);
    const sealed = await fresh.aesGcmSeal({ key, plaintext: new Uint8Array(3) });
    expect(await fresh.aesGcmOpen({ key, ...sealed }, { backend: nobleBackend })).toEqual(new Uint8Array(3));
  });

  it('a runtime whose getBuiltinModule throws or returns something else has no node:crypto backend', async () => {
    const proc = (globalThis as Scope).process;
    if (!proc?.getBuiltinModule) return;
    for (const impl of [
      () => {
        throw new Error('denied');
      },
      () => ({ createHash: 'not a function' }),
    ]) {
      vi.spyOn(proc as Required<Scope>['process'], 'getBuiltinModule').mockImplementation(impl);
      const fresh = await freshPackage();
      expect(await fresh.nodeCryptoBackend.supports('sha256')).toBe(false);
      await expect(fresh.sha256('x', { backend: fresh.nodeCryptoBackend })).rejects.toSatisfy(isUnsupported);
      expect((await fresh.resolveBackends()).sha256).toBe('webcrypto');
      vi.restoreAllMocks();
      vi.resetModules();
    }
  });
});

describe('the node:crypto backend', () => {
  // One test with a branch rather than two conditional ones: each project runs it, nothing is skipped.
  it('is available for SHA-256, HKDF, AES-GCM and Ed25519 in Node, and reports itself unavailable in the edge VM', async () => {
    if (!inEdgeRuntime) {
      expect(nodeCryptoBackend.name).toBe('node-crypto');
      expect(await nodeCryptoBackend.supports('sha256')).toBe(true);
      expect(await nodeCryptoBackend.supports('hkdf')).toBe(true);
      expect(await nodeCryptoBackend.supports('aesGcm')).toBe(true);
      expect(await nodeCryptoBackend.supports('x25519')).toBe(false);
      expect(await nodeCryptoBackend.supports('ed25519')).toBe(true);
      return;
    }
    // The edge VM leaks Node's process.getBuiltinModule; the backend must still not use it there.
    for (const algorithm of ['sha256', 'hkdf', 'aesGcm', 'x25519', 'ed25519'] as const) {
      expect(await nodeCryptoBackend.supports(algorithm)).toBe(false);
    }
    const { aesGcmSeal, sha256 } = await freshPackage();
    await expect(sha256('x', { backend: nodeCryptoBackend })).rejects.toSatisfy(isUnsupported);
    await expect(
      aesGcmSeal({ key: new Uint8Array(32), plaintext: new Uint8Array(1) }, { backend: nodeCryptoBackend }),
    ).rejects.toSatisfy(isUnsupported);
  });

  it('forcing it for an algorithm it lacks is a typed unsupported error naming both', async () => {
    const { ed25519Sign, x25519PublicKey } = await freshPackage();
    const x = x25519PublicKey(new Uint8Array(32), { backend: nodeCryptoBackend });
    await expect(x).rejects.toSatisfy(isUnsupported);
    await expect(x).rejects.toThrow('The node-crypto backend does not provide X25519');
    const signed = ed25519Sign(new Uint8Array(32), new Uint8Array(1), { backend: nodeCryptoBackend });
    if (inEdgeRuntime) {
      await expect(signed).rejects.toSatisfy(isUnsupported);
      await expect(signed).rejects.toThrow('The node-crypto backend is not available in this runtime');
    } else {
      expect(await signed).toHaveLength(64);
    }
  });
});

it('a custom backend may provide only some algorithms', async () => {
  const { aesGcmSeal, sha256Hex } = await freshPackage();
  const hashOnly: CryptoBackend = {
    name: 'hash-only',
    supports: async (algorithm) => algorithm === 'sha256',
    sha256: async () => new Uint8Array(32).fill(0xab),
  };
  expect(await sha256Hex('anything', { backend: hashOnly })).toBe('ab'.repeat(32));
  const sealing = aesGcmSeal(
    { key: new Uint8Array(32), plaintext: new Uint8Array(1) },
    { backend: hashOnly },
  );
  await expect(sealing).rejects.toSatisfy(isUnsupported);
  await expect(sealing).rejects.toThrow('The hash-only backend does not provide AES-256-GCM');
});

describe('the lazily loaded noble code', () => {
  async function countingLoads(failFirst = false) {
    const loads = { curves: 0, symmetric: 0 };
    // The two modules the noble backend loads with import(): the curves (with @noble/curves) and the rest.
    vi.doMock('../src/noble-curves.ts', async (importOriginal) => {
      loads.curves++;
      if (failFirst && loads.curves === 1) throw new Error('chunk failed to load');
      return importOriginal();
    });
    vi.doMock('../src/noble-symmetric.ts', async (importOriginal) => {
      loads.symmetric++;
      return importOriginal();
    });
    return { loads, fresh: await freshPackage() };
  }

  it('nobleBackend loads its curve chunk (@noble/curves) once, on the first curve operation only', async () => {
    const { loads, fresh } = await countingLoads();
    expect(loads).toEqual({ curves: 0, symmetric: 0 });
    const backend = { backend: fresh.nobleBackend };
    const key = new Uint8Array(32).fill(2);
    await Promise.all([
      fresh.sha256Hex('x', backend),
      fresh.hkdfSha256({ ikm: key, length: 32 }, backend),
      fresh.aesGcmSeal({ key, plaintext: new Uint8Array(8) }, backend),
    ]);
    expect(loads).toEqual({ curves: 0, symmetric: 1 });
    const [pub, edPub] = await Promise.all([
      fresh.x25519PublicKey(key, backend),
      fresh.ed25519PublicKey(key, backend),
    ]);
    expect(loads.curves).toBe(1);
    const sig = await fresh.ed25519Sign(key, new Uint8Array(1), backend);
    expect(await fresh.ed25519Verify(edPub, new Uint8Array(1), sig, backend)).toBe(true);
    expect(await fresh.x25519SharedSecret(key, pub, backend)).toHaveLength(32);
    expect(loads).toEqual({ curves: 1, symmetric: 1 });
  });

  it('a failed load rejects that call and is retried by the next', async () => {
    const { loads, fresh } = await countingLoads(true);
    const key = new Uint8Array(32).fill(2);
    await expect(fresh.x25519PublicKey(key, { backend: fresh.nobleBackend })).rejects.toThrow();
    expect(await fresh.x25519PublicKey(key, { backend: fresh.nobleBackend })).toHaveLength(32);
    expect(loads.curves).toBe(2);
  });

  it('the automatic backend never loads noble where node:crypto and WebCrypto cover everything', async () => {
    const { loads, fresh } = await countingLoads();
    const a = await fresh.generateX25519KeyPair();
    const b = await fresh.generateEd25519KeyPair();
    const key = await fresh.deriveE2EKey({ privateKey: a.privateKey, peerPublicKey: a.publicKey, info: 'i' });
    const sealed = await fresh.sealE2E({ key, plaintext: new Uint8Array(5) });
    await fresh.openE2E({ key, ...sealed });
    await fresh.sha256Hex('x');
    await fresh.ed25519Sign(b.privateKey, new Uint8Array(1));
    expect(Object.values(await fresh.resolveBackends())).not.toContain('noble');
    expect(loads).toEqual({ curves: 0, symmetric: 0 });
  });
});

it('the public X25519 function refuses an all-zero secret even from a backend that returns one', async () => {
  const lax = { ...nobleBackend, name: 'lax', x25519SharedSecret: async () => new Uint8Array(32) };
  await expect(
    x25519SharedSecret(new Uint8Array(32).fill(5), new Uint8Array(32).fill(9), { backend: lax }),
  ).rejects.toSatisfy((e: unknown) => InvalidKeyError.isInstance(e));
  // And each built-in backend with X25519 refuses it on its own, without the public wrapper.
  for (const backend of [nobleBackend, webCryptoBackend]) {
    await expect(
      backend.x25519SharedSecret!(new Uint8Array(32).fill(5), new Uint8Array(32)),
    ).rejects.toSatisfy((e: unknown) => InvalidKeyError.isInstance(e));
  }
});
