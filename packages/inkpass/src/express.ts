/**
 * `@x/inkpass/express`: Express middleware (Express 4 or 5) that authenticates the bearer token into
 * `res.locals` and guards routes by permission. inkPass failing never lets a request through.
 *
 * @module
 */
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

/** The middleware of {@link createInkPassMiddleware}. */
export interface InkPassExpressMiddleware {
  /** Validates the token: 401 without one or with an invalid one, 503 if inkPass fails. */
  authenticate(): ExpressHandler;
  /** Requires one permission: 401 without a token, 403 `Permission denied: resource:action` otherwise. */
  requirePermission<Req extends ExpressRequestLike = ExpressRequestLike>(
    resource: string,
    action: string,
    contextFromRequest?: (req: Req) => PermissionContext | Promise<PermissionContext>,
  ): ExpressHandler<Req>;
  /** Requires any one of the pairs. */
  requireAny(pairs: readonly PermissionPair[]): ExpressHandler;
  /** Requires all of the pairs (the 403 lists the missing ones). */
  requireAll(pairs: readonly PermissionPair[]): ExpressHandler;
}

/**
 * Creates the Express middleware for a client.
 *
 * @example
 * ```ts
 * const inkpass = createInkPassMiddleware(client);
 * app.use('/api', inkpass.authenticate());
 * app.post('/api/workflows', inkpass.requirePermission('workflows', 'create'), (req, res) => res.json({ ok: true }));
 * ```
 */
export function createInkPassMiddleware(
  client: InkPassClient,
  options: InkPassMiddlewareOptions = {},
): InkPassExpressMiddleware {
  const header = (options.tokenHeader ?? 'authorization').toLowerCase();
  const headerOf = (req: ExpressRequestLike) => {
    const value = req.headers[header];
    return Array.isArray(value) ? value[0] : value;
  };
  const tokenOf = (req: ExpressRequestLike, res: ExpressResponseLike) =>
    (res.locals['inkpassToken'] as string | undefined) ?? extractToken(headerOf(req), options.tokenPrefix);
  const refuse = (res: ExpressResponseLike, outcome: Exclude<Outcome, { ok: true }>) => {
    for (const [name, value] of Object.entries(outcome.headers ?? {})) res.setHeader(name, value);
    res.status(outcome.status).json({ detail: outcome.detail });
  };
  const guard =
    <Req extends ExpressRequestLike>(
      decide: (req: Req, token: string | undefined) => Promise<Outcome>,
    ): ExpressHandler<Req> =>
    async (req, res, next) => {
      try {
        const outcome = await decide(req, tokenOf(req, res));
        if (!outcome.ok) return refuse(res, outcome);
        next();
      } catch (error) {
        next(error);
      }
    };
  return {
    authenticate: () => async (req, res, next) => {
      const token = extractToken(headerOf(req), options.tokenPrefix);
      const outcome = await authenticate(client, token);
      if (!outcome.ok) return refuse(res, outcome);
      res.locals['inkpassUser'] = outcome.user;
      res.locals['inkpassToken'] = token;
      next();
    },
    requirePermission: (resource, action, contextFromRequest) =>
      guard(async (req, token) =>
        authorize(
          client,
          token,
          resource,
          action,
          token && contextFromRequest ? await contextFromRequest(req) : undefined,
        ),
      ),
    requireAny: (pairs) => guard((_req, token) => authorizeAny(client, token, pairs)),
    requireAll: (pairs) => guard((_req, token) => authorizeAll(client, token, pairs)),
  };
}
