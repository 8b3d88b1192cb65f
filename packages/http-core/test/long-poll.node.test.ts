import * as v from 'valibot';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AbortError, createHttpClient, longPoll } from '../src/index.ts';
import { failure } from './failure.ts';
import { type Kit, startKit } from './kit.ts';

let kit: Kit;
let decision: string | undefined;

beforeAll(async () => {
  kit = await startKit((app) => {
    // Holds the request up to `timeout` seconds (scaled to ms here to keep the test quick) or until decided.
    app.get('/wait', async (c) => {
      const until = Date.now() + Number(c.req.query('timeout')) * 20;
      while (!decision && Date.now() < until) await new Promise((r) => setTimeout(r, 5));
      return decision ? c.json({ decision }) : c.body(null, 204);
    });
  });
});
afterAll(() => kit.server.close());

const Decision = v.optional(v.object({ decision: v.string() }));

describe('longPoll against a holding server', () => {
  it('keeps polling through 204s and a reset connection until the decision arrives', async () => {
    decision = undefined;
    kit.faults.enqueue({ match: { path: '/wait' }, reset: true });
    const client = createHttpClient({ baseUrl: kit.server.url, retry: 0 });
    const reconnects: unknown[] = [];
    setTimeout(() => {
      decision = 'approved';
    }, 150);
    const result = await longPoll(
      ({ waitSeconds, timeout, signal }) =>
        client.get('/wait', { query: { timeout: waitSeconds }, timeout, signal, schema: Decision }),
      { waitSeconds: 2, random: () => 0, onReconnect: (e) => reconnects.push(e) },
    );
    expect(result).toEqual({ decision: 'approved' });
    expect(reconnects).toHaveLength(1);
    const waits = kit.recorder.requests.filter((r) => r.path === '/wait');
    expect(waits.length).toBeGreaterThanOrEqual(3);
    expect(waits.every((r) => r.query.timeout === '2')).toBe(true);
  });

  it('stops a held request when the caller aborts', async () => {
    decision = undefined;
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
