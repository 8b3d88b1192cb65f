/**
 * A streaming multipart/form-data reader for the fake Den: the `file` part goes straight to disk while it
 * arrives (hashed and counted on the way), so a 100 MiB upload never sits in memory.
 *
 * @module
 */
import { createHash } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';

/** What was read of the `file` part. */
export interface ReceivedFile {
  /** The part's filename (`unnamed` when it had none). */
  filename: string;
  /** The part's content type (`application/octet-stream` when it had none). */
  contentType: string;
  /** Bytes written. */
  size: number;
  /** SHA-256 of the content, hex. */
  sha256: string;
}

/** Thrown when the file part passes `maxBytes`. */
export class FileTooLarge extends Error {}
/** Thrown when the body is not well-formed multipart. */
export class MalformedMultipart extends Error {}

const CRLF2 = Buffer.from('\r\n\r\n');

function headerParam(header: string, name: string): string | undefined {
  const star = new RegExp(`${name}\\*=UTF-8''([^;]+)`, 'i').exec(header);
  if (star?.[1]) return decodeURIComponent(star[1]);
  const quoted = new RegExp(`${name}="((?:[^"\\\\]|\\\\.)*)"`, 'i').exec(header);
  if (quoted) return quoted[1]!.replace(/\\(.)/g, '$1');
  return new RegExp(`${name}=([^;\\s]+)`, 'i').exec(header)?.[1];
}

function write(stream: WriteStream, chunk: Buffer): Promise<void> | undefined {
  if (!chunk.length || stream.write(chunk)) return undefined;
  return new Promise((resolve) => stream.once('drain', resolve));
}

/**
 * Reads a multipart body; the part named `file` is written to `path`. Resolves with it (or `undefined`
 * when the body had no such part). Rejects with {@link FileTooLarge} past `maxBytes`.
 */
export async function receiveMultipartFile(
  body: ReadableStream<Uint8Array>,
  contentType: string,
  path: string,
  maxBytes: number,
): Promise<ReceivedFile | undefined> {
  const boundary = headerParam(contentType, 'boundary');
  if (!/^multipart\/form-data/i.test(contentType) || !boundary) {
    throw new MalformedMultipart('Content-Type must be multipart/form-data with a boundary');
  }
  const delimiter = Buffer.from(`\r\n--${boundary}`);
  // The body starts with "--boundary"; prefixing CRLF lets one delimiter pattern find every boundary.
  let pending: Buffer = Buffer.from('\r\n');
  let state: 'preamble' | 'headers' | 'data' | 'done' = 'preamble';
  let current: { name: string; filename: string; contentType: string } | undefined;
  let result: ReceivedFile | undefined;
  let out: WriteStream | undefined;
  let hash: ReturnType<typeof createHash> | undefined;
  let size = 0;
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (value) pending = pending.length ? Buffer.concat([pending, value]) : Buffer.from(value);
      // Consume as much of `pending` as the state machine can.
      for (;;) {
        if (state === 'preamble') {
          const at = pending.indexOf(delimiter);
          if (at < 0) break;
          pending = pending.subarray(at + delimiter.length);
          state = 'headers';
        } else if (state === 'headers') {
          if (pending.length >= 2 && pending[0] === 0x2d && pending[1] === 0x2d) {
            state = 'done';
            break;
          }
          const end = pending.indexOf(CRLF2);
          if (end < 0) break;
          const head = pending.subarray(0, end).toString('utf8');
          pending = pending.subarray(end + 4);
          const disposition = /content-disposition:([^\r\n]*)/i.exec(head)?.[1] ?? '';
          const type = /content-type:\s*([^\r\n]*)/i.exec(head)?.[1]?.trim();
          current = {
            name: headerParam(disposition, 'name') ?? '',
            filename: headerParam(disposition, 'filename') || 'unnamed',
            contentType: type || 'application/octet-stream',
          };
          if (current.name === 'file' && !out) {
            out = createWriteStream(path);
            hash = createHash('sha256');
            size = 0;
          }
          state = 'data';
        } else if (state === 'data') {
          const at = pending.indexOf(delimiter);
          const isFile = current?.name === 'file' && out && !result;
          const take = at >= 0 ? at : Math.max(0, pending.length - delimiter.length + 1);
          const chunk = pending.subarray(0, take);
          if (isFile && chunk.length) {
            size += chunk.length;
            if (size > maxBytes) throw new FileTooLarge();
            hash!.update(chunk);
            await write(out!, chunk);
          }
          pending = pending.subarray(take);
          if (at < 0) break;
          pending = pending.subarray(delimiter.length);
          if (isFile) {
            result = {
              filename: current!.filename,
              contentType: current!.contentType,
              size,
              sha256: hash!.digest('hex'),
            };
          }
          state = 'headers';
        } else break;
      }
      if (done) break;
    }
    if (state !== 'done')
      throw new MalformedMultipart('the multipart body ended before its closing boundary');
    return result;
  } catch (error) {
    // Read the rest so the 413 reaches a client still sending (as the real server does), then fail.
    if (error instanceof FileTooLarge) while (!(await reader.read().catch(() => ({ done: true }))).done);
    throw error;
  } finally {
    await reader.cancel().catch(() => {});
    if (out) await new Promise<void>((resolve) => out!.end(resolve));
  }
}
