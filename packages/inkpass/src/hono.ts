/**
 * `@x/inkpass/hono`: Hono middleware that authenticates the bearer token into the context and guards
 * routes by permission. inkPass failing never lets a request through.
 *
 * @module
 */
import type { Context, MiddlewareHandler } from 'hono';
import type { InkPassClient } from './client.ts';
import { buildGuards, type InkPassGuards, type InkPassMiddlewareOptions } from './middleware.ts';
import type { UserResponse } from './models.ts';

export type { InkPassGuards, InkPassMiddlewareOptions } from './middleware.ts';

/** The context variables `authenticate` sets. */
export interface InkPassVariables {
  /** The authenticated user. */
  inkpassUser: UserResponse;
  /** The bearer token. */
  inkpassToken: string;
}

/** The Hono environment of `authenticate`: use `new Hono<InkPassEnv>()` for typed `c.get('inkpassUser')`. */
export interface InkPassEnv {
  /** The variables set. */
  Variables: InkPassVariables;
}

/** The Hono middleware of {@link createInkPassMiddleware}; `contextFromRequest` gets the Hono context. */
export type InkPassHonoMiddleware = InkPassGuards<MiddlewareHandler<InkPassEnv>, Context<InkPassEnv>>;

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
  return buildGuards<MiddlewareHandler<InkPassEnv>, Context<InkPassEnv>>(client, options, {
    header: (c, name) => c.req.header(name),
    handler: (decide) => async (c, next) => {
      const outcome = await decide(c, c.get('inkpassToken'));
      if (!outcome.ok) return c.json({ detail: outcome.detail }, outcome.status, outcome.headers);
      if (outcome.user) {
        c.set('inkpassUser', outcome.user);
        c.set('inkpassToken', outcome.token!);
      }
      await next();
    },
  });
}
