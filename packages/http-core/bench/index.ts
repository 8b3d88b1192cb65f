// GET requests/s through createHttpClient (with a valibot schema) vs raw fetch + res.json(), both against
// the same loopback server started with the testing kit.
import { compare, summarize } from '@x/tooling/bench';
import { Hono } from 'hono';
import * as v from 'valibot';
import { createHttpClient } from '../src/index.ts';
import { startTestServer } from '../src/testing/index.ts';

const app = new Hono().get('/users/:id', (c) =>
  c.json({
    id: c.req.param('id'),
    name: 'Ada Lovelace',
    email: 'ada@example.com',
    active: true,
    roles: ['admin'],
  }),
);
const server = await startTestServer(app);
const User = v.object({
  id: v.string(),
  name: v.string(),
  email: v.string(),
  active: v.boolean(),
  roles: v.array(v.string()),
});
const client = createHttpClient({ baseUrl: server.url });
const url = `${server.url}/users/u1`;

try {
  const rows = await compare({
    title: 'http-core GET vs raw fetch (loopback, JSON body)',
    timeMs: Number(process.env.BENCH_TIME_MS ?? 3000),
    baseline: {
      name: 'raw fetch + res.json()',
      fn: async () => {
        const res = await fetch(url);
        if (!res.ok) throw new Error(String(res.status));
        await res.json();
      },
    },
    candidates: [
      {
        // Reference: what Node's fetch alone pays for an AbortSignal, which every client call needs for its
        // per-attempt timeout and the caller's abort.
        name: 'raw fetch + AbortSignal (reference)',
        fn: async () => {
          const res = await fetch(url, { signal: new AbortController().signal });
          if (!res.ok) throw new Error(String(res.status));
          await res.json();
        },
      },
      {
        name: 'createHttpClient().get(schema)',
        target: 0.9,
        fn: () => client.get('/users/u1', { schema: User }),
      },
    ],
  });
  summarize(rows);
} finally {
  await server.close();
}
