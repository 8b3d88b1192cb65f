// A local HTTPS stand-in for an external API (certificate for api.test, valid 10 years, self-signed).
import { readFileSync } from 'node:fs';
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';

export const testCa = readFileSync(new URL('./fixtures/test-cert.pem', import.meta.url), 'utf8');
const key = readFileSync(new URL('./fixtures/test-key.pem', import.meta.url), 'utf8');

export interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface HttpsUpstream {
  port: number;
  seen: SeenRequest[];
  close(): Promise<void>;
}

/** Routes: /json, /redirect, /big, /slow, /stream, /text; anything else echoes. */
export async function startHttpsUpstream(): Promise<HttpsUpstream> {
  const seen: SeenRequest[] = [];
  const server = createServer({ key, cert: testCa }, (req, res: ServerResponse) => {
    let body = '';
    req.on('data', (c: Buffer) => {
      body += c.toString();
    });
    req.on('end', () => {
      seen.push({ method: req.method!, url: req.url!, headers: req.headers, body });
      const path = req.url!.split('?')[0];
      if (path === '/redirect') {
        res.writeHead(302, { location: 'https://169.254.169.254/latest/meta-data/' }).end();
      } else if (path === '/big') {
        res.writeHead(200, { 'content-type': 'text/plain' }).end('x'.repeat(5000));
      } else if (path === '/slow') {
        setTimeout(() => res.writeHead(200).end('late'), 3000).unref();
      } else if (path?.endsWith('/stream')) {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write('data: one\n\n');
        setTimeout(() => res.end('data: two\n\n'), 20);
      } else if (path === '/text') {
        res.writeHead(404, { 'content-type': 'text/plain', 'set-cookie': 'session=abc' }).end('nope');
      } else {
        res
          .writeHead(200, { 'content-type': 'application/json', 'x-upstream': 'yes', 'set-cookie': 'a=b' })
          .end(JSON.stringify({ ok: true, method: req.method, url: req.url, body: body || null }));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
