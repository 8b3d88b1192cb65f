// The mTLS transport under AtbClient, on its own against a real HTTPS server that asks for client
// certificates: bodies in and out, redirects, aborts and timeouts, and the buffered Response it returns.
import { createHash } from 'node:crypto';
import { createSecureServer } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { createHttpClient, ServerError, TimeoutError } from '@x/http-core';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMtlsTransport, type MtlsTransport } from '../src/node/index.ts';
import { createTestPki, startTlsTestServer, type TlsTestServer } from '../src/testing/index.ts';

const BIG = new Uint8Array(3 * 1024 * 1024).map((_, i) => (i * 31) % 251);
const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

let server: TlsTestServer;
let transport: MtlsTransport;
let requestsSeen = 0;
let slowClosed: Promise<void>;
let markSlowClosed: () => void = () => {};
let pki: Awaited<ReturnType<typeof createTestPki>>;

beforeAll(async () => {
  pki = await createTestPki('transport-test-ca');
  const agent = await pki.agent('spiffe://example.org/ns/test/sa/transport');
  const app = new Hono();
  app.use(async (_c, next) => {
    requestsSeen++;
    await next();
  });
  app.get('/big', () => new Response(BIG, { headers: { 'content-type': 'application/octet-stream' } }));
  app.all('/echo', async (c) =>
    c.json({
      method: c.req.method,
      body: await c.req.text(),
      contentType: c.req.header('content-type') ?? null,
      custom: c.req.header('x-custom') ?? null,
    }),
  );
  app.get('/empty', (c) => c.body(null, 204));
  app.get('/redirect', (c) => c.redirect('https://elsewhere.example/steal', 302));
  app.get('/cookies', () => {
    const headers = new Headers({ 'content-type': 'text/plain' });
    headers.append('set-cookie', 'a=1');
    headers.append('set-cookie', 'b=2');
    return new Response('ok', { headers });
  });
  app.get('/fail', (c) => c.text('the upstream broke', 502));
  app.get('/slow', (c) => {
    slowClosed = new Promise<void>((resolve) => {
      markSlowClosed = resolve;
    });
    c.req.raw.signal.addEventListener('abort', () => markSlowClosed());
    return new Promise<Response>(() => {});
  });
  server = await startTlsTestServer(app as never, { ...pki.server, clientCa: pki.caCert });
  transport = createMtlsTransport({ ...agent, ca: pki.caCert });
});

afterAll(async () => {
  await transport?.dispatcher.close().catch(() => {});
  await server?.close();
});

