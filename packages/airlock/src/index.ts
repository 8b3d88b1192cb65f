/**
 * @x/airlock: the Airlock Integrations Gateway client and its OIDC auth client.
 *
 * @module
 */
export * from './auth/index.ts';
export * from './gateway.ts';
export type { AccessTokenProvider } from './token-provider.ts';
