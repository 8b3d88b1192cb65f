/**
 * A {@link TokenStore} in a file, for CLIs and agents (Node only).
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, open, readFile, rename, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import * as v from 'valibot';
import { type TokenState, TokenStateSchema } from './models.ts';
import type { TokenStore } from './token-store.ts';

/** Options of {@link FileTokenStore}. */
export interface FileTokenStoreOptions {
  /** The file's permission bits (default `0o600`: only the owner may read the tokens). */
  mode?: number;
}

function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}

/**
 * Keeps the session in a JSON file. Every save writes a temporary file next to it with mode 0600, flushes
 * it to disk and renames it over the old one, so a crash leaves either the old session or the new one,
 * never half a file, and no other user can read it at any moment. Saves from one process are serialised.
 * A missing or unreadable file loads as "no session".
 *
 * @example
 * ```ts
 * import { FileTokenStore } from '@x/airlock/node';
 * const store = new FileTokenStore(join(homedir(), '.airlock', 'tokens.json'));
 * const auth = new AirlockAuthClient({ keycloakRealmUrl, store });
 * ```
 */
export class FileTokenStore implements TokenStore {
  /** The file's path. */
  readonly path: string;
  readonly #mode: number;
  // Writes run one after another so the last save() called is the one left on disk.
  #queue: Promise<void> = Promise.resolve();

  /** Creates the store; nothing is read or written until a method is called. */
  constructor(path: string, options: FileTokenStoreOptions = {}) {
    this.path = path;
    this.#mode = options.mode ?? 0o600;
  }

  /** The saved session, or `undefined` when the file is missing or does not hold one. */
  async load(): Promise<TokenState | undefined> {
    await this.#queue;
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
    try {
      const parsed = v.safeParse(TokenStateSchema, JSON.parse(text));
      return parsed.success ? parsed.output : undefined;
    } catch {
      return undefined;
    }
  }

  /** Replaces the file atomically (temporary file with the store's mode, fsync, rename). */
  save(state: TokenState): Promise<void> {
    return this.#enqueue(() => this.#write(`${JSON.stringify(state, null, 2)}\n`));
  }

  /** Deletes the file (a missing file is fine). */
  clear(): Promise<void> {
    return this.#enqueue(async () => {
      try {
        await unlink(this.path);
      } catch (error) {
        if (!isMissing(error)) throw error;
      }
    });
  }

  #enqueue(task: () => Promise<void>): Promise<void> {
    const run = this.#queue.then(task);
    this.#queue = run.catch(() => {});
    return run;
  }

  async #write(text: string): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true, mode: 0o700 });
    const temp = `${this.path}.${randomBytes(6).toString('hex')}.tmp`;
    // 'wx' refuses to follow a planted file or link at the temporary name.
    const handle = await open(temp, 'wx', this.#mode);
    try {
      try {
        await handle.writeFile(text, 'utf8');
        // The umask can only remove bits; chmod makes the mode exact (e.g. a deliberate 0o640).
        await handle.chmod(this.#mode);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(temp, this.path);
    } catch (error) {
      await unlink(temp).catch(() => {});
      throw error;
    }
    // rename keeps the temp file's mode; on filesystems that ignore it (Windows) this is a no-op.
    await chmod(this.path, this.#mode).catch(() => {});
    // Flush the directory entry too, so the rename itself survives a power cut (best effort: not on Windows).
    const dir = await open(dirname(this.path), 'r').catch(() => undefined);
    await dir?.sync().catch(() => {});
    await dir?.close();
  }
}
