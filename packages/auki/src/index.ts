/**
 * @x/auki: Auki network authentication — the sans-I/O core re-exported here, and (soon) the high-level client.
 *
 * @module
 */
export * from './core/index.ts';
