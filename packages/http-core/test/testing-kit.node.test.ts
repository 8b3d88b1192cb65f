import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { createFaultInjector, createRequestRecorder, startTestServer } from '../src/testing/index.ts';

describe('startTestServer', () => {
  it('serves a Hono app or a bare fetch handler on an ephemeral loopback port and closes with keep-alive connections open', async () => {
    const server = await startTestServer(new Hono().get('/', (c) => c.text('hono')));
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(server.port).toBeGreaterThan(0);
    expect(await (await fetch(server.url)).text()).toBe('hono');
    await server.close();
    await expect(fetch(server.url)).rejects.toThrow();

    const bare = await startTestServer(() => new Response('bare'));
    expect(await (await fetch(`${bare.url}/any`)).text()).toBe('bare');
    await bare.close();
  });
});

describe('fault injector and recorder', () => {
  it('plays status sequences for matching requests only, then lets requests through, and records everything', async () => {
    const app = new Hono();
    const faults = createFaultInjector();
    const recorder = createRequestRecorder();
    app.use(recorder.middleware);
    app.use(faults.middleware);
    app.all('*', async (c) => c.text(`ok ${await c.req.text()}`));
    const server = await startTestServer(app);
    faults.statusSequence([503, 0, 429], {
      match: { path: '/a', method: 'post' },
      headers: { 'Retry-After': '1' },
    });
    faults.enqueue({ match: { path: /^\/b/ }, status: 418, body: { teapot: true }, times: 2 });
    expect(faults.pending()).toBe(5);

    const statuses: number[] = [];
    for (const [method, path] of [
      ['GET', '/a'],
      ['POST', '/a'],
      ['POST', '/a'],
      ['POST', '/a'],
      ['POST', '/a'],
      ['GET', '/b1'],
      ['GET', '/b2'],
      ['GET', '/b3'],
    ]) {
      const res = await fetch(`${server.url}${path}?x=1&x=2`, {
        method,
        headers: { 'X-Test': 'yes' },
        ...(method === 'POST' ? { body: 'payload' } : {}),
      });
      statuses.push(res.status);
      if (res.status === 503) expect(res.headers.get('retry-after')).toBe('1');
      if (res.status === 418) expect(await res.json()).toEqual({ teapot: true });
      else await res.text();
    }
    expect(statuses).toEqual([200, 503, 200, 429, 200, 418, 418, 200]);
    expect(faults.pending()).toBe(0);
    expect(recorder.requests).toHaveLength(8);
    expect(recorder.requests[1]).toEqual({
      method: 'POST',
      path: '/a',
      query: { x: ['1', '2'] },
      headers: expect.objectContaining({ 'x-test': 'yes' }),
      body: 'payload',
      bodyBytes: 7,
    });
    faults.enqueue({ status: 500 });
    faults.clear();
    expect(faults.pending()).toBe(0);
    recorder.clear();
    expect(recorder.last()).toBeUndefined();
    await server.close();
  });

  it('resets connections, delays, truncates and slows bodies', async () => {
    const app = new Hono();
    const faults = createFaultInjector();
    app.use(faults.middleware);
    app.get('/', (c) => c.text('fine'));
    const server = await startTestServer(app);

    faults.enqueue({ reset: true });
    await expect(fetch(server.url)).rejects.toThrow();

    faults.enqueue({ delayMs: 120 });
    let started = Date.now();
    expect(await (await fetch(server.url)).text()).toBe('fine');
    expect(Date.now() - started).toBeGreaterThanOrEqual(100);

    faults.enqueue({ truncate: { body: 'abc', declaredLength: 10 } });
    const truncated = await fetch(server.url);
    expect(truncated.headers.get('content-length')).toBe('10');
    await expect(truncated.text()).rejects.toThrow();

    faults.enqueue({ slowBody: { chunks: ['a', 'b', 'c'], intervalMs: 60 } });
    started = Date.now();
    const slow = await fetch(server.url);
    expect(await slow.text()).toBe('abc');
    expect(Date.now() - started).toBeGreaterThanOrEqual(100);
    await server.close();
  });
});

describe('lifecycle', () => {
  it('a test server closes once however often close is called, and with await using', async () => {
    const app = (request: Request) => new Response(new URL(request.url).pathname);
    let url: string;
    {
      await using server = await startTestServer(app);
      url = server.url;
      expect(await (await fetch(`${url}/x`)).text()).toBe('/x');
      const first = server.close();
      expect(server.close()).toBe(first);
      await first;
    }
    await expect(fetch(`${url}/x`)).rejects.toThrow();
    {
      await using server = await startTestServer(app);
      url = server.url;
    }
    await expect(fetch(`${url}/y`)).rejects.toThrow();
  });
});
