/**
 * The X25519 and Ed25519 methods of the noble backend (@noble/curves), in one module that backend-noble.ts
 * loads with a dynamic `import()` on first use, so bundlers put them in a chunk that only runtimes without
 * WebCrypto X25519/Ed25519 ever load.
 *
 * @module
 */
import { ed25519, x25519 } from '@noble/curves/ed25519.js';
import type { CryptoBackend, NobleDeps } from './backend-types.ts';

const LOW_ORDER = 'X25519: the peer public key is a low-order point (all-zero shared secret)';

type Methods = Required<
  Pick<
    CryptoBackend,
    'x25519PublicKey' | 'x25519SharedSecret' | 'ed25519PublicKey' | 'ed25519Sign' | 'ed25519Verify'
  >
>;

/** The noble backend's curve methods (see `nobleBackend`). */
export const curveMethods = ({ InvalidKeyError, isAllZero }: NobleDeps): Methods => ({
  x25519PublicKey: async (privateKey) => x25519.getPublicKey(privateKey),
  async x25519SharedSecret(privateKey, peerPublicKey) {
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
  ed25519PublicKey: async (seed) => ed25519.getPublicKey(seed),
  ed25519Sign: async (seed, message) => ed25519.sign(message, seed),
  async ed25519Verify(publicKey, message, signature) {
    try {
      return ed25519.verify(signature, message, publicKey, { zip215: false });
    } catch {
      return false;
    }
  },
});
