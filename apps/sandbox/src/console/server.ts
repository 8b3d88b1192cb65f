import { startTestServer, type TestServer } from '@x/http-core/testing';
import { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import { type Panel, PanelActionError, type PanelSnapshot } from '../panel.ts';
import { consolePage } from './page.ts';

/** The console's state as the page receives it. */
export interface ConsoleState {
  panels: ({ id: string; title: string } & PanelSnapshot)[];
}

/** Options of {@link startConsole}. */
export interface ConsoleOptions {
  /** The loopback port (default 0: one the OS picks). */
  port?: number;
  /** How often open pages are checked for changes, in ms (default 250). */
  refreshMs?: number;
}

/** A running console. */
export interface ApproverConsole {
  /** `http://127.0.0.1:<port>`. */
  url: string;
  /** Every snapshot at once, as `/api/state` serves it. */
  state(): ConsoleState;
  /** Stops the server and every open event stream. */
  close(): Promise<void>;
}

/** The header every action request must carry: a cross-site form or `fetch` cannot send it without a preflight. */
export const CONSOLE_HEADER = 'x-sandbox-console';

/** True when `from` is the console itself, reached as 127.0.0.1, localhost or [::1] on its port. */
function sameConsole(from: string, consoleUrl: string): boolean {
  try {
    const a = new URL(from);
    const b = new URL(consoleUrl);
    return (
      a.protocol === 'http:' && a.port === b.port && ['127.0.0.1', 'localhost', '[::1]'].includes(a.hostname)
    );
  } catch {
    return false;
  }
}

/**
 * Serves the approver console: the page, `GET /api/state`, `GET /api/events` (server-sent events, a new
 * state whenever it changes) and `POST /api/panels/:panel/actions/:action` for the buttons.
 */
export async function startConsole(panels: Panel[], options: ConsoleOptions = {}): Promise<ApproverConsole> {
  const state = (): ConsoleState => ({
    panels: panels.map((panel) => ({ id: panel.id, title: panel.title, ...panel.snapshot() })),
  });
  const streams = new Set<() => void>();
  let origin = '';

  const app = new Hono();
  app.get('/', (c) => c.html(consolePage()));
  app.get('/favicon.ico', (c) => c.body(null, 204));
  app.get('/api/state', (c) => c.json(state()));
  app.get('/api/events', (c) =>
    streamSSE(c, async (stream) => {
      let last = '';
      let open = true;
      const stop = () => {
        open = false;
      };
      streams.add(stop);
      stream.onAbort(stop);
      while (open) {
        const text = JSON.stringify(state());
        if (text !== last) {
          last = text;
          await stream.writeSSE({ event: 'state', data: text });
        }
        await stream.sleep(options.refreshMs ?? 250);
      }
      streams.delete(stop);
    }),
  );
  app.post('/api/panels/:panel/actions/:action', async (c) => {
    // Only the console page may act: it sends this header (a cross-site request would need a preflight we
    // never answer) from its own origin.
    const from = c.req.header('origin');
    if (c.req.header(CONSOLE_HEADER) !== '1' || (from !== undefined && !sameConsole(from, origin)))
      return c.json({ error: 'Actions are accepted from the console page only.' }, 403);
    const panel = panels.find((p) => p.id === c.req.param('panel'));
    if (!panel) return c.json({ error: `No panel "${c.req.param('panel')}".` }, 404);
    let body: { key?: unknown; inputs?: Record<string, unknown> };
    try {
      body = await c.req.json();
    } catch {
      return c.json({ error: 'The body must be JSON: { key, inputs }.' }, 400);
    }
    if (typeof body?.key !== 'string') return c.json({ error: 'key is required.' }, 400);
    const inputs: Record<string, string> = {};
    for (const [name, value] of Object.entries(body.inputs ?? {}))
      if (typeof value === 'string') inputs[name] = value;
    try {
      return c.json({ message: await panel.act(c.req.param('action'), body.key, inputs) });
    } catch (error) {
      const status = error instanceof PanelActionError ? 400 : 500;
      return c.json({ error: (error as Error).message }, status);
    }
  });

  const server: TestServer = await startTestServer(app, { port: options.port ?? 0 });
  origin = server.url;
  return {
    url: server.url,
    state,
    async close() {
      for (const stop of streams) stop();
      await server.close();
    },
  };
}
