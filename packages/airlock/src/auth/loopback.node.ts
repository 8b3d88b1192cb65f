/**
 * Authorization code + PKCE with a loopback callback server (RFC 8252 §7.3), for Node apps that can open
 * the user's browser.
 *
 * @module
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AbortError } from '@x/http-core';
import { parseAuthorizationResponse } from './authorization.ts';
import type { AirlockAuthClient } from './client.ts';
import { AirlockAuthError } from './errors.ts';
import type { TokenState } from './models.ts';

/** Options of {@link loginWithAuthCode}. */
export interface LoopbackLoginOptions {
  /** The port to listen on (default 0: one the OS picks). */
  port?: number;
  /** The address to listen on (default `127.0.0.1`: only this machine can reach the callback). */
  hostname?: string;
  /** The host written into the redirect URI (default `localhost`, as the upstream SDKs register it). */
  redirectHost?: string;
  /** How long to wait for the browser to come back, in ms (default 300 000: 5 minutes). */
  timeout?: number;
  /** The scope for this login (default: the client's). */
  scope?: string;
  /** Stops the login and closes the server; it rejects with `AbortError`. */
  signal?: AbortSignal;
}

function page(title: string, message: string): string {
  const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
  return `<!doctype html><html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head><body><h1>${escapeHtml(title)}</h1><p>${escapeHtml(message)}</p></body></html>`;
}

function send(response: ServerResponse, status: number, html: string): void {
  response.writeHead(status, {
    'Content-Type': 'text/html; charset=utf-8',
    'Cache-Control': 'no-store',
    // The page shows nothing worth framing or scripting.
    'Content-Security-Policy': "default-src 'none'",
    Connection: 'close',
  });
  response.end(html);
}

function listen(server: Server, port: number, hostname: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, hostname, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/**
 * Signs in with authorization code + PKCE through the user's browser: starts a callback server on
 * `127.0.0.1`, hands the authorization URL to `onBrowserUrl` (open it, or print it), waits for the
 * redirect to `http://localhost:<port>/callback`, checks `state`, exchanges the code and closes the server.
 *
 * The browser gets an HTML page: 200 when signed in, 400 when the provider refused or the code was missing
 * or rejected. Only a GET on `/callback` with this login's `state` is the callback; any other request
 * (another path or method, a missing or wrong state) gets 404 and the login keeps waiting. The first
 * real callback decides the login.
 *
 * @example
 * ```ts
 * import { loginWithAuthCode } from '@x/airlock/node';
 * await loginWithAuthCode(auth, (url) => console.log(`Open ${url}`));
 * ```
 * @throws {AirlockAuthError} the provider's `error` (e.g. `access_denied`), `invalid_callback`, `invalid_grant`, or `login_timeout` after 5 minutes; `AbortError` on abort.
 */
export async function loginWithAuthCode(
  client: AirlockAuthClient,
  onBrowserUrl: (url: string) => void | Promise<void>,
  options: LoopbackLoginOptions = {},
): Promise<TokenState> {
  const { signal } = options;
  if (signal?.aborted) throw new AbortError('The login was aborted by the caller.', { cause: signal.reason });
  const timeoutMs = options.timeout ?? 300_000;
  let settle!: { resolve: (tokens: TokenState) => void; reject: (error: unknown) => void };
  const result = new Promise<TokenState>((resolve, reject) => {
    settle = { resolve, reject };
  });
  // It may fail (timeout, abort) before anyone awaits it; that is not an unhandled rejection.
  result.catch(() => {});
  let request: { state: string; codeVerifier: string; redirectUri: string } | undefined;
  let handled = false;

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    // Only the provider's redirect for this very login ends it: a GET on the exact path carrying our
    // state. Anything else (a stray page, a forged callback from another tab or site) is not found, and
    // the login goes on waiting, so a planted request can neither sign in nor cancel the real sign-in.
    if (
      req.method !== 'GET' ||
      url.pathname !== '/callback' ||
      !request ||
      url.searchParams.get('state') !== request.state
    )
      return send(res, 404, page('Not found', 'Nothing here.'));
    if (handled) return send(res, 400, page('Sign-in failed', 'This sign-in is already finished.'));
    handled = true;
    try {
      const code = await parseAuthorizationResponse(url, request.state);
      // Exchange before answering so the page tells the truth about the outcome.
      const tokens = await client.exchangeCode(code, request.redirectUri, request.codeVerifier, {
        ...(signal ? { signal } : {}),
      });
      send(res, 200, page('Authorization successful!', 'You can close this tab.'));
      settle.resolve(tokens);
    } catch (error) {
      const reason = AirlockAuthError.isInstance(error)
        ? error.message
        : 'The sign-in could not be completed.';
      send(res, 400, page('Sign-in failed', reason));
      settle.reject(error);
    }
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error) => {
      if (!res.headersSent) send(res, 500, page('Sign-in failed', 'Internal error.'));
      settle.reject(error);
    });
  });
  const onAbort = () =>
    settle.reject(new AbortError('The login was aborted by the caller.', { cause: signal?.reason }));
  signal?.addEventListener('abort', onAbort, { once: true });
  const timer = setTimeout(
    () =>
      settle.reject(
        new AirlockAuthError(`No sign-in came back within ${Math.round(timeoutMs / 1000)} s; start again.`, {
          code: 'login_timeout',
        }),
      ),
    timeoutMs,
  );
  try {
    const port = await listen(server, options.port ?? 0, options.hostname ?? '127.0.0.1');
    const redirectUri = `http://${options.redirectHost ?? 'localhost'}:${port}/callback`;
    const started = await client.getAuthorizationUrl(redirectUri, {
      ...(signal ? { signal } : {}),
      ...(options.scope ? { scope: options.scope } : {}),
    });
    request = started;
    await Promise.race([onBrowserUrl(started.authorizationUrl), result]);
    return await result;
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
    // Stop listening at once, but let the page already written reach the browser before sockets go.
    server.close();
    server.closeIdleConnections();
    setTimeout(() => server.closeAllConnections(), 1000).unref();
  }
}
