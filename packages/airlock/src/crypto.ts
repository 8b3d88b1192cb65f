/**
 * The Airlock crypto helpers with the upstream SDKs' names and string encodings: keys and
 * signatures as base64url without padding, ciphertext parts as standard base64, hashes as lowercase hex.
 * All async, as the upstream SDKs' helpers are.
 *
 * @module
 */
// A namespace import used only as `xc.name`: bundlers keep just the functions these helpers call.
import * as xc from '@x/crypto';
import { AirlockDecryptionError, AirlockInputError } from './errors.ts';
import { parseJsonExact } from './json.ts';

/** The HKDF info string of the Airlock E2E key. */
export const E2E_INFO = 'HARP-E2E-AES256GCM';
/** The `alg` the helpers write into ciphertext objects. */
export const AES_256_GCM = 'AES-256-GCM';
// DER SPKI header of an X25519 public key; some peers (the n8n node) send keys wrapped in it.
const SPKI_X25519_PREFIX = '302a300506032b656e032100';

/** An X25519 key pair as Airlock sends it: raw 32-byte keys, base64url without padding. */
export interface AirlockKeyPair {
  /** The private key (keep it secret). */
  privateKey: string;
  /** The public key, sent as `x25519PublicKey`. */
  publicKey: string;
}

/** An AES-256-GCM ciphertext as it travels in `ciphertext`: standard base64 with padding. */
export interface EncryptedPayload {
  /** `AES-256-GCM`. */
  alg: string;
  /** The ciphertext without the tag. */
  data: string;
  /** The 12-byte nonce. */
  nonce: string;
  /** The 16-byte tag. */
  tag: string;
  /** Never set by the SDKs; refused when present. */
  aad?: string | null | undefined;
}

function wrap(error: unknown, code: string, what: string): never {
  const message = `${what}: ${(error as Error)?.message ?? String(error)}`;
  throw new AirlockInputError(message, { code, cause: error });
}

/** Decodes a base64url key of exactly `length` bytes, or throws an {@link AirlockInputError} (`invalid_key`). */
function decodeKey(text: unknown, what: string, length = 32): Uint8Array {
  if (typeof text !== 'string' || text === '')
    throw new AirlockInputError(`${what} is missing; pass a base64url string.`, { code: 'invalid_key' });
  let bytes: Uint8Array;
  try {
    bytes = xc.base64UrlDecode(text);
  } catch (error) {
    wrap(error, 'invalid_key', `${what} is not valid base64url`);
  }
  if (bytes.length !== length)
    throw new AirlockInputError(`${what} must be ${length} bytes, got ${bytes.length}.`, {
      code: 'invalid_key',
    });
  return bytes;
}

function decodePeerKey(text: unknown, what: string): Uint8Array {
  if (typeof text === 'string' && text.length > 50) {
    const bytes = decodeKey(text, what, 44);
    // Accept a DER SPKI-wrapped X25519 key (44 bytes) by checking and stripping its fixed 12-byte header.
    if (xc.hexEncode(bytes.subarray(0, 12)) !== SPKI_X25519_PREFIX)
      throw new AirlockInputError(`${what} is 44 bytes but not an X25519 SPKI key.`, { code: 'invalid_key' });
    return bytes.subarray(12);
  }
  return decodeKey(text, what);
}

/**
 * Generates an X25519 key pair for pairing.
 *
 * @example
 * ```ts
 * const { privateKey, publicKey } = await generateX25519KeyPair(); // send publicKey as x25519PublicKey
 * ```
 */
export async function generateX25519KeyPair(): Promise<AirlockKeyPair> {
  const pair = await xc.generateX25519KeyPair();
  return { privateKey: xc.base64UrlEncode(pair.privateKey), publicKey: xc.base64UrlEncode(pair.publicKey) };
}

/** The X25519 public key of a base64url private key (X25519(private, 9)), base64url. */
export async function getX25519PublicKey(privateKey: string): Promise<string> {
  const priv = decodeKey(privateKey, 'X25519 private key');
  return xc.base64UrlEncode(await xc.x25519PublicKey(priv));
}

/**
 * Derives the pairing's AES-256 key: HKDF-SHA256(X25519(mine, peer), no salt, `HARP-E2E-AES256GCM`, 32)
 *. Both sides get the same key. A 44-byte SPKI-wrapped peer key is accepted; a low-order peer
 * key (all-zero shared secret) is refused.
 *
 * @returns the key, base64url without padding (the `encryptionKey` the other helpers take).
 * @throws {AirlockInputError} `invalid_key` for a malformed, wrong-length or low-order key.
 */