describe('the mTLS transport', () => {
  it('returns a large body that arrived in many chunks byte for byte', async () => {
    const res = await transport.fetch(`${server.url}/big`, { method: 'GET' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/octet-stream');
    expect(sha(new Uint8Array(await res.arrayBuffer()))).toBe(sha(BIG));
  });

  it('sends string and byte bodies with their headers, and streams through undici fetch', async () => {
    const asText = await transport.fetch(`${server.url}/echo`, {
      method: 'POST',
      headers: new Headers({ 'content-type': 'application/json', 'x-custom': 'one' }),
      body: '{"a":1}',
    });
    expect(await asText.json()).toEqual({
      method: 'POST',
      body: '{"a":1}',
      contentType: 'application/json',
      custom: 'one',
    });
    const asBytes = await transport.fetch(`${server.url}/echo`, {
      method: 'PUT',
      headers: { 'x-custom': 'two' },
      body: new TextEncoder().encode('bytes é'),
    });
    expect(await asBytes.json()).toMatchObject({ method: 'PUT', body: 'bytes é', custom: 'two' });
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('streamed'));
        controller.close();
      },
    });
    const streamed = await transport.fetch(`${server.url}/echo`, {
      method: 'POST',
      body: stream,
      duplex: 'half',
    });
    expect(await streamed.json()).toMatchObject({ body: 'streamed' });
  });

  it('gives a null body for 204, keeps repeated headers, and returns redirects without following them', async () => {
    const empty = await transport.fetch(`${server.url}/empty`, { method: 'GET' });
    expect(empty.status).toBe(204);
    expect(empty.body).toBeNull();
    expect(await empty.text()).toBe('');
    const cookies = await transport.fetch(`${server.url}/cookies`, { method: 'GET' });
    expect(cookies.headers.getSetCookie()).toEqual(['a=1', 'b=2']);
    const before = requestsSeen;
    const redirect = await transport.fetch(`${server.url}/redirect`, { method: 'GET' });
    expect(redirect.status).toBe(302);
    expect(redirect.headers.get('location')).toBe('https://elsewhere.example/steal');
    expect(requestsSeen).toBe(before + 1);
  });

  it('reads a body once, like any Response; body, clone and blob work too', async () => {
    const res = await transport.fetch(`${server.url}/echo`, { method: 'GET' });
    expect(res.bodyUsed).toBe(false);
    const copy = res.clone();
    expect(JSON.parse(await res.text())).toMatchObject({ method: 'GET' });
    expect(res.bodyUsed).toBe(true);
    await expect(res.text()).rejects.toThrow(TypeError);
    expect(() => res.clone()).toThrow(TypeError);
    expect((await copy.blob()).type).toBe('application/json');

    const streamed = await transport.fetch(`${server.url}/echo`, { method: 'GET' });
    const reader = streamed.body!.getReader();
    const chunks: Uint8Array[] = [];
    for (let r = await reader.read(); !r.done; r = await reader.read()) chunks.push(r.value);
    expect(JSON.parse(Buffer.concat(chunks).toString('utf8'))).toMatchObject({ method: 'GET' });
    expect(streamed.bodyUsed).toBe(true);
    await expect(streamed.text()).rejects.toThrow(TypeError);
  });

  it('rejects at once with the reason of a signal that already fired, sending nothing', async () => {
    const before = requestsSeen;
    const reason = new Error('stopped before sending');
    const controller = new AbortController();
    controller.abort(reason);
    await expect(
      transport.fetch(`${server.url}/echo`, { method: 'GET', signal: controller.signal }),
    ).rejects.toBe(reason);
    expect(requestsSeen).toBe(before);
  });

  it('an abort while waiting rejects with its reason and closes the request at the server', async () => {
    const controller = new AbortController();
    const pending = transport.fetch(`${server.url}/slow`, { method: 'GET', signal: controller.signal });
    while (!slowClosed) await new Promise((resolve) => setTimeout(resolve, 5));
    const reason = new Error('user gave up');
    controller.abort(reason);
    await expect(pending).rejects.toBe(reason);
    await slowClosed;
    // The transport still works afterwards.
    expect((await transport.fetch(`${server.url}/echo`, { method: 'GET' })).status).toBe(200);
  });

  it('under @x/http-core: timeouts become TimeoutError and error bodies reach the typed error', async () => {
    const http = createHttpClient({ baseUrl: server.url, fetch: transport.fetch, retry: false });
    const timedOut = await http.get('/slow', { timeout: 100 }).catch((e: unknown) => e);
    expect(TimeoutError.isInstance(timedOut)).toBe(true);
    const failed = await http.get('/fail').catch((e: unknown) => e);
    expect(ServerError.isInstance(failed)).toBe(true);
    expect((failed as ServerError).status).toBe(502);
    expect((failed as ServerError).body).toBe('the upstream broke');
    expect(await http.get('/echo')).toMatchObject({ method: 'GET' });
  });
  it('speaks HTTP/1.1 to a server that also offers HTTP/2 (undici 8 would otherwise negotiate h2)', async () => {
    const h2 = createSecureServer(
      { ...pki.server, ca: pki.caCert, requestCert: true, rejectUnauthorized: true, allowHTTP1: true },
      (req, res) => {
        req.resume();
        req.on('end', () => res.writeHead(200, { 'content-type': 'text/plain' }).end(req.httpVersion));
      },
    );
    await new Promise<void>((resolve) => h2.listen(0, '127.0.0.1', resolve));
    const own = createMtlsTransport({
      ...(await pki.agent('spiffe://example.org/ns/test/sa/h2')),
      ca: pki.caCert,
    });
    try {
      const url = `https://127.0.0.1:${(h2.address() as AddressInfo).port}/version`;
      expect(await (await own.fetch(url, { method: 'GET' })).text()).toBe('1.1');
      const streamed = new Blob(['x']).stream();
      const viaFetch = await own.fetch(url, {
        method: 'POST',
        body: streamed,
        duplex: 'half',
      } as RequestInit);
      expect(await viaFetch.text()).toBe('1.1');
    } finally {
      await own.close();
      await new Promise<void>((resolve) => h2.close(() => resolve()));
    }
  });
});
