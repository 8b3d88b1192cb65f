/**
 * A streamed multipart/form-data body with one file part, for uploads whose data is a `ReadableStream`:
 * the bytes pass through without being collected, and are counted so an oversize stream is stopped.
 *
 * @module
 */

/** A multipart body ready to send. */
export interface StreamedMultipart {
  /** The body stream. */
  body: ReadableStream<Uint8Array>;
  /** `multipart/form-data; boundary=…`. */
  contentType: string;
}

const encoder = new TextEncoder();

/** Escapes a value for a quoted header parameter the way browsers do (quotes and line breaks percent-encoded). */
function quoted(value: string): string {
  return value.replace(/"/g, '%22').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

function randomBoundary(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return `----inkpass${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}

/**
 * Wraps `data` as the part `name` of a multipart body. `onTooLarge` is called (and the stream fails) as
 * soon as more than `maxBytes` bytes have passed.
 */
export function streamMultipart(
  name: string,
  filename: string,
  contentType: string,
  data: ReadableStream<Uint8Array>,
  maxBytes: number,
  onTooLarge: () => Error,
): StreamedMultipart {
  const boundary = randomBoundary();
  const head = encoder.encode(
    `--${boundary}\r\nContent-Disposition: form-data; name="${quoted(name)}"; filename="${quoted(filename)}"\r\n` +
      `Content-Type: ${contentType.replace(/[\r\n]/g, '')}\r\n\r\n`,
  );
  const tail = encoder.encode(`\r\n--${boundary}--\r\n`);
  const reader = data.getReader();
  let sent = 0;
  let started = false;
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!started) {
        started = true;
        controller.enqueue(head);
        return;
      }
      const { done, value } = await reader.read();
      if (done) {
        controller.enqueue(tail);
        controller.close();
        return;
      }
      sent += value.byteLength;
      if (sent > maxBytes) {
        const error = onTooLarge();
        await reader.cancel(error).catch(() => {});
        controller.error(error);
        return;
      }
      controller.enqueue(value);
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  });
  return { body, contentType: `multipart/form-data; boundary=${boundary}` };
}
