/**
 * The node:crypto backend: OpenSSL through Node's own crypto module, reached at run time through
 * `process.getBuiltinModule` (Node ≥ 20.16, Bun, Deno) — never through an `import` of a `node:` module, so
 * bundlers for browsers see nothing of it. It provides SHA-256, HKDF-SHA256 and AES-256-GCM, the algorithms
 * and Ed25519, the algorithms where a synchronous native call beats Node's WebCrypto (a thread-pool round trip
 * per call and extra copies).
 *
 * @module
 */

import { nobleBackend } from './backend-noble.ts';
import type { Algorithm, CryptoBackend } from './backend-types.ts';
import { derWrap, PKCS8_ED25519, SPKI_ED25519 } from './der.ts';
import { CryptoError, DecryptionError } from './errors.ts';
import { cachedKey } from './key-cache.ts';

// The few members of node:crypto this backend uses, typed here so that neither the sources nor the published
// declarations depend on @types/node.
interface NodeCipher {
  setAAD(data: Uint8Array): unknown;
  update(data: Uint8Array): Uint8Array;
  final(): Uint8Array;
  getAuthTag(): Uint8Array;
}

interface NodeDecipher {
  setAAD(data: Uint8Array): unknown;
  setAuthTag(tag: Uint8Array): unknown;
  update(data: Uint8Array): Uint8Array;
  final(): Uint8Array;
}

/** node:crypto's KeyObject, as far as this backend uses it. */
interface NodeKeyObject {
  export(options: { format: 'der'; type: 'spki' }): Uint8Array;
}

interface DerKeyInput {
  key: Uint8Array;
  format: 'der';
  type: 'pkcs8' | 'spki';
}

interface NodeCryptoModule {
  createPrivateKey(key: DerKeyInput): NodeKeyObject;
  createPublicKey(key: NodeKeyObject | DerKeyInput): NodeKeyObject;
  sign(algorithm: null, data: Uint8Array, key: NodeKeyObject): Uint8Array;
  verify(algorithm: null, data: Uint8Array, key: NodeKeyObject, signature: Uint8Array): boolean;
  createHash(algorithm: 'sha256'): { update(data: Uint8Array): { digest(): Uint8Array } };
  hkdfSync(
    digest: 'sha256',
    ikm: Uint8Array,
    salt: Uint8Array,
    info: Uint8Array,
    length: number,
  ): ArrayBuffer;
  createCipheriv(
    algorithm: 'aes-256-gcm',
    key: Uint8Array,
    iv: Uint8Array,
    options: { authTagLength: number },
  ): NodeCipher;
  createDecipheriv(
    algorithm: 'aes-256-gcm',
    key: Uint8Array,
    iv: Uint8Array,
    options: { authTagLength: number },
  ): NodeDecipher;
}

let detected: { module: NodeCryptoModule | undefined } | undefined;

/** node:crypto when this runtime exposes it, else undefined. Detected once, on first use. */
function detect(): NodeCryptoModule | undefined {
  if (!detected) detected = { module: find() };
  return detected.module;
}

function find(): NodeCryptoModule | undefined {
  const scope = globalThis as {
    EdgeRuntime?: unknown;
    process?: { getBuiltinModule?: (id: string) => unknown };
  };
  // An edge-runtime sandbox (Vercel Edge, Next.js middleware, and their local emulation inside Node, which
  // leaks Node's `process`) promises web APIs only: behave there as in production, where node:crypto is absent.
  if (typeof scope.EdgeRuntime === 'string') return undefined;
  let candidate: unknown;
  try {
    candidate = scope.process?.getBuiltinModule?.('node:crypto');
  } catch {
    return undefined;
  }
  const c = candidate as Partial<NodeCryptoModule> | undefined;
  const usable =
    typeof c?.createHash === 'function' &&
    typeof c.hkdfSync === 'function' &&
    typeof c.createCipheriv === 'function' &&
    typeof c.createDecipheriv === 'function' &&
    typeof c.createPrivateKey === 'function' &&
    typeof c.createPublicKey === 'function' &&
    typeof c.sign === 'function' &&
    typeof c.verify === 'function';
  return usable ? (c as NodeCryptoModule) : undefined;
}

function nodeCrypto(): NodeCryptoModule {
  const module = detect();
  if (!module) {
    throw new CryptoError('The node-crypto backend is not available in this runtime', {
      code: 'unsupported',
    });
  }
  return module;
}

const PROVIDED = new Set<Algorithm>(['sha256', 'hkdf', 'aesGcm', 'ed25519']);
const EMPTY = new Uint8Array(0);
/** node:crypto's HKDF refuses an `info` longer than this. */
const NODE_HKDF_MAX_INFO = 1024;

