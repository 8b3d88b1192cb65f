import { getEventListeners } from 'node:events';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AbortError, createHttpClient, NetworkError, toFormData } from '../src/index.ts';
import { failure } from './failure.ts';
import { type Kit, startKit } from './kit.ts';

let kit: Kit;
const encoder = new TextEncoder();

beforeAll(async () => {
  kit = await startKit((app) => {
    app.put('/blob', async (c) => c.json({ type: c.req.header('content-type'), text: await c.req.text() }));
    app.post('/form', async (c) => {
      const form = await c.req.formData();
      const file = form.get('file') as File;
      return c.json({
        folder: form.get('folder'),
        tags: form.getAll('tags'),
        file: { name: file.name, type: file.type, text: await file.text() },
      });
    });
    app.get('/download', (c) => {
      const interval = Number(c.req.query('interval') ?? 5);
      let i = 0;
      const stream = new ReadableStream<Uint8Array>({
        async pull(controller) {
          await new Promise((r) => setTimeout(r, interval));
          if (i === 5) return controller.close();
          controller.enqueue(encoder.encode(`chunk${i++};`));
        },
      });
      return new Response(stream, { headers: { 'x-request-id': 'dl-1' } });
    });
    app.get('/endless', () => {
      const stream = new ReadableStream<Uint8Array>({
        async pull(controller) {
          await new Promise((r) => setTimeout(r, 20));
          controller.enqueue(encoder.encode('x'));
        },
      });
      return new Response(stream);
    });
  });
});
afterAll(() => kit.server.close());
beforeEach(() => {
  kit.recorder.clear();
  kit.faults.clear();
});

const client = () => createHttpClient({ baseUrl: kit.server.url, ...kit.fast });

async function readAll(stream: ReadableStream<Uint8Array>): Promise<string> {
  return new Response(stream).text();
}

describe('uploads', () => {
  it('streams a ReadableStream body (duplex half) and does not retry it', async () => {
    const parts = ['a', 'b', 'c'];
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        const next = parts.shift();
        if (next === undefined) controller.close();
        else controller.enqueue(encoder.encode(next));
      },
    });
    const out = await client().put('/blob', { body, headers: { 'content-type': 'text/plain' } });
    expect(out).toEqual({ type: 'text/plain', text: 'abc' });
    expect(kit.recorder.last()!.headers['transfer-encoding']).toBe('chunked');

    kit.faults.statusSequence([503]);
    const once = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(encoder.encode('x'));
        c.close();
      },
    });
    await expect(client().put('/blob', { body: once })).rejects.toMatchObject({ status: 503 });
    expect(kit.recorder.requests).toHaveLength(2);
  });

  it('uploads a Blob with its type and retries it (a Blob can be sent again)', async () => {
    kit.faults.statusSequence([503]);
    const out = await client().put('/blob', { body: new Blob(['hello'], { type: 'application/x-demo' }) });
    expect(out).toEqual({ type: 'application/x-demo', text: 'hello' });
    expect(kit.recorder.requests.map((r) => r.body)).toEqual(['hello', 'hello']);
  });

  it('sends multipart forms with files, from fields or FormData', async () => {
    const expected = {
      folder: 'docs',
      tags: ['a', 'b'],
      file: { name: 'note.txt', type: 'text/plain', text: 'hi there' },
    };
    const fields = {
      folder: 'docs',
      tags: ['a', 'b'],
      file: { data: encoder.encode('hi there'), filename: 'note.txt', contentType: 'text/plain' },
    };
    expect(await client().post('/form', { form: fields })).toEqual(expected);
    expect(kit.recorder.last()!.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
    expect(await client().post('/form', { form: toFormData(fields) })).toEqual(expected);
  });
});

describe('downloads', () => {
  it('gives the body as a stream once the headers arrive', async () => {
    const { body, response, requestId } = await client().stream('GET', '/download');
    expect(response.status).toBe(200);
    expect(requestId).toBe('dl-1');
    expect(await readAll(body)).toBe('chunk0;chunk1;chunk2;chunk3;chunk4;');
  });

  it('aborts the stream when the signal fires, after the call has returned', async () => {
    const ctl = new AbortController();
    const { body } = await client().stream('GET', '/endless', { signal: ctl.signal });
    const reader = body.getReader();
    await reader.read();
    ctl.abort();
    const error = await (async () => {
      for (;;) await reader.read();
    })().catch((e) => e);
    expect(AbortError.isInstance(error)).toBe(true);
  });

  it("lets go of the caller's signal when the stream ends or is cancelled", async () => {
    const ctl = new AbortController();
    const { body } = await client().stream('GET', '/download', { signal: ctl.signal });
    // ky follows the caller's signal through AbortSignal.any, which adds no listener to it.
    expect(getEventListeners(ctl.signal, 'abort').length).toBeLessThanOrEqual(1);
    await readAll(body);
    expect(getEventListeners(ctl.signal, 'abort')).toHaveLength(0);
    const second = await client().stream('GET', '/endless', { signal: ctl.signal });
    await second.body.cancel();
    expect(getEventListeners(ctl.signal, 'abort')).toHaveLength(0);
    await client().get('/download', { signal: ctl.signal, parseAs: 'text' });
    expect(getEventListeners(ctl.signal, 'abort')).toHaveLength(0);
  });

  it('fails a truncated stream with NetworkError', async () => {
    kit.faults.enqueue({ truncate: { body: 'partial', declaredLength: 1000 } });
    const { body } = await client().stream('GET', '/download');
    const error = await failure(readAll(body));
    expect(NetworkError.isInstance(error)).toBe(true);
  });

  it('does not apply the attempt timeout to the stream body', async () => {
    // Five chunks 40 ms apart take far longer than the 30 ms attempt timeout.
    const client = createHttpClient({ baseUrl: kit.server.url, timeout: 30 });
    const { body } = await client.stream('GET', '/download', { query: { interval: 40 } });
    expect(await readAll(body)).toBe('chunk0;chunk1;chunk2;chunk3;chunk4;');
  });
});
