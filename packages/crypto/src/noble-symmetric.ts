/**
 * The SHA-256, HKDF and AES-256-GCM methods of the noble backend (@noble/hashes, @noble/ciphers), in one
 * module that backend-noble.ts loads with a dynamic `import()` on first use, so bundlers put them in a chunk
 * that only runtimes without node:crypto and WebCrypto (e.g. an insecure browser context) ever load.
 *
 * @module
 */
import { gcm } from '@noble/ciphers/aes.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import type { CryptoBackend, NobleDeps } from './backend-types.ts';

type Methods = Required<Pick<CryptoBackend, 'sha256' | 'hkdfSha256' | 'aesGcmSeal' | 'aesGcmOpen'>>;

/** The noble backend's symmetric methods (see `nobleBackend`). */
export const symmetricMethods = ({ DecryptionError, concatBytes }: NobleDeps): Methods => ({
  sha256: async (data) => nobleSha256(data),
  hkdfSha256: async (ikm, salt, info, length) => hkdf(nobleSha256, ikm, salt, info, length),
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
});
