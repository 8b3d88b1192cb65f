/**
 * `@x/inkpass/hono`: Hono middleware that authenticates the bearer token into the context and guards
 * routes by permission. inkPass failing never lets a request through.
 *
 * @module
 */
import type { Context, MiddlewareHandler } from 'hono';
import type { InkPassClient, PermissionContext, PermissionPair } from './client.ts';
import {
  authenticate,
  authorize,
  authorizeAll,
  authorizeAny,
  extractToken,
  type InkPassMiddlewareOptions,
  type Outcome,
} from './middleware.ts';
import type { UserResponse } from './models.ts';

export type { InkPassMiddlewareOptions } from './middleware.ts';

/** The context variables the middleware sets. */
export interface InkPassVariables {
  /** The authenticated user (set by `authenticate`). */
  inkpassUser: UserResponse;
  /** The bearer token (set by `authenticate`). */
  inkpassToken: string;
}

/** The Hono environment of `authenticate`: use `new Hono<InkPassEnv>()` for typed `c.get('inkpassUser')`. */
export interface InkPassEnv {
  /** The variables set. */
  Variables: InkPassVariables;
}

/** The middleware of {@link createInkPassMiddleware}. */
export interface InkPassHonoMiddleware {
  /** Validates the token: 401 without one or with an invalid one, 503 if inkPass fails; sets `inkpassUser`. */
  authenticate(): MiddlewareHandler<InkPassEnv>;
  /**
   * Requires one permission: 401 without a token, 403 `Permission denied: resource:action` when denied or
   * when inkPass fails. `contextFromRequest` builds the ABAC context from the request.
   */
  requirePermission(
    resource: string,
    action: string,
    contextFromRequest?: (c: Context) => PermissionContext | Promise<PermissionContext>,
  ): MiddlewareHandler;
  /** Requires any one of the pairs. */
  requireAny(pairs: readonly PermissionPair[]): MiddlewareHandler;
  /** Requires all of the pairs (the 403 lists the missing ones). */
  requireAll(pairs: readonly PermissionPair[]): MiddlewareHandler;
}

/**
 * Creates the Hono middleware for a client.
 *
 * @example
 * ```ts
 * const inkpass = createInkPassMiddleware(client);
 * app.use('/api/*', inkpass.authenticate());
 * app.post('/api/workflows', inkpass.requirePermission('workflows', 'create'), (c) => c.json({ ok: true }));
 * app.get('/api/projects/:id', inkpass.requirePermission('projects', 'view', (c) => ({ project_id: c.req.param('id') })), handler);
 * ```
 */
export function createInkPassMiddleware(
  client: InkPassClient,
  options: InkPassMiddlewareOptions = {},
): InkPassHonoMiddleware {
  const header = options.tokenHeader ?? 'authorization';
  const tokenOf = (c: Context) =>
    (c.get('inkpassToken' as never) as string | undefined) ??
    extractToken(c.req.header(header), options.tokenPrefix);
  const refuse = (c: Context, outcome: Exclude<Outcome, { ok: true }>) =>
    c.json({ detail: outcome.detail }, outcome.status, outcome.headers);
  const guard =
    (decide: (c: Context, token: string | undefined) => Promise<Outcome>): MiddlewareHandler =>
    async (c, next) => {
      const outcome = await decide(c, tokenOf(c));
      if (!outcome.ok) return refuse(c, outcome);
      await next();
    };
  return {
    authenticate: () => async (c, next) => {
      const token = extractToken(c.req.header(header), options.tokenPrefix);
      const outcome = await authenticate(client, token);
      if (!outcome.ok) return refuse(c, outcome);
      c.set('inkpassUser', outcome.user!);
      c.set('inkpassToken', token!);
      await next();
    },
    requirePermission: (resource, action, contextFromRequest) =>
      guard(async (c, token) =>
        authorize(
          client,
          token,
          resource,
          action,
          token && contextFromRequest ? await contextFromRequest(c) : undefined,
        ),
      ),
    requireAny: (pairs) => guard((_c, token) => authorizeAny(client, token, pairs)),
    requireAll: (pairs) => guard((_c, token) => authorizeAll(client, token, pairs)),
  };
}
