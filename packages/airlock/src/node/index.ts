/**
 * `@x/airlock/node`: Node-only pieces (file-backed stores, the loopback login callback).
 *
 * @module
 */
export * from '../auth/node.ts';
export * from './gateway-node.ts';
