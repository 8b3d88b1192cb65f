/**
 * @x/airlock: the Airlock Integrations Gateway client. The OIDC auth client is the `@x/airlock/auth` subpath,
 * so a bundle that never signs in does not carry it.
 *
 * @module
 */
export * from './gateway.ts';
export type { AccessTokenProvider } from './token-provider.ts';
