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

/**
 * The parameters of a part's Content-Disposition as the real server reads them (Starlette hands the header to
 * python-multipart, which uses Python's email parser): a `;` inside quotes does not split; a quoted value loses
 * its quotes and only a doubled backslash and a backslash-quote are unescaped (to `\` and `"`; any other
 * backslash stays); an RFC 2231 `name*=UTF-8''…` value wins over the plain one. Names are lower-cased.
 */
function dispositionParams(header: string): Map<string, string> {
  const plain = new Map<string, string>();
  const extended = new Map<string, string>();
  const count = (text: string, needle: string) => text.split(needle).length - 1;
  let start = 0;
  for (let at = header.indexOf(';'); ; at = header.indexOf(';', at + 1)) {
    const piece = header.slice(start, at < 0 ? undefined : at);
    if (at >= 0 && (count(piece, '"') - count(piece, '\\"')) % 2 === 1) continue;
    if (start > 0 && piece.includes('=')) {
      const eq = piece.indexOf('=');
      const name = piece.slice(0, eq).trim().toLowerCase();
      const value = piece.slice(eq + 1).trim();
      if (name.endsWith('*')) {
        const encoded = value
          .replace(/^"(.*)"$/s, '$1')
          .split("'")
          .slice(2)
          .join("'");
        try {
          extended.set(name.slice(0, -1), decodeURIComponent(encoded));
        } catch {
          extended.set(name.slice(0, -1), encoded);
        }
      } else if (value.length > 1 && value.startsWith('"') && value.endsWith('"')) {
        plain.set(name, value.slice(1, -1).replaceAll('\\\\', '\\').replaceAll('\\"', '"'));
      } else plain.set(name, value);
    }
    if (at < 0) break;
    start = at + 1;
  }
  for (const [name, value] of extended) plain.set(name, value);
  return plain;
}

/**
 * The upload's file name as the server stores it: python-multipart's old fix for browsers that sent a whole
 * Windows path keeps only the part after the last backslash when the name (unescaped) looks like `C:\dir\…`
 * or starts with two backslashes.
 */
function serverFilename(disposition: string): string | undefined {
  const name = dispositionParams(disposition).get('filename');
  if (name === undefined) return undefined;
  return name.slice(1, 3) === ':\\' || name.startsWith('\\\\')
    ? name.slice(name.lastIndexOf('\\') + 1)
    : name;
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
  const boundary = dispositionParams(contentType).get('boundary');
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
            name: dispositionParams(disposition).get('name') ?? '',
            filename: serverFilename(disposition) || 'unnamed',
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
