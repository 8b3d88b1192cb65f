// The fake inkPass's clock is the shared test clock of @x/http-core/testing.
export { TestClock as FakeClock, WallClock } from '@x/http-core/testing';
