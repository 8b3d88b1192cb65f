// Starts one loopback server in the main vitest process so tests in the edge-runtime VM (which cannot
// start servers) still talk to a real server over real sockets.

import { Hono } from 'hono';
import type { TestProject } from 'vitest/node';
import { startTestServer } from '../src/testing/index.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    sharedServerUrl: string;
  }
}

export default async function setup(project: TestProject) {
  const seen = new Map<string, number>();
  const app = new Hono();
  app.get('/echo', (c) => c.json({ headers: Object.fromEntries(c.req.raw.headers), query: c.req.queries() }));
  // Fails with 503 (Retry-After: 0) the first `n` times a key is seen, then answers.
  app.get('/flaky/:key/:n', (c) => {
    const key = c.req.param('key');
    const count = (seen.get(key) ?? 0) + 1;
    seen.set(key, count);
    if (count <= Number(c.req.param('n'))) return c.json({ error: 'busy' }, 503, { 'Retry-After': '0' });
    return c.json({ key, attempts: count });
  });
  app.get('/slow', async (c) => {
    await new Promise((r) => setTimeout(r, 500));
    return c.json({ ok: true });
  });
  const server = await startTestServer(app);
  project.provide('sharedServerUrl', server.url);
  return () => server.close();
}
