/**
 * The noble backend: pure JavaScript from the audited @noble libraries. It runs wherever JavaScript runs and
 * is the fallback where neither node:crypto nor WebCrypto has an algorithm. Its code is loaded on first use
 * (dynamic `import()`), so runtimes that never need it never load it.
 *
 * @module
 */
import type { CryptoBackend } from './backend.ts';
import { concatBytes, isAllZero } from './bytes.ts';
import { DecryptionError, InvalidKeyError } from './errors.ts';

/**
 * A loader that runs `load` once, on first use, and then answers from one cached promise. A failed load (e.g. a
 * chunk that could not be fetched) is not cached: the next call tries again.
 */
function lazy<T>(load: () => Promise<T>): () => Promise<T> {
  let loading: Promise<T> | undefined;
  return () => {
    if (!loading) {
      const attempt = load();
      loading = attempt;
      attempt.catch(() => {
        if (loading === attempt) loading = undefined;
      });
    }
    return loading;
  };
}

/**
 * `@noble/curves`' Ed25519 and X25519. Bundlers put them in a separate chunk that only runtimes without
 * WebCrypto X25519/Ed25519 ever load.
 */
const curves = lazy(() => import('@noble/curves/ed25519.js'));

/** @noble/hashes' SHA-256 and HKDF and @noble/ciphers' AES-GCM, likewise in a chunk of their own. */
const symmetric = lazy(() => import('./noble-symmetric.ts'));

const LOW_ORDER = 'X25519: the peer public key is a low-order point (all-zero shared secret)';

/**
 * The pure-JavaScript backend: SHA-256 and HKDF from @noble/hashes, AES-256-GCM from @noble/ciphers' `gcm`,
 * X25519 and Ed25519 from @noble/curves. Each group is loaded on its first use (one cached dynamic
 * `import()` for the curves, one for the rest). Byte-for-byte
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
    const { sha256 } = await symmetric();
    return sha256(data);
  },
  async hkdfSha256(ikm, salt, info, length) {
    const { hkdf, sha256 } = await symmetric();
    return hkdf(sha256, ikm, salt, info, length);
  },
  async aesGcmSeal(key, nonce, plaintext, aad) {
    const { gcm } = await symmetric();
    const sealed = gcm(key, nonce, aad).encrypt(plaintext);
    const split = sealed.length - 16;
    return { ciphertext: sealed.subarray(0, split), tag: sealed.subarray(split) };
  },
  async aesGcmOpen(key, nonce, ciphertext, tag, aad) {
    const { gcm } = await symmetric();
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
    const { x25519 } = await curves();
    return x25519.getPublicKey(privateKey);
  },
  async x25519SharedSecret(privateKey, peerPublicKey) {
    const { x25519 } = await curves();
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
    const { ed25519 } = await curves();
    return ed25519.getPublicKey(seed);
  },
  async ed25519Sign(seed, message) {
    const { ed25519 } = await curves();
    return ed25519.sign(message, seed);
  },
  async ed25519Verify(publicKey, message, signature) {
    const { ed25519 } = await curves();
    try {
      return ed25519.verify(signature, message, publicKey, { zip215: false });
    } catch {
      return false;
    }
  },
};
