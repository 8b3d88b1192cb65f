/**
 * `@x/http-core/testing`: the kit every fake server of the @x SDKs is built on. Node only.
 *
 * @module
 */
export { TestClock, WallClock } from './clock.ts';
export { type FakeCors, type FakeCorsOptions, fakeCors, isLoopbackOrigin } from './cors.ts';
export { createFaultInjector, type Fault, type FaultInjector, type FaultMatch } from './faults.ts';
export { createRequestRecorder, type RecordedRequest, type RequestRecorder } from './recorder.ts';
export { type FetchHandler, startTestServer, type TestServer, type TestServerOptions } from './server.ts';
