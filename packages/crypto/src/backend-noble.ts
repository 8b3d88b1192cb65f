/**
 * The noble backend: pure JavaScript from the audited @noble libraries. It runs wherever JavaScript runs and
 * is the fallback where neither node:crypto nor WebCrypto has an algorithm.
 *
 * @module
 */
import { gcm } from '@noble/ciphers/aes.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import type { CryptoBackend } from './backend.ts';
import { concatBytes, isAllZero } from './bytes.ts';
import { DecryptionError, InvalidKeyError } from './errors.ts';

type Curves = typeof import('@noble/curves/ed25519.js');

let curves: Promise<Curves> | undefined;

/**
 * @noble/curves' Ed25519 and X25519, loaded on first use through one cached dynamic `import()`. Bundlers
 * put them in a separate chunk that only runtimes without WebCrypto X25519/Ed25519 ever load, which keeps
 * the entry small. A failed load (e.g. a chunk that could not be fetched) is retried on the next call.
 */
function loadCurves(): Promise<Curves> {
  if (!curves) {
    const loading = import('@noble/curves/ed25519.js');
    curves = loading;
    loading.catch(() => {
      if (curves === loading) curves = undefined;
    });
  }
  return curves;
}

const LOW_ORDER = 'X25519: the peer public key is a low-order point (all-zero shared secret)';

/**
 * The pure-JavaScript backend: SHA-256 and HKDF from @noble/hashes, AES-256-GCM from @noble/ciphers' `gcm`,
 * X25519 and Ed25519 from @noble/curves (loaded lazily, on the first curve operation). Byte-for-byte
 * identical to the other backends; Ed25519 verification is strict RFC 8032 (`zip215: false`). Pass it as
 * `{ backend: nobleBackend }` to force it.
 *
 * @example
 * ```ts
 * const digest = await sha256(utf8Encode('abc'), { backend: nobleBackend });
 * ```
 */
export const nobleBackend: CryptoBackend = {
  name: 'noble',
  supports: async () => true,
  async sha256(data) {
    return sha256(data);
  },
  async hkdfSha256(ikm, salt, info, length) {
    return hkdf(sha256, ikm, salt, info, length);
  },
  async aesGcmSeal(key, nonce, plaintext, aad) {
    const sealed = gcm(key, nonce, aad).encrypt(plaintext);
    const split = sealed.length - 16;
    return { ciphertext: sealed.subarray(0, split), tag: sealed.subarray(split) };
  },
  async aesGcmOpen(key, nonce, ciphertext, tag, aad) {
    // gcm wants ciphertext ‖ tag in one buffer; when they are already adjacent (our own seal output, or one
    // wire buffer) use a view over both instead of copying.
    const adjacent =
      ciphertext.buffer === tag.buffer && ciphertext.byteOffset + ciphertext.length === tag.byteOffset;
    const sealed = adjacent
      ? new Uint8Array(ciphertext.buffer, ciphertext.byteOffset, ciphertext.length + tag.length)
      : concatBytes(ciphertext, tag);
    try {
      // noble checks the tag (in constant time) before it decrypts anything.
      return gcm(key, nonce, aad).decrypt(sealed);
    } catch (cause) {
      throw new DecryptionError('AES-GCM authentication failed', { cause });
    }
  },
  async x25519PublicKey(privateKey) {
    const { x25519 } = await loadCurves();
    return x25519.getPublicKey(privateKey);
  },
  async x25519SharedSecret(privateKey, peerPublicKey) {
    const { x25519 } = await loadCurves();
    let secret: Uint8Array;
    try {
      // noble refuses an all-zero result itself; the inputs are already checked, so that is the only failure.
      secret = x25519.getSharedSecret(privateKey, peerPublicKey);
    } catch (cause) {
      throw new InvalidKeyError(LOW_ORDER, { cause });
    }
    if (isAllZero(secret)) throw new InvalidKeyError(LOW_ORDER);
    return secret;
  },
  async ed25519PublicKey(seed) {
    const { ed25519 } = await loadCurves();
    return ed25519.getPublicKey(seed);
  },
  async ed25519Sign(seed, message) {
    const { ed25519 } = await loadCurves();
    return ed25519.sign(message, seed);
  },
  async ed25519Verify(publicKey, message, signature) {
    const { ed25519 } = await loadCurves();
    try {
      return ed25519.verify(signature, message, publicKey, { zip215: false });
    } catch {
      return false;
    }
  },
};
