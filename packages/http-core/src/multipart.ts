/** A file part: data plus the file name and content type the server sees. */
export interface FilePart {
  /** The file's bytes. */
  data: Blob | Uint8Array | ArrayBuffer | string;
  /** The file name sent in the part's Content-Disposition. */
  filename: string;
  /** The part's content type (default: the Blob's type, else `application/octet-stream`). */
  contentType?: string;
}

/** A multipart field value; arrays send the field several times, `undefined`/`null` are skipped. */
export type MultipartValue = string | number | boolean | Blob | FilePart | null | undefined;

/** The fields of a multipart form. */
export type MultipartFields = Record<string, MultipartValue | readonly MultipartValue[]>;

function isFilePart(value: unknown): value is FilePart {
  return typeof value === 'object' && value !== null && 'filename' in value && 'data' in value;
}

/**
 * Builds a `FormData` for a `multipart/form-data` upload. Pass the result (or the fields directly as the
 * `form` option) to a client call; fetch writes the boundary header itself.
 *
 * @example
 * ```ts
 * await client.post('/files', { form: { folder: 'docs', file: { data: bytes, filename: 'a.pdf' } } });
 * ```
 */
export function toFormData(fields: MultipartFields): FormData {
  const form = new FormData();
  for (const [name, raw] of Object.entries(fields)) {
    for (const value of Array.isArray(raw) ? raw : [raw]) {
      if (value === undefined || value === null) continue;
      if (isFilePart(value)) {
        const type = value.contentType ?? (value.data instanceof Blob ? value.data.type : '');
        const blob = new Blob([value.data as BlobPart], { type: type || 'application/octet-stream' });
        form.append(name, blob, value.filename);
      } else if (value instanceof Blob) {
        form.append(name, value, (value as { name?: string }).name ?? 'blob');
      } else {
        form.append(name, String(value));
      }
    }
  }
  return form;
}
