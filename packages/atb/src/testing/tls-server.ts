/**
 * A Hono app on an HTTPS loopback port that asks for client certificates: what `startTestServer` of
 * @x/http-core/testing does for plain HTTP, for the mTLS fakes.
 *
 * @module
 */

import type { Server } from 'node:https';
import { createServer } from 'node:https';
import type { Socket } from 'node:net';
import { serve } from '@hono/node-server';
import { closeable } from '@x/http-core';
import type { Hono } from 'hono';
import type { FakeEnv } from './agentauth-fake.ts';

/** TLS settings of {@link startTlsTestServer}. */
export interface TlsTestServerOptions {
  /** The server certificate (PEM). */
  cert: string;
  /** Its key (PEM). */
  key: string;
  /** The CA client certificates must chain to (PEM). */
  clientCa: string;
  /** Require a client certificate that chains to `clientCa` (default true); false asks for one but accepts any or none. */
  requireClientCert?: boolean;
  /** The loopback port (default 0: one the OS picks). */
  port?: number;
}

/** A running HTTPS test server. */
export interface TlsTestServer {
  /** `https://127.0.0.1:<port>`. */
  url: string;
  /** Stops listening and destroys open connections (again: the first call's outcome). */
  close(): Promise<void>;
  /** {@link TlsTestServer.close}, for `await using server = …`. */
  [Symbol.asyncDispose](): Promise<void>;
}

/** Starts `app` on `https://127.0.0.1:<port>` (an ephemeral one unless `port` is given) with TLS ≥ 1.2, asking for client certificates. */
export function startTlsTestServer(
  app: Hono<FakeEnv>,
  options: TlsTestServerOptions,
): Promise<TlsTestServer> {
  const sockets = new Set<Socket>();
  const required = options.requireClientCert ?? true;
  return new Promise((resolve, reject) => {
    const server = serve(
      {
        fetch: app.fetch,
        port: options.port ?? 0,
        hostname: '127.0.0.1',
        createServer,
        serverOptions: {
          cert: options.cert,
          key: options.key,
          ca: options.clientCa,
          requestCert: true,
          rejectUnauthorized: required,
          minVersion: 'TLSv1.2',
        },
      },
      (info) =>
        resolve(
          closeable<TlsTestServer>({
            url: `https://127.0.0.1:${info.port}`,
            close: () =>
              new Promise<void>((done) => {
                (server as Server).close(() => done());
                for (const s of sockets) s.destroy();
              }),
          }),
        ),
    ) as Server;
    server.on('secureConnection', (socket: Socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    server.on('error', reject);
  });
}
