import type { HttpBindings } from '@hono/node-server';
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response';
import type { MiddlewareHandler } from 'hono';

/** Which requests a fault applies to (all when omitted). */
export interface FaultMatch {
  /** HTTP method, any case. */
  method?: string;
  /** Exact path, or a pattern tested against the path. */
  path?: string | RegExp;
}

/**
 * One scripted misbehaviour, consumed by the next matching request. A fault with none of `status`,
 * `reset`, `slowBody` or `truncate` lets the request through to the app (after `delayMs`, if given).
 */
export interface Fault {
  /** Which requests it applies to. */
  match?: FaultMatch;
  /** How many matching requests it applies to (default 1). */
  times?: number;
  /** Waits this long before acting (or before passing through). */
  delayMs?: number;
  /** Answers with this status instead of the app. */
  status?: number;
  /** Headers of that answer, e.g. `{ 'Retry-After': '1' }`. */
  headers?: Record<string, string>;
  /** Body of that answer: a string as is, anything else as JSON. */
  body?: unknown;
  /** Destroys the connection without answering. */
  reset?: boolean;
  /** Answers 200 (or `status`) with these chunks, `intervalMs` apart. */
  slowBody?: {
    /** The pieces of the body, sent one at a time. */
    chunks: string[];
    /** The pause before each piece after the first, in ms. */
    intervalMs: number;
  };
  /** Declares `declaredLength` bytes but sends only `body`, then drops the connection. */
  truncate?: {
    /** What is actually sent. */
    body: string;
    /** The Content-Length announced, larger than `body`. */
    declaredLength: number;
  };
}

/** Scripted fault injection as Hono middleware. */
export interface FaultInjector {
  /** Install with `app.use(faults.middleware)` before the routes. */
  middleware: MiddlewareHandler;
  /** Queues faults; each matching request consumes the first fault that matches it. */
  enqueue(...faults: Fault[]): void;
  /**
   * Queues one answer per status, e.g. `[503, 503]`: the next two matching requests get 503, the third
   * reaches the app. A status of 0 lets that request through.
   */
  statusSequence(statuses: number[], init?: Pick<Fault, 'headers' | 'body' | 'match'>): void;
  /** How many fault applications are still queued. */
  pending(): number;
  /** Drops every queued fault. */
  clear(): void;
}

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function matches(match: FaultMatch | undefined, method: string, path: string): boolean {
  if (!match) return true;
  if (match.method && match.method.toUpperCase() !== method) return false;
  if (match.path === undefined) return true;
  return typeof match.path === 'string' ? match.path === path : match.path.test(path);
}

/**
 * Creates a fault injector for a test server built on Hono and `startTestServer`.
 *
 * @example
 * ```ts
 * const faults = createFaultInjector();
 * app.use(faults.middleware);
 * faults.enqueue({ status: 503, headers: { 'Retry-After': '0' } }, { reset: true });
 * ```
 */
export function createFaultInjector(): FaultInjector {
  const queue: Array<Fault & { left: number }> = [];
  const middleware: MiddlewareHandler = async (c, next) => {
    const path = new URL(c.req.url).pathname;
    const index = queue.findIndex((f) => matches(f.match, c.req.method, path));
    if (index < 0) return next();
    const fault = queue[index]!;
    if (--fault.left <= 0) queue.splice(index, 1);
    if (fault.delayMs) await wait(fault.delayMs);
    const env = c.env as HttpBindings;
    if (fault.reset) {
      env.incoming.socket.destroy();
      return RESPONSE_ALREADY_SENT;
    }
    if (fault.truncate) {
      const { outgoing } = env;
      outgoing.writeHead(fault.status ?? 200, {
        'content-type': 'application/json',
        ...fault.headers,
        'content-length': String(fault.truncate.declaredLength),
      });
      outgoing.write(fault.truncate.body, () => outgoing.socket?.destroy());
      return RESPONSE_ALREADY_SENT;
    }
    if (fault.slowBody) {
      const { chunks, intervalMs } = fault.slowBody;
      const encoder = new TextEncoder();
      const stream = new ReadableStream<Uint8Array>({
        async start(controller) {
          for (const [i, chunk] of chunks.entries()) {
            if (i > 0) await wait(intervalMs);
            try {
              controller.enqueue(encoder.encode(chunk));
            } catch {
              return; // the client went away
            }
          }
          controller.close();
        },
      });
      return new Response(stream, { status: fault.status ?? 200, headers: fault.headers ?? {} });
    }
    if (fault.status) {
      const text = typeof fault.body === 'string' || fault.body === undefined;
      const headers = new Headers(fault.headers);
      if (!text && !headers.has('content-type')) headers.set('content-type', 'application/json');
      return new Response(
        fault.body === undefined ? null : text ? (fault.body as string) : JSON.stringify(fault.body),
        { status: fault.status, headers },
      );
    }
    return next();
  };
  return {
    middleware,
    enqueue(...faults) {
      for (const f of faults) queue.push({ ...f, left: f.times ?? 1 });
    },
    statusSequence(statuses, init = {}) {
      for (const status of statuses) queue.push({ ...init, ...(status ? { status } : {}), left: 1 });
    },
    pending: () => queue.reduce((n, f) => n + f.left, 0),
    clear() {
      queue.length = 0;
    },
  };
}
