/**
 * The response shapes of the gateway routes: the union of the Python handlers' and the browser
 * SDK's shapes, shared by the server building blocks and the browser client.
 *
 * @module
 */

/** `db/…/exec`: the handler's `success` and the SDK's `ok`. */
export interface ExecResult {
  /** Always true. */
  ok: boolean;
  /** Always true. */
  success: boolean;
}

/** `db/…/query`. */
export interface QueryResult {
  /** Column names. */
  columns: string[];
  /** Rows, each an array of JSON-safe values. */
  rows: unknown[][];
  /** Number of rows returned. */
  rowcount: number;
}

/** `db/…/find`. */
export interface FindResult {
  /** The documents (`_id` as a string). */
  data: Record<string, unknown>[];
  /** How many. */
  count: number;
}

/** What `MongoHandler.upsert` returns. */
export interface UpsertOutcome {
  /** Documents matched. */
  matched: number;
  /** Documents modified. */
  modified: number;
  /** Whether a document was inserted. */
  upserted: boolean;
}

/** `db/…/upsert`. */
export interface UpsertResult extends UpsertOutcome {
  /** Always true. */
  ok: boolean;
}

/** What `MongoHandler.delete` returns. */
export interface DeleteOutcome {
  /** Documents deleted. */
  deleted: number;
}

/** `db/…/delete`. */
export interface DeleteResult extends DeleteOutcome {
  /** Always true. */
  ok: boolean;
}

/** What `FilesHandler.write` returns. */
export interface FileWritten {
  /** The path as given. */
  path: string;
  /** Bytes written (UTF-8). */
  bytes: number;
}

/** `files/…/write`. */
export interface FileWriteResult extends FileWritten {
  /** Always true. */
  ok: boolean;
}

/** `files/…/read`. */
export interface FileReadResult {
  /** The path as given. */
  path: string;
  /** The file's text. */
  content: string;
}

/** One entry of a listing. */
export interface FileEntry {
  /** The entry's name. */
  name: string;
  /** Whether it is a folder. */
  is_dir: boolean;
  /** Its size (null for folders and links). */
  bytes: number | null;
}

/** `files/…/list`. */
export interface FileListResult {
  /** Entries sorted by name. */
  entries: FileEntry[];
}

/** What `FilesHandler.delete` returns. */
export interface FileDeleted {
  /** Whether something was deleted. */
  deleted: boolean;
}

/** `files/…/delete`. */
export interface FileDeleteResult extends FileDeleted {
  /** Always true. */
  ok: boolean;
}

/** `state/{ns}/set`. */
export interface StateSetResult {
  /** Always true. */
  ok: true;
  /** The new version. */
  version: number;
}

/** `state/{ns}/delete`. */
export interface StateDeleteResult {
  /** Always true. */
  ok: true;
  /** 1 when the resource existed, else 0. */
  deleted: number;
}

/** A list answer: `state/{ns}/list`, `state/{ns}/events`. */
export interface ListResult<T> {
  /** The items. */
  data: T[];
  /** How many. */
  count: number;
}

/** `internal`. */
export interface InternalResponse {
  /** The platform's status (any, as data). */
  status: number;
  /** Parsed JSON when the content type is JSON, else text. */
  body: unknown;
}

/** `run` (only when the host passes a runner). */
export interface RunResult {
  /** Standard output. */
  stdout: string;
  /** Standard error. */
  stderr: string;
  /** Exit code, `null` when killed. */
  exit_code: number | null;
  /** Whether it timed out. */
  timed_out: boolean;
}
