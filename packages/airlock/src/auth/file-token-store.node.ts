/**
 * A {@link TokenStore} in a file, for CLIs and agents (Node only).
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, open, readFile, rename, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import * as v from 'valibot';
import { AirlockAuthError } from './errors.ts';
import { type TokenState, TokenStateSchema } from './models.ts';
import type { LockedTokenStore, TokenStore } from './token-store.ts';

/** Options of {@link FileTokenStore}. */
export interface FileTokenStoreOptions {
  /** The file's permission bits (default `0o600`: only the owner may read the tokens). */
  mode?: number;
  /**
   * How long a save, a clear or a refresh waits for another process's lock on the file, in ms (default
   * 15 000, longer than `lockStaleMs` so a lock left by a crashed process is taken over within one wait).
   * Past it they throw `token_store_locked`, retryable; a refresh keeps the session.
   */
  lockTimeoutMs?: number;
  /**
   * How old a lock must be to count as left behind by a crashed process and be taken over, in ms (default
   * 10 000, at least 2 000). A live holder touches its lock every half of this, however long it holds it.
   */
  lockStaleMs?: number;
}

function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}

/**
 * Keeps the session in a JSON file. Every save writes a temporary file next to it with mode 0600, flushes
 * it to disk and renames it over the old one, so a crash leaves either the old session or the new one,
 * never half a file, and no other user can read it at any moment. A missing or unreadable file loads as
 * "no session".
 *
 * Several processes can share the file (two enforcers, a CLI next to a daemon). Saves, clears and
 * {@link withLock} take an advisory lock, the directory `<path>.lock` (proper-lockfile): the auth client
 * refreshes inside it, reading the file again first, so a process whose copy is stale adopts the session
 * another one renewed instead of spending an already rotated refresh token (which a rotating provider
 * answers by revoking the whole session). Calls from one process run one after another, in call order.
 *
 * @example
 * ```ts
 * import { FileTokenStore } from '@x/airlock/node';
 * const store = new FileTokenStore(join(homedir(), '.airlock', 'tokens.json'));
 * const auth = new AirlockAuthClient({ baseUrl, store });
 * ```
 */
export class FileTokenStore implements TokenStore {
  /** The file's path. */
  readonly path: string;
  readonly #mode: number;
  readonly #lockTimeoutMs: number;
  readonly #lockStaleMs: number;
  // Locked work runs one call after another, so the last save() called is the one left on disk.
  #queue: Promise<unknown> = Promise.resolve();

  /** Creates the store; nothing is read or written until a method is called. */
  constructor(path: string, options: FileTokenStoreOptions = {}) {
    this.path = path;
    this.#mode = options.mode ?? 0o600;
    this.#lockTimeoutMs = Math.max(0, options.lockTimeoutMs ?? 15_000);
    this.#lockStaleMs = Math.max(2_000, options.lockStaleMs ?? 10_000);
  }

  /** The saved session, or `undefined` when the file is missing or does not hold one. */
  async load(): Promise<TokenState | undefined> {
    await this.#queue;
    return this.#read();
  }

  /**
   * Replaces the file atomically (temporary file with the store's mode, fsync, rename) under the lock.
   *
   * @throws {AirlockAuthError} `token_store_locked` when the lock cannot be had within `lockTimeoutMs`.
   */
  save(state: TokenState): Promise<void> {
    return this.withLock(async (store) => store.save(state));
  }

  /**
   * Deletes the file (a missing file is fine) under the lock.
   *
   * @throws {AirlockAuthError} `token_store_locked` when the lock cannot be had within `lockTimeoutMs`.
   */
  clear(): Promise<void> {
    return this.withLock(async (store) => store.clear());
  }

  /**
   * Runs `fn` while holding the file's lock, after this process's earlier calls. `fn` gets the store to
   * use meanwhile: its `load`, `save` and `clear` do not wait for the lock again, and refuse once `fn` has
   * settled. The auth client refreshes inside it.
   *
   * @example
   * ```ts
   * await store.withLock(async (locked) => {
   *   const session = await locked.load();
   *   if (session) await locked.save({ ...session, scope: 'openid' });
   * });
   * ```
   * @throws {AirlockAuthError} `token_store_locked` (retryable) when another process holds the lock past
   *   `lockTimeoutMs`, or the lock cannot be made; `fn` has not run then.
   */
  withLock<T>(fn: (store: LockedTokenStore) => Promise<T>): Promise<T> {
    const run = this.#queue.then(async () => {
      const release = await this.#lock();
      let open = true;
      const guard = <R>(task: () => Promise<R>) => {
        if (!open) return Promise.reject(new Error('The token file lock was already released.'));
        return task();
      };
      try {
        return await fn({
          load: () => guard(() => this.#read()),
          save: (state) => guard(() => this.#write(`${JSON.stringify(state, null, 2)}\n`)),
          clear: () => guard(() => this.#unlink()),
        });
      } finally {
        open = false;
        // The work is done; a lock that cannot be removed goes stale and is taken over.
        await release().catch(() => {});
      }
    });
    this.#queue = run.catch(() => {});
    return run;
  }

  async #lock(): Promise<() => Promise<void>> {
    await mkdir(dirname(this.path), { recursive: true, mode: 0o700 });
    const timeout = this.#lockTimeoutMs;
    // Loaded on the first lock: with graceful-fs it costs more than the rest of `@x/airlock/node` to import.
    const { default: lockfile } = await import('proper-lockfile');
    try {
      return await lockfile.lock(this.path, {
        realpath: false, // the file may not exist yet
        stale: this.#lockStaleMs,
        // Short randomised waits until the deadline; a lock older than `stale` is taken over on the way.
        retries: {
          retries: Math.ceil(timeout / 20),
          minTimeout: 20,
          maxTimeout: 250,
          factor: 1.5,
          randomize: true,
          maxRetryTime: timeout,
        },
        // A lock lost meanwhile (this process stalled past `stale`) must not crash the process.
        onCompromised: () => {},
      });
    } catch (error) {
      const held = (error as NodeJS.ErrnoException | undefined)?.code === 'ELOCKED';
      throw new AirlockAuthError(
        held
          ? `Another process held the lock of the token file ${this.path} for over ${timeout} ms; try again.`
          : `The lock of the token file ${this.path} could not be made (${String(error)}); try again.`,
        { code: 'token_store_locked', retryable: true, cause: error },
      );
    }
  }

  async #read(): Promise<TokenState | undefined> {
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

  async #unlink(): Promise<void> {
    try {
      await unlink(this.path);
    } catch (error) {
      if (!isMissing(error)) throw error;
    }
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
