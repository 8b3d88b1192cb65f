/**
 * Where the auth client keeps its session between runs.
 *
 * @module
 */
import type { TokenState } from './models.ts';

/**
 * Persists the session of an {@link AirlockAuthClient}. The client loads it once, saves after every login
 * or refresh and clears it on logout or when the provider refuses the refresh token.
 *
 * Implementations: {@link MemoryTokenStore} (anywhere), `FileTokenStore` from `@x/airlock/node` (a file
 * written atomically with mode 0600), or your own (a keychain, `localStorage`, a database row).
 */
export interface TokenStore {
  /** The saved session, or `undefined` when there is none. */
  load(): Promise<TokenState | undefined> | TokenState | undefined;
  /** Replaces the saved session. */
  save(state: TokenState): Promise<void> | void;
  /** Forgets the saved session. */
  clear(): Promise<void> | void;
}

/**
 * A {@link TokenStore} in memory: the session lives as long as the process (or the page). It keeps copies,
 * so a caller changing a returned object does not change the store.
 *
 * @example
 * ```ts
 * const store = new MemoryTokenStore();
 * const auth = new AirlockAuthClient({ keycloakRealmUrl, store });
 * ```
 */
export class MemoryTokenStore implements TokenStore {
  #state: TokenState | undefined;

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
}
