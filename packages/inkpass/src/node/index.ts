/**
 * `@x/inkpass/node`: Node-only helpers: files from disk for the Den client, a fetch without TLS verification.
 *
 * @module
 */
import { openAsBlob } from 'node:fs';
import { basename } from 'node:path';
import type { FetchLike } from '@x/http-core';

/** A file on disk ready for `FileClient.upload`: spread it into the upload input. */
export interface FileFromPath {
  /** A Blob backed by the file: read in chunks while uploading, never loaded whole. */
  data: Blob;
  /** The file's base name. */
  filename: string;
}

/**
 * Opens a file for upload without reading it into memory (`fs.openAsBlob`).
 *
 * @example
 * ```ts
 * const file = await files.upload({ orgId, workflowId, agentId, ...(await fileFromPath('out.png')), contentType: 'image/png' });
 * ```
 */
export async function fileFromPath(
  path: string,
  options: { contentType?: string } = {},
): Promise<FileFromPath> {
  const data = await openAsBlob(path, options.contentType ? { type: options.contentType } : {});
  return { data, filename: basename(path) };
}

/**
 * A fetch that does not verify TLS certificates, for `verifyTls: false` (development only: it accepts any
 * certificate, so anyone on the path can read and change the traffic). Needs the optional peer `undici`.
 *
 * @example
 * ```ts
 * const client = new InkPassClient({ baseUrl: 'https://inkpass:8443', verifyTls: false, fetch: await insecureTlsFetch() });
 * ```
 */
export async function insecureTlsFetch(): Promise<FetchLike> {
  let undici: typeof import('undici');
  try {
    undici = await import('undici');
  } catch (error) {
    throw new Error('insecureTlsFetch needs the optional peer dependency undici (pnpm add undici).', {
      cause: error,
    });
  }
  const dispatcher = new undici.Agent({
    // HTTP/1.1 with undici 7 and 8 alike (8 would switch to HTTP/2 when the server offers it).
    allowH2: false,
    connect: { rejectUnauthorized: false },
  });
  return (input, init) =>
    undici.fetch(input, {
      ...(init as Parameters<typeof undici.fetch>[1]),
      dispatcher,
    }) as unknown as Promise<Response>;
}
