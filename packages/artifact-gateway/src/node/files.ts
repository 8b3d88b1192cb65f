/**
 * Per-user and per-session files, confined: relative paths only, no `..`, no NUL or control
 * characters, no backslashes, no symlink leading out (every existing ancestor is resolved and must stay
 * inside the root; the last component is opened with `O_NOFOLLOW`), the root itself cannot be deleted,
 * and writes and reads are size-capped.
 *
 * @module
 */

import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { lstat, mkdir, open, readdir, realpath, rename, rm } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { ArtifactGatewayError, invalidRequest } from '../errors.ts';
import { checkId, hasControlCharacter } from '../names.ts';
import type { FileDeleted, FileEntry, FileListResult, FileReadResult, FileWritten } from '../results.ts';
import type { StorageScope } from '../scopes.ts';

/** Options of {@link FilesHandler}. */
export interface FilesHandlerOptions {
  /** The workspace root (upstream `LAB_WORKSPACE_ROOT`). */
  root: string;
  /** Largest file written or read, in bytes (default 8 MiB). */
  maxFileBytes?: number;
  /** Most entries `list` returns (default 1000). */
  maxListEntries?: number;
}

/** Where a file operation happens: user or session files of one user. */
export interface FilesTarget {
  /** `user` (`{root}/{user}/files/`) or `session` (`{root}/{user}/sessions/{session}/`). */
  scope: StorageScope;
  /** The user's id. */
  userId: string;
  /** The session id (required for `session`). */
  sessionId?: string;
}

function escapeError(): ArtifactGatewayError {
  return new ArtifactGatewayError('Path escapes the workspace boundary', { code: 'path_escape' });
}

/** Name prefix of the temporary file a write goes to before it is renamed into place. */
const TEMPORARY_PREFIX = '.artifact-gateway-upload-';

/** Turns a failed write into the gateway's error: a folder in the way, or no room left for the file. */
function writeFailure(error: unknown): unknown {
  const code = (error as NodeJS.ErrnoException)?.code;
  if (code === 'EISDIR' || code === 'ENOTEMPTY') return invalidRequest('path is a folder');
  if (code === 'ENOSPC' || code === 'EDQUOT' || code === 'EFBIG')
    return new ArtifactGatewayError('There is not enough storage for the file', {
      code: 'payload_too_large',
      status: 507,
      cause: error,
    });
  return error;
}

function notFound(path: string): ArtifactGatewayError {
  return new ArtifactGatewayError(`No file at ${JSON.stringify(path)}`, { code: 'not_found' });
}

/**
 * Splits a relative path into checked segments (`.` and empty segments dropped).
 *
 * @throws {ArtifactGatewayError} `invalid_request` for a non-string or too long path, `path_escape` for
 *   absolute paths, `..`, backslashes, NUL and control characters.
 */
export function relativeSegments(path: unknown): string[] {
  if (typeof path !== 'string') throw invalidRequest('path must be a string');
  if (path.length > 1024) throw invalidRequest('path is longer than 1024 characters');
  if (path.startsWith('/') || /^[A-Za-z]:/.test(path)) throw escapeError();
  if (path.includes('\\') || hasControlCharacter(path)) throw escapeError();
  const segments = path.split('/').filter((s) => s !== '' && s !== '.');
  if (segments.some((s) => s === '..')) throw escapeError();
  if (segments.some((s) => new TextEncoder().encode(s).length > 255))
    throw invalidRequest('a path segment is too long');
  return segments;
}

function isInside(root: string, candidate: string): boolean {
  return candidate === root || candidate.startsWith(root + sep);
}

async function exists(path: string): Promise<boolean> {
  return lstat(path).then(
    () => true,
    () => false,
  );
}

/**
 * Reads and writes UTF-8 text files in a user's or session's folder.
 *
 * @example
 * ```ts
 * const files = new FilesHandler({ root: '/var/workspaces' });
 * await files.write({ scope: 'user', userId }, 'exports/report.csv', 'a,b\n1,2\n');
 * ```
 */
export class FilesHandler {
  readonly #root: string;
  readonly #maxFileBytes: number;
  readonly #maxListEntries: number;

  /** Creates a handler; see {@link FilesHandlerOptions}. */
  constructor(options: FilesHandlerOptions) {
    if (typeof options?.root !== 'string' || options.root === '')
      throw invalidRequest('FilesHandler needs a root');
    this.#root = options.root;
    this.#maxFileBytes = options.maxFileBytes ?? 8 * 1024 * 1024;
    this.#maxListEntries = options.maxListEntries ?? 1000;
  }

