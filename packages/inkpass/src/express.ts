/**
 * `@x/inkpass/express`: Express middleware (Express 4 or 5) that authenticates the bearer token into
 * `res.locals` and guards routes by permission. inkPass failing never lets a request through.
 *
 * @module
 */
import type { InkPassClient } from './client.ts';
import { buildGuards, type InkPassGuards, type InkPassMiddlewareOptions } from './middleware.ts';
import type { UserResponse } from './models.ts';

export type { InkPassGuards, InkPassMiddlewareOptions } from './middleware.ts';

/** The part of an Express request the middleware reads (so `@types/express` is not needed). */
export interface ExpressRequestLike {
  /** Lower-cased header names. */
  headers: Record<string, string | string[] | undefined>;
}

/** The part of an Express response the middleware uses. */
export interface ExpressResponseLike {
  /** `res.locals`: `inkpassUser` and `inkpassToken` are set here. */
  locals: Record<string, unknown>;
  /** Sets the status. */
  status(code: number): ExpressResponseLike;
  /** Sets a header. */
  setHeader(name: string, value: string): unknown;
  /** Sends JSON. */
  json(body: unknown): unknown;
}

/** An Express middleware function. */
export type ExpressHandler<Req extends ExpressRequestLike = ExpressRequestLike> = (
  req: Req,
  res: ExpressResponseLike,
  next: (error?: unknown) => void,
) => Promise<void>;

/** What `authenticate` leaves in `res.locals`. */
export interface InkPassLocals {
  /** The authenticated user. */
  inkpassUser: UserResponse;
  /** The bearer token. */
  inkpassToken: string;
}

/** The Express middleware of {@link createInkPassMiddleware}; `contextFromRequest` gets the request. */
export type InkPassExpressMiddleware<Req extends ExpressRequestLike = ExpressRequestLike> = InkPassGuards<
  ExpressHandler<Req>,
  Req
>;

/**
 * Creates the Express middleware for a client. Give your request type (e.g. `express.Request`) as `Req`
 * for a typed `contextFromRequest`.
 *
 * @example
 * ```ts
 * const inkpass = createInkPassMiddleware<express.Request>(client);
 * app.use('/api', inkpass.authenticate());
 * app.post('/api/workflows', inkpass.requirePermission('workflows', 'create'), (req, res) => res.json({ ok: true }));
 * app.get('/api/projects/:id', inkpass.requirePermission('projects', 'view', (req) => ({ project_id: req.params.id })), handler);
 * ```
 */
export function createInkPassMiddleware<Req extends ExpressRequestLike = ExpressRequestLike>(
  client: InkPassClient,
  options: InkPassMiddlewareOptions = {},
): InkPassExpressMiddleware<Req> {
  return buildGuards<ExpressHandler<Req>, Req>(client, options, {
    header: (req, name) => {
      const value = req.headers[name.toLowerCase()];
      return Array.isArray(value) ? value[0] : value;
    },
    handler: (decide) => async (req, res, next) => {
      try {
        const outcome = await decide(req, res.locals['inkpassToken'] as string | undefined);
        if (!outcome.ok) {
          for (const [name, value] of Object.entries(outcome.headers ?? {})) res.setHeader(name, value);
          res.status(outcome.status).json({ detail: outcome.detail });
          return;
        }
        if (outcome.user) {
          res.locals['inkpassUser'] = outcome.user;
          res.locals['inkpassToken'] = outcome.token;
        }
        next();
      } catch (error) {
        next(error);
      }
    },
  });
}
