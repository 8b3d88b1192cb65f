// The fakes' clock is the shared test clock of @x/http-core/testing. The ATB fakes start it at the real time
// (see their `clock` options): the client checks token expiry against its own wall clock.
export { TestClock as FakeClock } from '@x/http-core/testing';
