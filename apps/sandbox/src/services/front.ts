import { startTestServer, type TestServer } from '@x/http-core/testing';
import { Hono } from 'hono';

/** One request and its answer as a {@link startRecordingFront} sees them. */
export interface FrontExchange {
  /** HTTP method. */
  method: string;
  /** The request URL as the client sent it. */
  url: URL;
  /** The request headers. */
  headers: Headers;
  /** The request body as text (read only when `readRequestBody` says so, else empty). */
  requestBody: string;
  /** The answer's status. */
  status: number;
  /** The answer's JSON body, or `undefined` when it is not JSON. */
  json: Record<string, unknown> | undefined;
}

/** Options of {@link startRecordingFront}. */
export interface RecordingFrontOptions {
  /** The loopback port of the front. */
  port: number;
  /** Which requests are noted: only those get their request body read and their answer parsed. */
  wants(method: string, path: string): boolean;
  /** Called with each noted exchange, after the answer arrived and before it is sent on. */
  note(exchange: FrontExchange): void;
}

const HOP_BY_HOP = ['host', 'connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'expect'];

/**
 * Serves `targetUrl` unchanged on `options.port`, noting the exchanges the console shows. The fakes keep no
 * record of what they answered, and a front sees exactly what a client sees, so the sandbox puts one in
 * front of them rather than reaching into their internals.
 */
export async function startRecordingFront(
  targetUrl: string,
  options: RecordingFrontOptions,
): Promise<TestServer> {
  const front = new Hono();
  front.all('*', async (c) => {
    const url = new URL(c.req.url);
    const request = c.req.raw;
    const headers = new Headers(request.headers);
    for (const name of HOP_BY_HOP) headers.delete(name);
    const wanted = options.wants(request.method, url.pathname);
    const requestBody = wanted ? await request.clone().text() : '';
    const hasBody = request.method !== 'GET' && request.method !== 'HEAD';
    const answer = await fetch(`${targetUrl}${url.pathname}${url.search}`, {
      method: request.method,
      headers,
      redirect: 'manual',
      ...(hasBody ? { body: request.body, duplex: 'half' } : {}),
    } as RequestInit);
    if (wanted) {
      const json = (await answer
        .clone()
        .json()
        .catch(() => undefined)) as Record<string, unknown> | undefined;
      options.note({
        method: request.method,
        url,
        headers: request.headers,
        requestBody,
        status: answer.status,
        json,
      });
    }
    const responseHeaders = new Headers(answer.headers);
    // fetch has already decoded the body, so its encoding and length no longer describe it.
    if (responseHeaders.has('content-encoding')) {
      responseHeaders.delete('content-encoding');
      responseHeaders.delete('content-length');
    }
    return new Response(answer.body, { status: answer.status, headers: responseHeaders });
  });
  return startTestServer(front, { port: options.port });
}

/** Keeps the newest `limit` items. */
export function keepNewest<T>(items: T[], item: T, limit = 200): void {
  items.push(item);
  if (items.length > limit) items.splice(0, items.length - limit);
}
