/**
 * The @noble/hashes and @noble/ciphers parts of the noble backend, in one module that backend-noble.ts loads
 * with a dynamic `import()` on first use, so bundlers put them in a chunk that only runtimes without
 * node:crypto and WebCrypto (e.g. an insecure browser context) ever load.
 *
 * @module
 */
export { gcm } from '@noble/ciphers/aes.js';
export { hkdf } from '@noble/hashes/hkdf.js';
export { sha256 } from '@noble/hashes/sha2.js';