export async function deriveSharedKey(myPrivateKey: string, peerPublicKey: string): Promise<string> {
  const priv = decodeKey(myPrivateKey, 'X25519 private key');
  const peer = decodePeerKey(peerPublicKey, 'peer X25519 public key');
  try {
    return xc.base64UrlEncode(
      await xc.deriveE2EKey({ privateKey: priv, peerPublicKey: peer, info: E2E_INFO }),
    );
  } catch (error) {
    wrap(error, 'invalid_key', 'deriveSharedKey failed');
  }
}

/** Options of {@link aesGcmEncrypt}. */
export interface AesGcmEncryptOptions {
  /** A fixed 12-byte nonce, for test vectors only: never reuse a nonce with the same key. */
  nonce?: Uint8Array;
}

/**
 * Encrypts with AES-256-GCM under a base64url 32-byte key and a fresh random nonce.
 *
 * @returns `{ alg: 'AES-256-GCM', data, nonce, tag }` in standard base64.
 * @throws {AirlockInputError} `invalid_key` for a bad key.
 */
export async function aesGcmEncrypt(
  key: string,
  plaintext: string | Uint8Array,
  options: AesGcmEncryptOptions = {},
): Promise<EncryptedPayload> {
  const k = decodeKey(key, 'AES-256-GCM key');
  let bytes: Uint8Array;
  try {
    bytes = typeof plaintext === 'string' ? xc.utf8Encode(plaintext) : plaintext;
  } catch (error) {
    wrap(error, 'invalid_payload', 'plaintext is not well-formed text');
  }
  let sealed: xc.AesGcmSealed;
  try {
    sealed = await xc.aesGcmSeal({
      key: k,
      plaintext: bytes,
      ...(options.nonce === undefined ? {} : { nonce: options.nonce }),
    });
  } catch (error) {
    wrap(error, 'invalid_argument', 'aesGcmEncrypt failed');
  }
  return {
    alg: AES_256_GCM,
    data: xc.base64Encode(sealed.ciphertext),
    nonce: xc.base64Encode(sealed.nonce),
    tag: xc.base64Encode(sealed.tag),
  };
}

/**
 * Verifies and decrypts an {@link EncryptedPayload} into its UTF-8 text. A changed ciphertext,
 * nonce or tag, or the wrong key, never yields plaintext.
 *
 * @throws {AirlockDecryptionError} when authentication fails.
 * @throws {AirlockInputError} for a bad key, an unknown `alg`, malformed base64 or an `aad`.
 */
export async function aesGcmDecrypt(key: string, payload: EncryptedPayload): Promise<string> {
  const k = decodeKey(key, 'AES-256-GCM key');
  if (typeof payload !== 'object' || payload === null)
    throw new AirlockInputError('The encrypted payload must be an object { alg, data, nonce, tag }.');
  // The gateway treats alg as opaque, so be strict here: only AES-256-GCM (any case) is ours to open.
  if (typeof payload.alg !== 'string' || payload.alg.toUpperCase() !== AES_256_GCM)
    throw new AirlockInputError(`Unsupported ciphertext alg ${JSON.stringify(payload.alg)}.`, {
      code: 'unsupported_alg',
    });
  if (payload.aad !== undefined && payload.aad !== null)
    throw new AirlockInputError('Ciphertexts with aad are not supported (no Airlock SDK sets it).');
  let parts: { nonce: Uint8Array; ciphertext: Uint8Array; tag: Uint8Array };
  try {
    parts = {
      nonce: xc.base64Decode(payload.nonce),
      ciphertext: xc.base64Decode(payload.data),
      tag: xc.base64Decode(payload.tag),
    };
  } catch (error) {
    wrap(error, 'invalid_payload', 'The encrypted payload is not valid base64');
  }
  if (parts.nonce.length !== 12)
    throw new AirlockInputError(`The nonce must be 12 bytes, got ${parts.nonce.length}.`, {
      code: 'invalid_payload',
    });
  let opened: Uint8Array;
  try {
    opened = await xc.aesGcmOpen({ key: k, ...parts });
  } catch (error) {
    throw new AirlockDecryptionError('Decryption failed: the ciphertext was altered or the key is wrong.', {
      cause: error,
    });
  }
  try {
    return xc.utf8Decode(opened);
  } catch (error) {
    wrap(error, 'invalid_payload', 'The decrypted payload is not UTF-8');
  }
}

/** Lowercase hex SHA-256 of a string's UTF-8 bytes (or of bytes), e.g. an `artifactHash`. */
export async function sha256Hex(data: string | Uint8Array): Promise<string> {
  try {
    return await xc.sha256Hex(data);
  } catch (error) {
    wrap(error, 'invalid_payload', 'sha256Hex failed');
  }
}

