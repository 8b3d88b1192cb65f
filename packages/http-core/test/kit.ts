// Shared setup of the Node tests: a Hono app with the fault injector and recorder, on a real socket.
import { Hono } from 'hono';
import {
  createFaultInjector,
  createRequestRecorder,
  startTestServer,
  type TestServer,
} from '../src/testing/index.ts';

export interface Kit {
  app: Hono;
  server: TestServer;
  faults: ReturnType<typeof createFaultInjector>;
  recorder: ReturnType<typeof createRequestRecorder>;
  delays: number[];
  /** Client options that make retries instant and deterministic, recording each backoff delay. */
  fast: { random: () => number; sleep: (ms: number, signal: AbortSignal) => Promise<void> };
}

export async function startKit(routes: (app: Hono) => void): Promise<Kit> {
  const app = new Hono();
  const faults = createFaultInjector();
  const recorder = createRequestRecorder();
  app.use(recorder.middleware);
  app.use(faults.middleware);
  routes(app);
  const server = await startTestServer(app);
  const delays: number[] = [];
  const fast = {
    random: () => 0.5,
    sleep: async (ms: number, signal: AbortSignal) => {
      delays.push(ms);
      if (signal.aborted) throw signal.reason;
    },
  };
  return { app, server, faults, recorder, delays, fast };
}
