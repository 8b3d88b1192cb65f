import type { MultipartFields } from './multipart.ts';

/** The body options of a call; at most one of them is used (`json`, then `form`, then `body`). */
export interface BodyOptions {
  /** Sent as JSON with `Content-Type: application/json`. */
  json?: unknown;
  /** Sent as `multipart/form-data`. */
  form?: FormData | MultipartFields;
  /**
   * Sent as is: a string, bytes, a Blob, URLSearchParams, FormData or a `ReadableStream` (streamed with
   * `duplex: 'half'`; a stream can be sent only once, so such calls are never retried or replayed).
   */
  body?: BodyInit | Uint8Array | null;
}

/**
 * Reads at most `maxBytes` of a response body as text (the rest is cancelled), so a huge or endless
 * error body cannot exhaust memory.
 */
export async function readTextCapped(response: Response, maxBytes: number): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    const room = maxBytes - size;
    size += value.byteLength;
    text += decoder.decode(value.byteLength > room ? value.subarray(0, room) : value, { stream: true });
    if (size >= maxBytes) {
      await reader.cancel().catch(() => {});
      break;
    }
  }
  return text + decoder.decode();
}

/** Parses a body as JSON when it looks like JSON, else returns the text; empty gives `undefined`. */
export function parseLenient(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Wraps a streamed response body so read failures surface as `mapError` makes them. */
export function watchStream(
  source: ReadableStream<Uint8Array> | null,
  mapError: (error: unknown) => unknown,
): ReadableStream<Uint8Array> {
  const reader = source?.getReader();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const chunk = await reader?.read();
        if (!chunk || chunk.done) controller.close();
        else controller.enqueue(chunk.value);
      } catch (error) {
        controller.error(mapError(error));
      }
    },
    cancel(reason) {
      return reader?.cancel(reason);
    },
  });
}
