/**
 * Auth strategies: small objects that put credentials on each request and, for refreshable ones, react to
 * a 401. Combine several with {@link combineAuth}; swap them at runtime with `client.setAuth()`.
 *
 * @module
 */

import { untilAborted } from './retry.ts';

/** What a strategy sees of the request it authenticates. */
export interface AuthRequest {
  /** The request's headers; set credentials here. */
  headers: Headers;
  /** The HTTP method. */
  method: string;
  /** The full URL. */
  url: string;
  /** The call's signal: pass it to any token fetch so an abort stops it too. */
  signal: AbortSignal;
}

/** Puts credentials on requests. */
export interface AuthStrategy {
  /** Sets this strategy's headers on an outgoing request (every attempt, so refreshed tokens are used). */
  apply(request: AuthRequest): void | Promise<void>;
  /**
   * Called when a request answered 401. Resolve `true` to replay it once with fresh credentials (the
   * replay does not count as a retry). `request.headers` are the headers that were sent.
   */
  onUnauthorized?(request: AuthRequest): boolean | Promise<boolean>;
}

/** No credentials. */
export function noAuth(): AuthStrategy {
  return { apply() {} };
}

/** `Authorization: Bearer <token>` with a fixed token. */
export function bearer(token: string): AuthStrategy {
  return {
    apply({ headers }) {
      headers.set('authorization', `Bearer ${token}`);
    },
  };
}

/**
 * `Authorization: Bearer <token>` with the token from `getToken` on every attempt (e.g. an auth client
 * that caches and refreshes on its own). A `null`/`undefined` token sends no header.
 */
export function bearerFrom(
  getToken: (signal: AbortSignal) => string | null | undefined | Promise<string | null | undefined>,
): AuthStrategy {
  return {
    async apply({ headers, signal }) {
      const token = await getToken(signal);
      if (token) headers.set('authorization', `Bearer ${token}`);
    },
  };
}

/**
 * An API key in a header (default `X-API-Key`).
 *
 * @example
 * ```ts
 * apiKey(pat, { header: 'X-PAT' });
 * ```
 */
export function apiKey(key: string, options: { header?: string } = {}): AuthStrategy {
  const header = options.header ?? 'x-api-key';
  return {
    apply({ headers }) {
      headers.set(header, key);
    },
  };
}

/** Client id and secret headers (default `X-Client-Id` and `X-Client-Secret`). */
export function clientCredentials(
  clientId: string,
  clientSecret: string,
  options: { idHeader?: string; secretHeader?: string } = {},
): AuthStrategy {
  return {
    apply({ headers }) {
      headers.set(options.idHeader ?? 'x-client-id', clientId);
      headers.set(options.secretHeader ?? 'x-client-secret', clientSecret);
    },
  };
}

/** Options of {@link refreshingBearer}. */
export interface RefreshingBearerOptions {
  /** The token to start with; without it the first request refreshes first. */
  token?: string;
  /**
   * Fetches a new token. Called at most once at a time, however many requests are waiting; it is shared,
   * so no single caller's signal is passed in (each caller's signal still stops its own wait).
   */
  refresh: () => Promise<string>;
  /** Called with each new token (e.g. to persist it). */
  onToken?: (token: string) => void;
}

/** A bearer strategy that refreshes its token on a 401, with the current token exposed. */
export interface RefreshingBearer extends AuthStrategy {
  /** The current token, if any. */
  readonly token: string | undefined;
  /** Refreshes now (joins a refresh already under way). */
  refresh(): Promise<string>;
}

/**
 * `Authorization: Bearer <token>` that refreshes on a 401 with single-flight: however many requests fail
 * at once, one `refresh` runs and every one of them is replayed once with the new token. A request that
 * was sent with an already-replaced token is replayed without another refresh.
 */
export function refreshingBearer(options: RefreshingBearerOptions): RefreshingBearer {
  let current = options.token;
  let inflight: Promise<string> | undefined;
  const refresh = (): Promise<string> => {
    inflight ??= options
      .refresh()
      .then((token) => {
        current = token;
        options.onToken?.(token);
        return token;
      })
      .finally(() => {
        inflight = undefined;
      });
    return inflight;
  };
  return {
    get token() {
      return current;
    },
    refresh,
    async apply({ headers, signal }) {
      const token = await untilAborted(inflight ?? (current === undefined ? refresh() : current), signal);
      headers.set('authorization', `Bearer ${token}`);
    },
    async onUnauthorized({ headers, signal }) {
      const sent = headers.get('authorization');
      // Only a request sent with the current token triggers a refresh; later ones just replay.
      if (inflight) await untilAborted(inflight, signal);
      else if (current === undefined || sent === `Bearer ${current}`) await untilAborted(refresh(), signal);
      return true;
    },
  };
}

/**
 * Applies several strategies to every request (e.g. PAT + bearer + client id). On a 401 every strategy
 * that can refresh is asked; the request is replayed when any of them says so.
 */
export function combineAuth(...strategies: AuthStrategy[]): AuthStrategy {
  return {
    async apply(request) {
      for (const s of strategies) await s.apply(request);
    },
    async onUnauthorized(request) {
      const answers = await Promise.all(strategies.map((s) => s.onUnauthorized?.(request) ?? false));
      return answers.includes(true);
    },
  };
}