/**
 * node:crypto returns Buffers, and small ones are views into a shared pool: hand out a plain Uint8Array over
 * memory that belongs to this result alone (the Buffer's own memory when it has it all, else a copy).
 */
function own(bytes: Uint8Array): Uint8Array {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength
    ? new Uint8Array(bytes.buffer as ArrayBuffer)
    : new Uint8Array(bytes);
}

/**
 * The node:crypto backend: SHA-256, HKDF-SHA256 and AES-256-GCM on Node's crypto module, found at run time
 * with `globalThis.process.getBuiltinModule('node:crypto')` (Node ≥ 20.16, Bun, Deno). It has no X25519
 * methods (the automatic backend uses WebCrypto or noble for those). Where node:crypto is not
 * available (browsers, edge runtimes) {@link CryptoBackend.supports} resolves `false` and forced calls reject
 * with {@link CryptoError} `unsupported`. Byte-for-byte identical to the other backends.
 *
 * @example
 * ```ts
 * const sealed = await aesGcmSeal({ key, plaintext }, { backend: nodeCryptoBackend });
 * ```
 */
export const nodeCryptoBackend: CryptoBackend = {
  name: 'node-crypto',
  supports: async (algorithm) =>
    PROVIDED.has(algorithm) && detect() !== undefined && (algorithm !== 'ed25519' || hasEd25519()),
  async sha256(data) {
    return own(nodeCrypto().createHash('sha256').update(data).digest());
  },
  async hkdfSha256(ikm, salt, info, length) {
    const c = nodeCrypto();
    // Node caps `info` at 1024 bytes; RFC 5869 does not. Longer ones (rare) take @noble/hashes.
    if (info.length > NODE_HKDF_MAX_INFO) return nobleBackend.hkdfSha256!(ikm, salt, info, length);
    return new Uint8Array(c.hkdfSync('sha256', ikm, salt ?? EMPTY, info, length));
  },
  async aesGcmSeal(key, nonce, plaintext, aad) {
    const cipher = nodeCrypto().createCipheriv('aes-256-gcm', key, nonce, { authTagLength: 16 });
    if (aad) cipher.setAAD(aad);
    const ciphertext = own(cipher.update(plaintext));
    cipher.final(); // GCM has no trailing block: this only computes the tag.
    return { ciphertext, tag: own(cipher.getAuthTag()) };
  },
  async aesGcmOpen(key, nonce, ciphertext, tag, aad) {
    const decipher = nodeCrypto().createDecipheriv('aes-256-gcm', key, nonce, { authTagLength: 16 });
    decipher.setAuthTag(tag);
    if (aad) decipher.setAAD(aad);
    const plaintext = decipher.update(ciphertext);
    try {
      decipher.final(); // checks the tag
    } catch (cause) {
      plaintext.fill(0); // unauthenticated: never leaves this function
      throw new DecryptionError('AES-GCM authentication failed', { cause });
    }
    return own(plaintext);
  },
  async ed25519PublicKey(seed) {
    return ed25519PublicKeyOf(nodeCrypto(), seed);
  },
  async ed25519Sign(seed, message) {
    const c = nodeCrypto();
    return own(c.sign(null, message, c.createPrivateKey(pkcs8Ed25519(seed))));
  },
  async ed25519Verify(publicKey, message, signature) {
    const c = nodeCrypto();
    try {
      const key = cachedKey(verifyKeys, publicKey, () =>
        c.createPublicKey({ key: derWrap(SPKI_ED25519, publicKey), format: 'der', type: 'spki' }),
      );
      return c.verify(null, message, key, signature);
    } catch {
      // A key OpenSSL cannot import verifies nothing.
      return false;
    }
  },
};

const verifyKeys = new Map<string, NodeKeyObject>();

function pkcs8Ed25519(seed: Uint8Array): DerKeyInput {
  return { key: derWrap(PKCS8_ED25519, seed), format: 'der', type: 'pkcs8' };
}

function ed25519PublicKeyOf(c: NodeCryptoModule, seed: Uint8Array): Uint8Array {
  const spki = c
    .createPublicKey(c.createPrivateKey(pkcs8Ed25519(seed)))
    .export({ format: 'der', type: 'spki' });
  return new Uint8Array(spki.subarray(SPKI_ED25519.length));
}

let ed25519Available: boolean | undefined;

/** Whether this runtime's node:crypto has Ed25519 (Node does; compatible runtimes may not): tried once. */
function hasEd25519(): boolean {
  if (ed25519Available === undefined) {
    try {
      ed25519Available = ed25519PublicKeyOf(nodeCrypto(), new Uint8Array(32).fill(1)).length === 32;
    } catch {
      ed25519Available = false;
    }
  }
  return ed25519Available;
}
