/**
 * The WebCrypto backend: `globalThis.crypto.subtle`. Native code in every browser and edge runtime, but not
 * every runtime has every algorithm, notably X25519 and Ed25519 in older browsers.
 *
 * @module
 */
import type { Algorithm, CryptoBackend } from './backend-types.ts';
import { concatBytes, fresh } from './bytes.ts';
import { base64UrlDecode } from './codecs.ts';
import { derWrap, PKCS8_ED25519, PKCS8_X25519 } from './der.ts';
import { CryptoError, DecryptionError, InvalidKeyError } from './errors.ts';
import { cachedKey } from './key-cache.ts';

/** The X25519 base point u = 9, as a raw public key. */
const X25519_BASE = new Uint8Array(32);
X25519_BASE[0] = 9;

function subtle(): SubtleCrypto {
  const s = globalThis.crypto?.subtle;
  if (!s)
    throw new CryptoError('WebCrypto (crypto.subtle) is not available in this runtime', {
      code: 'unsupported',
    });
  return s;
}

/** Runs a WebCrypto call and turns "algorithm not supported" into a typed `unsupported` error. */
async function native<T>(what: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (cause) {
    const name = (cause as { name?: string } | null)?.name;
    if (name === 'NotSupportedError' || name === 'TypeError' || name === 'SyntaxError') {
      throw new CryptoError(`WebCrypto in this runtime cannot do ${what}`, { code: 'unsupported', cause });
    }
    throw cause;
  }
}

/** Imports a raw AES-256 key for one call (nothing is kept between calls). */
function aesKey(raw: Uint8Array): Promise<CryptoKey> {
  return native('AES-GCM', () =>
    subtle().importKey('raw', fresh(raw), { name: 'AES-GCM' }, false, ['encrypt', 'decrypt']),
  );
}

// One cheap call per algorithm tells whether this runtime's WebCrypto has it.
const probes: Record<Algorithm, () => Promise<unknown>> = {
  sha256: () => webCryptoBackend.sha256!(new Uint8Array(1)),
  hkdf: () => webCryptoBackend.hkdfSha256!(new Uint8Array(32), undefined, new Uint8Array(1), 32),
  aesGcm: () =>
    webCryptoBackend.aesGcmSeal!(new Uint8Array(32), new Uint8Array(12), new Uint8Array(1), undefined),
  x25519: () => webCryptoBackend.x25519PublicKey!(new Uint8Array(32).fill(1)),
  ed25519: () => webCryptoBackend.ed25519PublicKey!(new Uint8Array(32).fill(1)),
};

const support = new Map<Algorithm, Promise<boolean>>();

/**
 * The WebCrypto backend (`globalThis.crypto.subtle`). Byte-for-byte identical to the other backends.
 * {@link CryptoBackend.supports} probes each algorithm once (with a tiny real call) and caches the answer;
 * calling an algorithm the runtime lacks rejects with a {@link CryptoError} whose code is `unsupported`, and
 * the automatic backend uses {@link nobleBackend} for it instead.
 *
 * @example
 * ```ts
 * const key = await hkdfSha256({ ikm, info, length: 32 }, { backend: webCryptoBackend });
 * ```
 */
