/**
 * A fake guardrails service (the broker's `GUARDRAILS_URL`): answers `POST /` with
 * `{safe, reason?, score?, category?}` for the `{text, action, agent, parameters}` it gets, records each
 * request, and can be made slow or broken to test the broker's 2 s timeout and its failure handling.
 *
 * @module
 */
import { closeable } from '@x/http-core';
import {
  createFaultInjector,
  createRequestRecorder,
  type FaultInjector,
  type RequestRecorder,
  startTestServer,
} from '@x/http-core/testing';
import { Hono } from 'hono';
import { type GuardrailsRequest, type GuardrailsVerdict, matchesGuardrailPattern } from './broker-fake.ts';

/** Options of {@link startFakeGuardrails}. */
export interface FakeGuardrailsOptions {
  /**
   * Judges a request (default: unsafe, category `prompt_injection`, when the text matches one of the local
   * guardrail patterns; else safe).
   */
  judge?: (request: GuardrailsRequest) => GuardrailsVerdict | Promise<GuardrailsVerdict>;
}

/** The running fake guardrails service. */
export interface FakeGuardrails {
  /** Its URL, for the broker's `guardrailsUrl`. */
  url: string;
  /** What the broker sent. */
  recorder: RequestRecorder;
  /** Scripted faults: `faults.enqueue({ delayMs: 5000 })` outlasts the broker's timeout, `{ status: 500 }` breaks it. */
  faults: FaultInjector;
  /** Stops the server (again: the first call's outcome). */
  close(): Promise<void>;
  /** {@link FakeGuardrails.close}, for `await using guardrails = …`. */
  [Symbol.asyncDispose](): Promise<void>;
}

function defaultJudge(request: GuardrailsRequest): GuardrailsVerdict {
  return matchesGuardrailPattern(request.text)
    ? { safe: false, reason: 'prompt_injection_detected', score: 0.98, category: 'prompt_injection' }
    : { safe: true, score: 0.02 };
}

/**
 * Starts a fake guardrails service on loopback.
 *
 * @example
 * ```ts
 * const guardrails = await startFakeGuardrails({ judge: (r) => ({ safe: !r.text.includes('secret') }) });
 * const atb = await startFakeAtb({ broker: { guardrailsUrl: guardrails.url } });
 * ```
 */
export async function startFakeGuardrails(options: FakeGuardrailsOptions = {}): Promise<FakeGuardrails> {
  const recorder = createRequestRecorder();
  const faults = createFaultInjector();
  const judge = options.judge ?? defaultJudge;
  const app = new Hono();
  app.use(recorder.middleware);
  app.use(faults.middleware);
  app.post('/', async (c) => c.json(await judge(await c.req.json<GuardrailsRequest>())));
  const server = await startTestServer(app);
  return closeable<FakeGuardrails>({ url: `${server.url}/`, recorder, faults, close: server.close });
}
