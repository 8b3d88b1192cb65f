/**
 * @x/crypto: X25519, Ed25519, HKDF-SHA256, AES-256-GCM, SHA-256, canonical JSON (RFC 8785), PKCE and strict
 * codecs for browsers, edge runtimes and Node. Per algorithm: node:crypto where the runtime exposes it,
 * WebCrypto where it has the algorithm, the `@noble` libraries otherwise.
 *
 * @module
 */

export {
  AES_GCM_NONCE_LENGTH,
  AES_GCM_TAG_LENGTH,
  AES_KEY_LENGTH,
  type AesGcmOpenParams,
  type AesGcmSealed,
  type AesGcmSealParams,
  aesGcmOpen,
  aesGcmSeal,
} from './aes-gcm.ts';
export {
  ALGORITHMS,
  type Algorithm,
  autoBackend,
  type BackendMethod,
  type BackendOptions,
  type CryptoBackend,
  nobleBackend,
  nodeCryptoBackend,
  resolveBackends,
  webCryptoBackend,
} from './backend.ts';
export { canonicalize } from './canonical-json.ts';
export {
  base64Decode,
  base64Encode,
  base64UrlDecode,
  base64UrlEncode,
  hexDecode,
  hexEncode,
  isWellFormedString,
  utf8Decode,
  utf8Encode,
} from './codecs.ts';
export {
  type DeriveE2EKeyParams,
  deriveE2EKey,
  type OpenE2EParams,
  openE2E,
  type SealE2EParams,
  sealE2E,
} from './e2e.ts';
export {
  ED25519_KEY_LENGTH,
  ED25519_SIGNATURE_LENGTH,
  type Ed25519KeyPair,
  ed25519PublicKey,
  ed25519Sign,
  ed25519Verify,
  generateEd25519KeyPair,
} from './ed25519.ts';
export {
  CanonicalizationError,
  CodecError,
  CryptoError,
  type CryptoErrorCode,
  type CryptoErrorOptions,
  DecryptionError,
  InvalidKeyError,
} from './errors.ts';
export { type HkdfParams, hkdfSha256 } from './hkdf.ts';
export {
  createPkcePair,
  generatePkceVerifier,
  isPkceVerifier,
  type PkcePair,
  pkceChallengeS256,
} from './pkce.ts';
export { constantTimeEqual, randomBytes } from './random.ts';
export { sha256, sha256Hex } from './sha256.ts';
export {
  generateX25519KeyPair,
  X25519_KEY_LENGTH,
  type X25519KeyPair,
  x25519PublicKey,
  x25519SharedSecret,
} from './x25519.ts';
