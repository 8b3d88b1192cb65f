/**
 * `@x/inkpass/node`: Node-only helpers for the Den file client.
 *
 * @module
 */
import { openAsBlob } from 'node:fs';
import { basename } from 'node:path';

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