/**
 * Canonical JSON (RFC 8785) of a value rather than of a JSON text, as the Python SDK's `canonical_serialize`:
 * keys sorted, no whitespace, RFC 8785 numbers; a `Date` becomes its ISO string (its `toJSON`).
 *
 * @example
 * ```ts
 * canonicalSerialize({ value: 42, action: 'test' }); // '{"action":"test","value":42}'
 * ```
 * @throws {AirlockInputError} `invalid_payload` for a value with no JSON form (a cycle, `NaN`, a function).
 */
export function canonicalSerialize(value: unknown): string {
  try {
    return xc.canonicalize(value);
  } catch (error) {
    wrap(error, 'invalid_payload', 'The value has no canonical JSON form');
  }
}

/**
 * Lowercase hex SHA-256 of a value's canonical JSON ({@link canonicalSerialize}), as the Python SDK's
 * `hash_canonical`. For a JSON text, `sha256Hex(await canonicalize(text))` is the same hash.
 *
 * @example
 * ```ts
 * const hash = await hashCanonical({ command: 'deploy' }); // the artifactHash of that payload
 * ```
 * @throws {AirlockInputError} `invalid_payload` for a value with no JSON form.
 */
export async function hashCanonical(value: unknown): Promise<string> {
  return sha256Hex(canonicalSerialize(value));
}

/**
 * Canonical JSON of a JSON text: parsed and re-emitted with sorted keys and no whitespace, numbers
 * in RFC 8785 form (as the .NET SDK, the only one using a real JCS library), except that integers beyond
 * 2^53 keep every digit, as in the Python reference: rounding them would change what the approver reads.
 * Integer-only payloads hash the same in every SDK.
 *
 * @throws {AirlockInputError} `invalid_payload` for text that is not JSON or has no canonical form.
 */
export async function canonicalize(jsonText: string): Promise<string> {
  let value: unknown;
  try {
    value = parseJsonExact(jsonText);
  } catch (error) {
    wrap(error, 'invalid_payload', 'The payload is not valid JSON');
  }
  try {
    return xc.canonicalize(value);
  } catch (error) {
    wrap(error, 'invalid_payload', 'The payload has no canonical JSON form');
  }
}

/** An Ed25519 key pair, base64url: a 32-byte seed and the 32-byte public key. */
export interface Ed25519KeyPair {
  /** The 32-byte private seed. */
  privateKey: string;
  /** The public key approvers publish as the signer key. */
  publicKey: string;
}

/** Generates an Ed25519 signing key pair (base64url). */
export async function generateEd25519KeyPair(): Promise<Ed25519KeyPair> {
  const pair = await xc.generateEd25519KeyPair();
  return { privateKey: xc.base64UrlEncode(pair.privateKey), publicKey: xc.base64UrlEncode(pair.publicKey) };
}

/** The Ed25519 public key of a base64url 32-byte seed, base64url. */
export async function getEd25519PublicKey(privateKey: string): Promise<string> {
  return xc.base64UrlEncode(await xc.ed25519PublicKey(decodeKey(privateKey, 'Ed25519 private key')));
}

const messageBytes = (message: string | Uint8Array): Uint8Array =>
  typeof message === 'string' ? xc.utf8Encode(message) : message;

/** Signs a message (a string is signed as UTF-8) with a base64url Ed25519 seed; returns the base64url signature. */
export async function signEd25519(privateKey: string, message: string | Uint8Array): Promise<string> {
  const seed = decodeKey(privateKey, 'Ed25519 private key');
  return xc.base64UrlEncode(await xc.ed25519Sign(seed, messageBytes(message)));
}

/**
 * Verifies a base64url Ed25519 signature. A wrong or malformed signature gives `false`.
 *
 * @throws {AirlockInputError} `invalid_key` for a malformed public key.
 */
export async function verifyEd25519(
  publicKey: string,
  message: string | Uint8Array,
  signature: string,
): Promise<boolean> {
  const key = decodeKey(publicKey, 'Ed25519 public key');
  let sig: Uint8Array;
  try {
    sig = xc.base64UrlDecode(signature);
  } catch {
    return false;
  }
  if (sig.length !== 64) return false;
  try {
    return await xc.ed25519Verify(key, messageBytes(message), sig);
  } catch (error) {
    wrap(error, 'invalid_key', 'Ed25519 verification failed');
  }
}

/** Random bytes as lowercase hex (ids and nonces). */
export async function randomHex(bytes: number): Promise<string> {
  return xc.hexEncode(xc.randomBytes(bytes));
}
