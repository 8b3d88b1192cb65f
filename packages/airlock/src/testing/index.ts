/**
 * `@x/airlock/testing`: a faithful fake Airlock gateway and OIDC identity provider, Node only.
 *
 * @module
 */
export { type FakeCors, type FakeCorsOptions, isLoopbackOrigin } from '@x/http-core/testing';
export * from './gateway-fake.ts';
export * from './oidc-fake.ts';
