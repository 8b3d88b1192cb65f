/**
 * `@x/auki/testing`: a faithful fake of the Auki auth API and discovery service for tests. Node only.
 *
 * @module
 */
export {
  AukiFakeClock,
  type FakeAuki,
  type FakeAukiAppKey,
  type FakeAukiConfig,
  type FakeAukiDomain,
  type FakeAukiLifetimes,
  type FakeAukiOpaqueSession,
  type FakeAukiOptions,
  type FakeAukiUser,
  startFakeAuki,
} from './fake.ts';
