/**
 * `@x/inkpass/testing`: a faithful fake inkPass server (auth, permissions with ABAC, API keys, Den files)
 * with a seeding API, a controllable clock and fault injection. Node only.
 *
 * @module
 */
export { type FakeCors, type FakeCorsOptions, isLoopbackOrigin } from '@x/http-core/testing';
export { FakeClock, WallClock } from './clock.ts';
export * from './fake-inkpass.ts';
export { KNOWN_PERMISSIONS, type RoleTemplate, type TemplateName } from './permissions.ts';
export { totp } from './totp.ts';
