/**
 * Where the auth client keeps its session between runs.
 *
 * @module
 */
import type { TokenState } from './models.ts';

/**
 * Persists the session of an {@link AirlockAuthClient}. The client loads it on first use, reads it again
 * before every refresh (another process or client may have renewed the session meanwhile), saves after
 * every login or refresh and clears it on logout, or when the provider refuses the refresh token the store
 * still holds.
 *
 * Implementations: {@link MemoryTokenStore} (anywhere), `FileTokenStore` from `@x/airlock/node` (a file
 * written atomically with mode 0600, shared safely by several processes), or your own (a keychain,
 * `localStorage`, a database row). A store that several processes share should implement
 * {@link TokenStore.withLock | withLock}, so they refresh one at a time instead of spending the same
 * refresh token.
 */
export interface TokenStore {
  /** The saved session, or `undefined` when there is none. */
  load(): Promise<TokenState | undefined> | TokenState | undefined;
  /** Replaces the saved session. */
  save(state: TokenState): Promise<void> | void;
  /** Forgets the saved session. */
  clear(): Promise<void> | void;
  /**
   * Optional: runs `fn` while holding a lock that every other user of the same store respects (for
   * `FileTokenStore`, other processes on the same file). The client refreshes inside it: it reads the
   * store again, calls the token endpoint and saves the answer, all through the `store` handed to `fn`,
   * which works without taking the lock again.
   *
   * Leave it out for a store only one client uses (a browser tab's `sessionStorage`, a process's memory).
   *
   * @throws when the lock cannot be had in time; in a refresh the client turns that into the retryable
   *   `refresh_unavailable` and keeps the session.
   */
  withLock?<T>(fn: (store: LockedTokenStore) => Promise<T>): Promise<T>;
}

/** The store as {@link TokenStore.withLock} hands it to its callback: usable while the lock is held. */
export type LockedTokenStore = Omit<TokenStore, 'withLock'>;

/**
 * A {@link TokenStore} in memory: the session lives as long as the process (or the page). It keeps copies,
 * so a caller changing a returned object does not change the store, and clients sharing one refresh in turn.
 *
 * @example
 * ```ts
 * const store = new MemoryTokenStore();
 * const auth = new AirlockAuthClient({ baseUrl, store });
 * ```
 */
export class MemoryTokenStore implements TokenStore {
  #state: TokenState | undefined;
  #turn: Promise<unknown> = Promise.resolve();

  /** Creates the store, optionally with a session already in it. */
  constructor(initial?: TokenState) {
    this.#state = initial === undefined ? undefined : { ...initial };
  }

  /** The saved session (a copy), or `undefined`. */
  load(): TokenState | undefined {
    return this.#state === undefined ? undefined : { ...this.#state };
  }

  /** Replaces the saved session with a copy of `state`. */
  save(state: TokenState): void {
    this.#state = { ...state };
  }

  /** Forgets the saved session. */
  clear(): void {
    this.#state = undefined;
  }

  /** Runs `fn` once every earlier `withLock` call has finished: clients sharing the store refresh in turn. */
  withLock<T>(fn: (store: LockedTokenStore) => Promise<T>): Promise<T> {
    const run = this.#turn.then(() => fn(this));
    this.#turn = run.catch(() => {});
    return run;
  }
}
