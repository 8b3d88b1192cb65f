// The streamed multipart encoder (browser/edge code), read back with plain web streams in Node and the edge
// VM. The round trip through a real multipart parser is in files.node.test.ts (the fake Den's parser).
import { describe, expect, it } from 'vitest';
import { streamMultipart } from '../src/multipart-stream.ts';

const streamOf = (...chunks: string[]) =>
  new ReadableStream<Uint8Array>({
    start(controller) {
      for (const c of chunks) controller.enqueue(new TextEncoder().encode(c));
      controller.close();
    },
  });

async function readAll(body: ReadableStream<Uint8Array>): Promise<string> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return text + decoder.decode();
    text += decoder.decode(value, { stream: true });
  }
}

const tooLarge = () => new Error('too large');

describe('streamMultipart', () => {
  it('writes one file part between the boundaries, the data passed through unchanged', async () => {
    const { body, contentType } = streamMultipart(
      'file',
      'a b.txt',
      'text/plain',
      streamOf('hello ', 'world'),
      100,
      tooLarge,
    );
    const boundary = /^multipart\/form-data; boundary=(----inkpass[0-9a-f]{32})$/.exec(contentType)?.[1];
    expect(boundary).toBeDefined();
    expect(await readAll(body)).toBe(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a b.txt"\r\n` +
        `Content-Type: text/plain\r\n\r\nhello world\r\n--${boundary}--\r\n`,
    );
  });

  it('a quote or line break in the filename or type cannot inject headers', async () => {
    const { body } = streamMultipart(
      'file',
      'x"\r\nContent-Type: text/html\r\n\r\nevil',
      'text/plain\r\nX-Evil: 1',
      streamOf('ok'),
      100,
      tooLarge,
    );
    const head = (await readAll(body)).split('\r\n\r\n')[0]!;
    expect(head.split('\r\n')).toHaveLength(3);
    expect(head).toContain('filename="x%22%0D%0AContent-Type: text/html%0D%0A%0D%0Aevil"');
    expect(head).toContain('Content-Type: text/plainX-Evil: 1');
  });

  it('fails the stream as soon as more than maxBytes have passed', async () => {
    const error = new Error('too large');
    const { body } = streamMultipart(
      'file',
      'x',
      'text/plain',
      streamOf('12345', '67890', 'abc'),
      8,
      () => error,
    );
    await expect(readAll(body)).rejects.toBe(error);
  });
});