  /** The folder of `target` (created when missing), fully resolved. */
  async rootOf(target: FilesTarget): Promise<string> {
    const user = checkId(target.userId, 'user id');
    let dir: string;
    if (target.scope === 'session') {
      if (target.sessionId === undefined)
        throw invalidRequest(
          'session_id is required for session-scoped files (the token has no lab_session context)',
        );
      dir = join(this.#root, user, 'sessions', checkId(target.sessionId, 'session id'));
    } else {
      dir = join(this.#root, user, 'files');
    }
    await mkdir(dir, { recursive: true });
    return realpath(dir);
  }

  /** Resolves `path` inside the target's folder, checking every existing ancestor for escapes. */
  async #resolve(
    target: FilesTarget,
    path: unknown,
  ): Promise<{ root: string; full: string; segments: string[] }> {
    const segments = relativeSegments(path);
    // The session folder also holds the session's DuckDB files (`db/`): not reachable as plain files.
    if (target.scope === 'session' && segments[0] === 'db')
      throw invalidRequest('the db/ folder of a session holds its databases; use the db routes');
    const root = await this.rootOf(target);
    let current = root;
    for (const segment of segments.slice(0, -1)) {
      current = join(current, segment);
      if (!(await exists(current))) break;
      const real = await realpath(current);
      if (!isInside(root, real)) throw escapeError();
      current = real;
    }
    return { root, full: join(root, ...segments), segments };
  }

  /**
   * Writes `content` (UTF-8) to `path`, creating folders.
   *
   * @throws {ArtifactGatewayError} `payload_too_large`, `path_escape`, `invalid_request`.
   */
  async write(target: FilesTarget, path: string, content: string): Promise<FileWritten> {
    if (typeof content !== 'string') throw invalidRequest('content must be a string');
    const data = new TextEncoder().encode(content);
    if (data.byteLength > this.#maxFileBytes)
      throw new ArtifactGatewayError(
        `File exceeds max size (${data.byteLength} > ${this.#maxFileBytes} bytes)`,
        { code: 'payload_too_large' },
      );
    const { root, segments } = await this.#resolve(target, path);
    if (segments.length === 0) throw invalidRequest('path must name a file');
    if (segments.some((s) => s.startsWith(TEMPORARY_PREFIX)))
      throw invalidRequest(`names starting with ${TEMPORARY_PREFIX} are reserved for writes in progress`);
    let parent = root;
    for (const segment of segments.slice(0, -1)) {
      parent = join(parent, segment);
      await mkdir(parent).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'EEXIST') throw error;
      });
      const real = await realpath(parent);
      if (!isInside(root, real)) throw escapeError();
      parent = real;
    }
    const final = join(parent, segments[segments.length - 1]!);
    // A link as the last component is refused, as before with O_NOFOLLOW (rename would replace the link
    // itself, never follow it, so a link swapped in after this check still cannot lead out).
    if ((await lstat(final).catch(() => undefined))?.isSymbolicLink()) throw escapeError();
    // Written to a private temporary file in the same folder, then renamed over the name: the rename is
    // atomic, so a write cut off half-way (a full disk, a file size limit, a crash) never leaves a
    // half-written file under the name, and the old content stays until the new one is complete.
    const temporary = join(parent, `${TEMPORARY_PREFIX}${randomBytes(8).toString('hex')}`);
    try {
      const file = await open(
        temporary,
        constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW,
        0o600,
      );
      try {
        await file.writeFile(data);
      } finally {
        await file.close();
      }
      await rename(temporary, final);
    } catch (error) {
      await rm(temporary, { force: true }).catch(() => {});
      throw writeFailure(error);
    }
    return { path, bytes: data.byteLength };
  }

  /**
   * Reads the UTF-8 text file at `path`.
   *
   * @throws {ArtifactGatewayError} `not_found` (missing, a folder or a link), `payload_too_large`,
   *   `invalid_request` (not UTF-8 text), `path_escape`.
   */
  async read(target: FilesTarget, path: string): Promise<FileReadResult> {
    const { full, segments } = await this.#resolve(target, path);
    if (segments.length === 0) throw notFound(path);
    const file = await open(full, constants.O_RDONLY | constants.O_NOFOLLOW).catch(
      (error: NodeJS.ErrnoException) => {
        if (error.code === 'ELOOP') throw escapeError();
        throw notFound(path);
      },
    );
    try {
      const info = await file.stat();
      if (!info.isFile()) throw notFound(path);
      if (info.size > this.#maxFileBytes)
        throw new ArtifactGatewayError(`File exceeds max size (${info.size} > ${this.#maxFileBytes} bytes)`, {
          code: 'payload_too_large',
        });
      const bytes = await file.readFile();
      try {
        return { path, content: new TextDecoder('utf-8', { fatal: true }).decode(bytes) };
      } catch {
        throw invalidRequest('the file is not UTF-8 text');
      }
    } finally {
      await file.close();
    }
  }

  /**
   * Lists a folder, sorted by name; a missing folder lists as empty.
   *
   * @throws {ArtifactGatewayError} `invalid_request` (a file), `path_escape`.
   */
  async list(target: FilesTarget, path = ''): Promise<FileListResult> {
    const { full, segments } = await this.#resolve(target, path);
    const info = await lstat(full).catch(() => undefined);
    if (!info) return { entries: [] };
    if (info.isSymbolicLink()) throw escapeError();
    if (!info.isDirectory()) throw invalidRequest('path is a file, not a folder');
    const dirents = await readdir(full, { withFileTypes: true });
    const entries: FileEntry[] = [];
    for (const d of dirents.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      if (target.scope === 'session' && segments.length === 0 && d.name === 'db') continue;
      // A write in progress is not a file yet.
      if (d.name.startsWith(TEMPORARY_PREFIX)) continue;
      if (entries.length >= this.#maxListEntries) break;
      const bytes = d.isFile() ? (await lstat(join(full, d.name))).size : null;
      entries.push({ name: d.name, is_dir: d.isDirectory(), bytes });
    }
    return { entries };
  }

  /**
   * Deletes a file or a folder (recursively; links are removed, never followed). The root itself cannot be
   * deleted.
   *
   * @throws {ArtifactGatewayError} `invalid_request` (the root), `path_escape`.
   */
  async delete(target: FilesTarget, path: string): Promise<FileDeleted> {
    const { full, segments } = await this.#resolve(target, path);
    if (segments.length === 0)
      throw invalidRequest('Refusing to delete the whole folder; name a file or subfolder');
    if (!(await exists(full))) return { deleted: false };
    await rm(full, { recursive: true, force: true });
    return { deleted: true };
  }
}
