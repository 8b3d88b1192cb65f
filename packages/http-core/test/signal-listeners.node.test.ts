// A long-lived caller AbortSignal holds no listener once the calls made with it have finished, whatever
// path they took (plain, refreshed and replayed, failed, retried, streamed).
import { getEventListeners } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpClient, refreshingBearer } from '../src/index.ts';
import { type Kit, startKit } from './kit.ts';

let kit: Kit;
let valid = 'token-0';
beforeAll(async () => {
  kit = await startKit((app) => {
    app.get('/me', (c) =>
      c.req.header('authorization') === `Bearer ${valid}` ? c.json({ ok: true }) : c.json({}, 401),
    );
    app.get('/fail', (c) => c.json({ error: 'nope' }, 500));
    app.get('/stream', (c) => c.text('abc'));
  });
});
afterAll(() => kit.server.close());

describe('caller signals are let go', () => {
  it('after 200 calls through refreshingBearer, with refreshes and replays', async () => {
    let n = 0;
    const auth = refreshingBearer({
      token: 'stale',
      refresh: async () => {
        await new Promise((r) => setTimeout(r, 2));
        return `token-${n}`;
      },
    });
    const client = createHttpClient({ baseUrl: kit.server.url, auth, ...kit.fast, retry: { limit: 1 } });
    const controller = new AbortController();
    const { signal } = controller;
    for (let round = 0; round < 20; round++) {
      // Rotate the server's token so every round starts with a 401, a shared refresh and replays.
      valid = `token-${++n}`;
      await Promise.all(Array.from({ length: 10 }, () => client.get('/me', { signal })));
    }
    await client.get('/fail', { signal }).catch(() => {});
    const streamed = await client.stream('GET', '/stream', { signal });
    await new Response(streamed.body).text();
    expect(getEventListeners(signal, 'abort')).toHaveLength(0);
  });
});
