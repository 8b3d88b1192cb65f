/**
 * The internal proxy: forwards an artifact's call to the platform's own API with the user's
 * platform JWT, after a scope check and an allowlist check on a normalised path. Unlike upstream, the path
 * is percent-decoded and refused when it holds `.`/`..` segments (plain or encoded), backslashes, empty
 * segments, control characters or a query; prefixes match on segment boundaries only.
 *
 * @module
 */
import { ArtifactGatewayError, invalidRequest } from './errors.ts';
import { hasControlCharacter } from './names.ts';
import { decodeBody, encodeJsonBody, normaliseMethod, readCapped } from './proxy-common.ts';
import type { InternalResponse } from './results.ts';
import { SCOPES } from './scopes.ts';

/** One allowlist entry: a path prefix and the methods allowed under it. */
export type AllowlistEntry = readonly [pathPrefix: string, methods: readonly string[]];

/** Upstream's default allowlist. */
export const DEFAULT_ALLOWLIST: readonly AllowlistEntry[] = [
  ['/api/agent', ['GET', 'POST', 'PUT', 'DELETE']],
  ['/api/knowledge', ['GET']],
  ['/api/variable', ['GET']],
  ['/api/studio', ['GET']],
  ['/api/chat', ['GET', 'POST']],
];

/** Options of {@link InternalProxy}. */
export interface InternalProxyOptions {
  /** The platform API's base URL, e.g. `http://ohwise-backend:8000` (a trailing `/` is dropped). */
  baseUrl: string;
  /** The allowlist (default {@link DEFAULT_ALLOWLIST}). */
  allowlist?: readonly AllowlistEntry[];
  /** Time for the whole call in ms (default 30 000). */
  timeoutMs?: number;
  /** Largest response body in bytes (default 4 MiB). */
  maxResponseBytes?: number;
  /** The fetch to use (default the global one). */
  fetch?: typeof fetch;
}

/** What {@link InternalProxy.call} takes. */
export interface InternalCallOptions {
  /** The caller's token scopes. */
  scope: readonly string[];
  /** The user's platform JWT, sent as `Authorization: Bearer …` (never the app token). */
  userJwt: string;
  /** The API path, starting with `/api/`. */
  path: string;
  /** GET (default), POST, PUT, PATCH or DELETE. */
  method?: string;
  /** A JSON body; `null`/`undefined` for none. */
  body?: unknown;
  /** Query parameters. */
  query?: Record<string, string>;
  /** Cancels the call. */
  signal?: AbortSignal;
}

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Percent-decodes `path` once and checks it: it must start with `/api/`, and may not contain `.`/`..` or
 * empty segments, backslashes, `%` left after decoding (double encoding), `?`/`#`, or control characters.
 * Returns the decoded segments.
 *
 * @throws {ArtifactGatewayError} `invalid_request` saying what was wrong.
 */
