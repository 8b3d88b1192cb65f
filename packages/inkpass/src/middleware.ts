/**
 * The framework-neutral part of the Hono and Express integrations: token extraction and the decisions,
 * as plain outcomes each adapter turns into a response.
 *
 * @module
 */
import type { InkPassClient, PermissionContext, PermissionPair } from './client.ts';
import { InkPassError, ValidationError } from './errors.ts';
import type { UserResponse } from './models.ts';

/** Options of the middleware factories. */
export interface InkPassMiddlewareOptions {
  /** The header holding the token (default `Authorization`). */
  tokenHeader?: string;
  /** The prefix stripped from it (default `Bearer `, case-insensitive); a value without it is refused. */
  tokenPrefix?: string;
}

/** What a guard decided: go on, or answer with this status and `{ detail }` body. */
export type Outcome =
  | { ok: true; user?: UserResponse; token?: string }
  | { ok: false; status: 401 | 403 | 503; detail: string; headers?: Record<string, string> };

const unauthenticated: Outcome = {
  ok: false,
  status: 401,
  detail: 'Authentication required',
  headers: { 'WWW-Authenticate': 'Bearer' },
};

/** Reads the token from a header value, or `undefined` when missing, empty or without the prefix. */
export function extractToken(value: string | null | undefined, prefix = 'Bearer '): string | undefined {
  if (!value) return undefined;
  if (prefix && value.slice(0, prefix.length).toLowerCase() !== prefix.toLowerCase()) return undefined;
  const token = value.slice(prefix.length).trim();
  return token || undefined;
}

/**
 * Validates the token into a user: no token → 401, an invalid one → 401, inkPass failing → 503 (never a
 * pass).
 */
export async function authenticate(client: InkPassClient, token: string | undefined): Promise<Outcome> {
  if (!token) return unauthenticated;
  try {
    const user = await client.validateToken(token);
    if (!user) return { ...unauthenticated, detail: 'Invalid authentication credentials' } as Outcome;
    return { ok: true, user };
  } catch (error) {
    // A malformed token (refused before sending) or a 4xx answer is the caller's fault: 401, not 503.
    const status = InkPassError.isInstance(error) ? error.statusCode : undefined;
    if (ValidationError.isInstance(error) || (status !== undefined && status < 500 && status !== 429)) {
      return { ...unauthenticated, detail: 'Invalid authentication credentials' } as Outcome;
    }
    return { ok: false, status: 503, detail: 'Authentication service unavailable' };
  }
}

/** One permission (with an optional ABAC context): no token → 401, denied or inkPass failing → 403. */
export async function authorize(
  client: InkPassClient,
  token: string | undefined,
  resource: string,
  action: string,
  context?: PermissionContext,
): Promise<Outcome> {
  if (!token) return unauthenticated;
  return (await client.checkPermission(token, resource, action, context))
    ? { ok: true }
    : { ok: false, status: 403, detail: `Permission denied: ${resource}:${action}` };
}

/** Any of the pairs (stops at the first allowed). */
export async function authorizeAny(
  client: InkPassClient,
  token: string | undefined,
  pairs: readonly PermissionPair[],
): Promise<Outcome> {
  if (!token) return unauthenticated;
  if (await client.hasAnyPermission(token, pairs)) return { ok: true };
  return {
    ok: false,
    status: 403,
    detail: `Permission denied: requires one of [${pairs.map(([r, a]) => `${r}:${a}`).join(', ')}]`,
  };
}

/** All of the pairs (every one is checked, the misses are listed). */
export async function authorizeAll(
  client: InkPassClient,
  token: string | undefined,
  pairs: readonly PermissionPair[],
): Promise<Outcome> {
  if (!token) return unauthenticated;
  const results = await client.checkPermissions(token, pairs);
  const missing = Object.entries(results)
    .filter(([, allowed]) => !allowed)
    .map(([pair]) => pair);
  return missing.length || !pairs.length
    ? { ok: false, status: 403, detail: `Permission denied: missing [${missing.join(', ')}]` }
    : { ok: true };
}

/** The middleware every framework integration offers; `Handler` is the framework's middleware type. */
export interface InkPassGuards<Handler, Request> {
  /** Validates the token: 401 without one or with an invalid one, 503 if inkPass fails; stores the user. */
  authenticate(): Handler;
  /**
   * Requires one permission: 401 without a token, 403 `Permission denied: resource:action` when denied or
   * when inkPass fails. `contextFromRequest` builds the ABAC context from the request.
   */
  requirePermission(
    resource: string,
    action: string,
    contextFromRequest?: (request: Request) => PermissionContext | Promise<PermissionContext>,
  ): Handler;
  /** Requires any one of the pairs. */
  requireAny(pairs: readonly PermissionPair[]): Handler;
  /** Requires all of the pairs (the 403 lists the missing ones). */
  requireAll(pairs: readonly PermissionPair[]): Handler;
}

/** What a framework integration supplies to {@link buildGuards}. */
export interface GuardAdapter<Handler, Request> {
  /** A request header's value. */
  header(request: Request, name: string): string | undefined;
  /**
   * Wraps a decision as the framework's middleware: `decide` gets the request and the token `authenticate`
   * stored earlier; a refusal is answered `{ detail }`, a pass with a `user` stores user and token.
   */
  handler(decide: (request: Request, storedToken: string | undefined) => Promise<Outcome>): Handler;
}

/** Builds the guards of a framework from its adapter: one implementation for Hono and Express. */
export function buildGuards<Handler, Request>(
  client: InkPassClient,
  options: InkPassMiddlewareOptions,
  adapter: GuardAdapter<Handler, Request>,
): InkPassGuards<Handler, Request> {
  const name = options.tokenHeader ?? 'authorization';
  const fromHeader = (request: Request) => extractToken(adapter.header(request, name), options.tokenPrefix);
  return {
    authenticate: () =>
      adapter.handler(async (request) => {
        const token = fromHeader(request);
        const outcome = await authenticate(client, token);
        return outcome.ok ? { ...outcome, ...(token ? { token } : {}) } : outcome;
      }),
    requirePermission: (resource, action, contextFromRequest) =>
      adapter.handler(async (request, stored) => {
        const token = stored ?? fromHeader(request);
        const context = token && contextFromRequest ? await contextFromRequest(request) : undefined;
        return authorize(client, token, resource, action, context);
      }),
    requireAny: (pairs) =>
      adapter.handler(async (request, stored) => authorizeAny(client, stored ?? fromHeader(request), pairs)),
    requireAll: (pairs) =>
      adapter.handler(async (request, stored) => authorizeAll(client, stored ?? fromHeader(request), pairs)),
  };
}
