import * as v from 'valibot';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AbortError, createHttpClient, longPoll } from '../src/index.ts';
import { failure } from './failure.ts';
import { type Kit, startKit } from './kit.ts';

let kit: Kit;
let emptyAnswers = 0;
let emptyBeforeDecision = 0;

beforeAll(async () => {
  kit = await startKit((app) => {
    // Holds each request for its `timeout` (seconds scaled to 10 ms to keep the test quick), then answers
    // 204 until `emptyBeforeDecision` empty answers were given, and the decision after that.
    app.get('/wait', async (c) => {
      await new Promise((r) => setTimeout(r, Number(c.req.query('timeout')) * 10));
      if (emptyAnswers >= emptyBeforeDecision) return c.json({ decision: 'approved' });
      emptyAnswers++;
      return c.body(null, 204);
    });
  });
});
afterAll(() => kit.server.close());

const Decision = v.optional(v.object({ decision: v.string() }));

describe('longPoll against a holding server', () => {
  it('keeps polling through 204s and a reset connection until the decision arrives', async () => {
    emptyAnswers = 0;
    emptyBeforeDecision = 2;
    kit.recorder.clear();
    kit.faults.enqueue({ match: { path: '/wait' }, reset: true });
    const client = createHttpClient({ baseUrl: kit.server.url, retry: 0 });
    const reconnects: unknown[] = [];
    const result = await longPoll(
      ({ waitSeconds, timeout, signal }) =>
        client.get('/wait', { query: { timeout: waitSeconds }, timeout, signal, schema: Decision }),
      { waitSeconds: 2, random: () => 0, onReconnect: (e) => reconnects.push(e) },
    );
    expect(result).toEqual({ decision: 'approved' });
    expect(reconnects).toHaveLength(1);
    const waits = kit.recorder.requests.filter((r) => r.path === '/wait');
    // The reset, two empty answers, then the decision.
    expect(waits.map((r) => r.query.timeout)).toEqual(['2', '2', '2', '2']);
  });

  it('stops a held request when the caller aborts', async () => {
    emptyBeforeDecision = Number.POSITIVE_INFINITY;
    const client = createHttpClient({ baseUrl: kit.server.url });
    const ctl = new AbortController();
    setTimeout(() => ctl.abort(), 50);
    const error = await failure(
      longPoll(
        ({ waitSeconds, timeout, signal }) =>
          client.get('/wait', { query: { timeout: waitSeconds }, timeout, signal, schema: Decision }),
        { waitSeconds: 60, signal: ctl.signal },
      ),
    );
    expect(AbortError.isInstance(error)).toBe(true);
  });
});
