/**
 * The portable backend: pure JavaScript primitives from the audited @noble libraries. It runs wherever
 * JavaScript runs and is the fallback when WebCrypto or one of its algorithms is missing.
 *
 * @module
 */
import { gcm } from '@noble/ciphers/aes.js';
import { ed25519, x25519 } from '@noble/curves/ed25519.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import type { CryptoBackend } from './backend.ts';
import { DecryptionError, InvalidKeyError } from './errors.ts';

/**
 * The pure-JavaScript backend (@noble/hashes, @noble/ciphers, @noble/curves). Byte-for-byte identical to
 * {@link webCryptoBackend}. Pass it as `{ backend: nobleBackend }` to force it, e.g. in tests.
 *
 * @example
 * ```ts
 * const digest = await sha256(utf8Encode('abc'), { backend: nobleBackend });
 * ```
 */
export const nobleBackend: CryptoBackend = {
  name: 'noble',
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
    const sealed = new Uint8Array(ciphertext.length + 16);
    sealed.set(ciphertext);
    sealed.set(tag, ciphertext.length);
    try {
      return gcm(key, nonce, aad).decrypt(sealed);
    } catch (cause) {
      throw new DecryptionError('AES-GCM authentication failed', { cause });
    }
  },
  async x25519PublicKey(privateKey) {
    return x25519.getPublicKey(privateKey);
  },
  async x25519SharedSecret(privateKey, peerPublicKey) {
    try {
      return x25519.getSharedSecret(privateKey, peerPublicKey);
    } catch (cause) {
      // noble refuses low-order peer points before the ladder; that is the all-zero secret case.
      throw new InvalidKeyError('X25519: the peer public key is a low-order point (all-zero shared secret)', {
        cause,
      });
    }
  },
  async ed25519PublicKey(seed) {
    return ed25519.getPublicKey(seed);
  },
  async ed25519Sign(seed, message) {
    return ed25519.sign(message, seed);
  },
  async ed25519Verify(publicKey, message, signature) {
    try {
      // Strict RFC 8032 (not ZIP-215) so the answer matches WebCrypto / OpenSSL.
      return ed25519.verify(signature, message, publicKey, { zip215: false });
    } catch {
      return false;
    }
  },
};
