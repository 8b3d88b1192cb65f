/**
 * The fixed DER wrappers of raw 32-byte curve keys (RFC 8410), for APIs that import keys only as PKCS#8 or
 * SPKI (WebCrypto's private keys, node:crypto's key objects).
 *
 * @module
 */

// PKCS#8: SEQUENCE { 0, AlgorithmIdentifier { OID }, OCTET STRING { OCTET STRING { key } } }.
/** The PKCS#8 prefix of a raw X25519 private key. */
export const PKCS8_X25519 = [
  0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x6e, 0x04, 0x22, 0x04, 0x20,
];
/** The PKCS#8 prefix of a raw Ed25519 private key (its 32-byte seed). */
export const PKCS8_ED25519 = [
  0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
];
// SPKI: SEQUENCE { AlgorithmIdentifier { OID }, BIT STRING { 0 unused bits, key } }.
/** The SPKI prefix of a raw Ed25519 public key. */
export const SPKI_ED25519 = [0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00];

/** `prefix` followed by `key`, in a fresh buffer. */
export function derWrap(prefix: readonly number[], key: Uint8Array): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(prefix.length + key.length);
  out.set(prefix);
  out.set(key, prefix.length);
  return out;
}