export function normaliseInternalPath(path: unknown): string[] {
  if (typeof path !== 'string' || !path.startsWith('/api/'))
    throw invalidRequest('path must start with /api/');
  if (path.length > 2048) throw invalidRequest('path is too long');
  let decoded: string;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    throw invalidRequest('path has a malformed percent-encoding');
  }
  if (/[\\%?#]/.test(decoded) || hasControlCharacter(decoded))
    throw invalidRequest('path may not contain backslashes, %, ?, # or control characters');
  const segments = decoded.slice(1).split('/');
  if (segments[segments.length - 1] === '') segments.pop();
  if (segments.some((s) => s === '' || s === '.' || s === '..'))
    throw invalidRequest('path may not contain empty, "." or ".." segments');
  return segments;
}

/**
 * Forwards allowlisted calls to the platform API.
 *
 * @example
 * ```ts
 * const proxy = new InternalProxy({ baseUrl: 'http://localhost:8000' });
 * const result = await proxy.call({ scope: claims.scope, userJwt, path: '/api/agent', method: 'GET' });
 * ```
 */
export class InternalProxy {
  readonly #baseUrl: string;
  readonly #allowlist: readonly AllowlistEntry[];
  readonly #timeoutMs: number;
  readonly #maxResponseBytes: number;
  readonly #fetch: typeof fetch;

  /** Creates a proxy; see {@link InternalProxyOptions}. */
  constructor(options: InternalProxyOptions) {
    if (typeof options?.baseUrl !== 'string' || !/^https?:\/\//.test(options.baseUrl))
      throw invalidRequest('InternalProxy needs an http(s) baseUrl');
    this.#baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.#allowlist = options.allowlist ?? DEFAULT_ALLOWLIST;
    this.#timeoutMs = options.timeoutMs ?? 30_000;
    this.#maxResponseBytes = options.maxResponseBytes ?? 4 * 1024 * 1024;
    this.#fetch = options.fetch ?? ((input, init) => fetch(input, init));
  }

  /**
   * Checks scope and allowlist and returns the URL path to request.
   *
   * @throws {ArtifactGatewayError} `permission_denied` or `invalid_request`.
   */
  authorize(scope: readonly string[], method: string, path: unknown): string {
    const upper = normaliseMethod(method);
    if (MUTATING.has(upper)) {
      if (!scope.includes(SCOPES.internalWrite))
        throw new ArtifactGatewayError("Scope 'internal:write' is required for mutating internal API calls", {
          code: 'permission_denied',
        });
    } else if (!scope.includes(SCOPES.internalRead) && !scope.includes(SCOPES.internalWrite)) {
      throw new ArtifactGatewayError("Scope 'internal:read' is required for internal API calls", {
        code: 'permission_denied',
      });
    }
    const segments = normaliseInternalPath(path);
    const clean = `/${segments.join('/')}`;
    const entry = this.#allowlist.find(([prefix]) => clean === prefix || clean.startsWith(`${prefix}/`));
    if (!entry)
      throw new ArtifactGatewayError(`Path '${clean}' is not in the internal API allowlist`, {
        code: 'permission_denied',
      });
    if (!entry[1].some((m) => m.toUpperCase() === upper))
      throw new ArtifactGatewayError(`Method ${upper} is not allowed for internal path ${clean}`, {
        code: 'permission_denied',
      });
    return `/${segments.map(encodeURIComponent).join('/')}`;
  }

  /**
   * Sends the call with `Authorization: Bearer <userJwt>` and returns `{status, body}`.
   *
   * @throws {ArtifactGatewayError} `permission_denied`, `invalid_request`, `upstream_error`, `upstream_timeout`,
   *   `payload_too_large`.
   */
  async call(options: InternalCallOptions): Promise<InternalResponse> {
    const method = normaliseMethod(options.method ?? 'GET');
    const path = this.authorize(options.scope ?? [], method, options.path);
    if (typeof options.userJwt !== 'string' || options.userJwt === '')
      throw new ArtifactGatewayError('This app token carries no user JWT for internal calls', {
        code: 'permission_denied',
      });
    const url = new URL(this.#baseUrl + path);
    for (const [name, value] of Object.entries(options.query ?? {})) {
      if (typeof value !== 'string') throw invalidRequest(`query parameter ${name} must be a string`);
      url.searchParams.set(name, value);
    }
    const body = encodeJsonBody(options.body);
    if (body !== undefined && method === 'GET') throw invalidRequest('a GET request cannot carry a body');
    const headers: Record<string, string> = {
      authorization: `Bearer ${options.userJwt}`,
      accept: 'application/json',
    };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const timeout = AbortSignal.timeout(this.#timeoutMs);
    const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
    try {
      const response = await this.#fetch(url, { method, headers, body, redirect: 'manual', signal });
      const bytes = await readCapped(response.body, this.#maxResponseBytes);
      return { status: response.status, body: decodeBody(bytes, response.headers.get('content-type')) };
    } catch (error) {
      if (ArtifactGatewayError.isInstance(error)) throw error;
      if (timeout.aborted)
        throw new ArtifactGatewayError(`the internal API did not answer within ${this.#timeoutMs} ms`, {
          code: 'upstream_timeout',
        });
      throw new ArtifactGatewayError('Could not reach the internal API', {
        code: 'upstream_error',
        cause: error,
      });
    }
  }
}
