import type { Socket } from 'node:net';
import { type HttpBindings, serve } from '@hono/node-server';
import { type Closeable, closeable } from '../lifecycle.ts';

/** A fetch handler: what `app.fetch` of a Hono app is, or any `(request) => Response`. */
export type FetchHandler = (request: Request, env: HttpBindings) => Response | Promise<Response>;

/** Where {@link startTestServer} listens. */
export interface TestServerOptions {
  /** The port (default 0: an ephemeral port chosen by the OS). */
  port?: number;
  /** The address (default `127.0.0.1`, loopback only). */
  hostname?: string;
}

/** A running test server; `await using server = await startTestServer(app)` closes it at the block's end. */
export interface TestServer extends Closeable {
  /** The base URL, e.g. `http://127.0.0.1:40123` (no trailing slash). */
  url: string;
  /** The port it listens on. */
  port: number;
  /** Stops listening and destroys open connections (keep-alive included), so tests never hang. */
  close(): Promise<void>;
}

/**
 * Starts a Hono app (or any fetch handler) on a loopback port over real sockets.
 *
 * @example
 * ```ts
 * const app = new Hono().get('/ping', (c) => c.json({ ok: true }));
 * const server = await startTestServer(app);
 * // ... createHttpClient({ baseUrl: server.url }) ...
 * await server.close();
 * ```
 */
export function startTestServer(
  app: { fetch: FetchHandler } | FetchHandler,
  options: TestServerOptions = {},
): Promise<TestServer> {
  const handler = typeof app === 'function' ? app : app.fetch.bind(app);
  const hostname = options.hostname ?? '127.0.0.1';
  return new Promise((resolve, reject) => {
    const sockets = new Set<Socket>();
    const server = serve({ fetch: handler as never, port: options.port ?? 0, hostname }, (info) => {
      const host = info.family === 'IPv6' ? `[${info.address}]` : info.address;
      resolve(
        closeable({
          url: `http://${host}:${info.port}`,
          port: info.port,
          close: () =>
            new Promise<void>((done) => {
              server.close(() => done());
              for (const socket of sockets) socket.destroy();
            }),
        }),
      );
    });
    server.on('connection', (socket: Socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    server.on('error', reject);
  });
}
