import { createHttpClient, NotFoundError } from '@x/http-core';
import { createFaultInjector, createRequestRecorder, startTestServer } from '@x/http-core/testing';
import { Hono } from 'hono';
import * as v from 'valibot';
import { check, type Scenario } from '../scenario.ts';

const Order = v.object({ id: v.string(), status: v.picklist(['open', 'refunded']) });

/** A typed client call that rides out a 503 with Retry-After, then a typed 404, against a local server. */
export const httpScenario: Scenario = {
  title: '@x/http-core: a typed call that retries past a 503, against a loopback server',
  async run(say) {
    const recorder = createRequestRecorder();
    const faults = createFaultInjector();
    const app = new Hono();
    app.use(recorder.middleware);
    app.use(faults.middleware);
    app.get('/orders/:id', (c) =>
      c.req.param('id') === 'A-1001'
        ? c.json({ id: 'A-1001', status: 'open' })
        : c.json({ detail: 'no such order' }, 404),
    );
    const server = await startTestServer(app);
    try {
      say(`server listening on ${server.url}`);
      faults.enqueue({ status: 503, headers: { 'Retry-After': '0' } });
      const client = createHttpClient({ baseUrl: server.url, timeout: 5_000 });

      const order = await client.get('/orders/A-1001', { schema: Order });
      check(order.status === 'open' && recorder.requests.length === 2, 'one 503, then the order');
      say(`GET /orders/A-1001  → 503 (Retry-After: 0), retried → ${JSON.stringify(order)}`);

      const missing = await client.get('/orders/B-9', { schema: Order }).catch((error: unknown) => error);
      check(NotFoundError.isInstance(missing), 'a 404 is a NotFoundError');
      say(`GET /orders/B-9     → ${missing.name} (code "${missing.code}", status ${missing.status})`);
      say(`requests the server saw: ${recorder.requests.map((r) => `${r.method} ${r.path}`).join(', ')}`);
      return '503 retried after Retry-After, 404 typed as NotFoundError';
    } finally {
      await server.close();
    }
  },
};
