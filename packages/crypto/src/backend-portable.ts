/**
 * The portable backend: pure JavaScript. Hashes and the AES and GHASH cores come from the audited @noble
 * libraries, X25519 and Ed25519 from ./curve25519.ts. It runs wherever JavaScript runs and is the fallback when WebCrypto or
 * one of its algorithms is missing.
 *
 * @module
 */
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { gcmOpen, gcmSeal } from './aes-gcm-portable.ts';
import type { CryptoBackend } from './backend.ts';
import { isAllZero } from './bytes.ts';
import { ed25519PublicKey, ed25519Sign, ed25519Verify, x25519 } from './curve25519.ts';
import { InvalidKeyError } from './errors.ts';

const X25519_BASE = new Uint8Array(32);
X25519_BASE[0] = 9;

/**
 * The pure-JavaScript backend (@noble/hashes, @noble/ciphers and a built-in Curve25519). Byte-for-byte
 * identical to {@link webCryptoBackend}. Pass it as `{ backend: portableBackend }` to force it, e.g. in tests.
 *
 * @example
 * ```ts
 * const digest = await sha256(utf8Encode('abc'), { backend: portableBackend });
 * ```
 */
export const portableBackend: CryptoBackend = {
  name: 'portable',
  async sha256(data) {
    return sha256(data);
  },
  async hkdfSha256(ikm, salt, info, length) {
    return hkdf(sha256, ikm, salt, info, length);
  },
  async aesGcmSeal(key, nonce, plaintext, aad) {
    return gcmSeal(key, nonce, plaintext, aad);
  },
  async aesGcmOpen(key, nonce, ciphertext, tag, aad) {
    return gcmOpen(key, nonce, ciphertext, tag, aad);
  },
  async x25519PublicKey(privateKey) {
    return x25519(privateKey, X25519_BASE);
  },
  async x25519SharedSecret(privateKey, peerPublicKey) {
    const secret = x25519(privateKey, peerPublicKey);
    if (isAllZero(secret)) {
      throw new InvalidKeyError('X25519: the peer public key is a low-order point (all-zero shared secret)');
    }
    return secret;
  },
  async ed25519PublicKey(seed) {
    return ed25519PublicKey(seed);
  },
  async ed25519Sign(seed, message) {
    return ed25519Sign(seed, message);
  },
  async ed25519Verify(publicKey, message, signature) {
    return ed25519Verify(publicKey, message, signature);
  },
};
