// The fake identity provider's clock is the shared test clock of @x/http-core/testing.
export { TestClock as OidcFakeClock } from '@x/http-core/testing';