export const webCryptoBackend: CryptoBackend = {
  name: 'webcrypto',
  supports(algorithm) {
    let answer = support.get(algorithm);
    if (!answer) {
      answer = probes[algorithm]().then(
        () => true,
        () => false,
      );
      support.set(algorithm, answer);
    }
    return answer;
  },
  async sha256(data) {
    const digest = await native('SHA-256', () => subtle().digest('SHA-256', fresh(data)));
    return new Uint8Array(digest);
  },
  async hkdfSha256(ikm, salt, info, length) {
    const s = subtle();
    const bits = await native('HKDF', async () => {
      const key = await s.importKey('raw', fresh(ikm), 'HKDF', false, ['deriveBits']);
      return s.deriveBits(
        { name: 'HKDF', hash: 'SHA-256', salt: fresh(salt ?? new Uint8Array(0)), info: fresh(info) },
        key,
        length * 8,
      );
    });
    return new Uint8Array(bits);
  },
  async aesGcmSeal(key, nonce, plaintext, aad) {
    const k = await aesKey(key);
    const params: AesGcmParams = { name: 'AES-GCM', iv: fresh(nonce), tagLength: 128 };
    if (aad) params.additionalData = fresh(aad);
    const sealed = new Uint8Array(
      await native('AES-GCM', () => subtle().encrypt(params, k, fresh(plaintext))),
    );
    const split = sealed.length - 16;
    return { ciphertext: sealed.subarray(0, split), tag: sealed.subarray(split) };
  },
  async aesGcmOpen(key, nonce, ciphertext, tag, aad) {
    const k = await aesKey(key);
    const params: AesGcmParams = { name: 'AES-GCM', iv: fresh(nonce), tagLength: 128 };
    if (aad) params.additionalData = fresh(aad);
    // WebCrypto wants ciphertext ‖ tag in one buffer; when they are already adjacent (our own seal output, or
    // one wire buffer) use a view over both instead of copying megabytes.
    const adjacent =
      ciphertext.buffer === tag.buffer && ciphertext.byteOffset + ciphertext.length === tag.byteOffset;
    const sealed = adjacent
      ? new Uint8Array(ciphertext.buffer, ciphertext.byteOffset, ciphertext.length + 16)
      : concatBytes(ciphertext, tag);
    let plain: ArrayBuffer;
    try {
      plain = await subtle().decrypt(params, k, fresh(sealed));
    } catch (cause) {
      throw new DecryptionError('AES-GCM authentication failed', { cause });
    }
    return new Uint8Array(plain);
  },
  async x25519PublicKey(privateKey) {
    return x25519(privateKey, X25519_BASE);
  },
  async x25519SharedSecret(privateKey, peerPublicKey) {
    return x25519(privateKey, peerPublicKey);
  },
  async ed25519PublicKey(seed) {
    const key = await native('Ed25519', () =>
      subtle().importKey('pkcs8', derWrap(PKCS8_ED25519, seed), { name: 'Ed25519' }, true, ['sign']),
    );
    const jwk = await subtle().exportKey('jwk', key);
    if (typeof jwk.x !== 'string')
      throw new CryptoError('WebCrypto did not export an Ed25519 public key', { code: 'unsupported' });
    return base64UrlDecode(jwk.x);
  },
  async ed25519Sign(seed, message) {
    const s = subtle();
    const signature = await native('Ed25519', async () => {
      const key = await s.importKey('pkcs8', derWrap(PKCS8_ED25519, seed), { name: 'Ed25519' }, false, [
        'sign',
      ]);
      return s.sign({ name: 'Ed25519' }, key, fresh(message));
    });
    return new Uint8Array(signature);
  },
  async ed25519Verify(publicKey, message, signature) {
    const s = subtle();
    let key: CryptoKey;
    try {
      key = await cachedKey(verifyKeys, publicKey, () =>
        s.importKey('raw', fresh(publicKey), { name: 'Ed25519' }, false, ['verify']),
      );
    } catch (cause) {
      // A 32-byte string that is not a curve point cannot verify anything; an unknown algorithm is different.
      if ((cause as { name?: string } | null)?.name === 'NotSupportedError') {
        throw new CryptoError('WebCrypto in this runtime cannot do Ed25519', { code: 'unsupported', cause });
      }
      return false;
    }
    try {
      return await s.verify({ name: 'Ed25519' }, key, fresh(signature), fresh(message));
    } catch {
      return false;
    }
  },
};

/** Imported Ed25519 verification keys (see key-cache.ts). */
const verifyKeys = new Map<string, Promise<CryptoKey>>();

async function x25519(privateKey: Uint8Array, publicKey: Uint8Array): Promise<Uint8Array> {
  const s = subtle();
  const [priv, pub] = await native('X25519', () =>
    Promise.all([
      s.importKey('pkcs8', derWrap(PKCS8_X25519, privateKey), { name: 'X25519' }, false, ['deriveBits']),
      s.importKey('raw', fresh(publicKey), { name: 'X25519' }, false, []),
    ]),
  );
  try {
    return new Uint8Array(
      await s.deriveBits({ name: 'X25519', public: pub } as EcdhKeyDeriveParams, priv, 256),
    );
  } catch (cause) {
    // OpenSSL-based runtimes refuse an all-zero result (a low-order peer point) here.
    throw new InvalidKeyError('X25519: the peer public key is a low-order point (all-zero shared secret)', {
      cause,
    });
  }
}
