/**
 * The Node-only part of the auth client, re-exported by `@x/airlock/node`.
 *
 * @module
 */
export { FileTokenStore, type FileTokenStoreOptions } from './file-token-store.node.ts';
export { type LoopbackLoginOptions, loginWithAuthCode } from './loopback.node.ts';
