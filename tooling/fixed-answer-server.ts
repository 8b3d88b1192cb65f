/**
 * A loopback HTTP server answering every request with one fixed status, JSON body and headers: the
 * misbehaving or chatty service of the "no secret in an error" tests.
 *
 * @module
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A running {@link startFixedAnswerServer}. */
export interface FixedAnswerServer {
  /** `http://127.0.0.1:<port>`. */
  url: string;
  /** What the next requests get (changeable between calls). */
  answer: { status: number; body: unknown; headers?: Record<string, string> };
  /** Stops the server. */
  close(): Promise<void>;
}

/** Starts a server on a free loopback port that answers every request with `answer`. */
export async function startFixedAnswerServer(
  answer: FixedAnswerServer['answer'],
): Promise<FixedAnswerServer> {
  const state = { answer };
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      const { status, body, headers } = state.answer;
      response.writeHead(status, { 'content-type': 'application/json', ...headers });
      response.end(typeof body === 'string' ? body : JSON.stringify(body));
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get answer() {
      return state.answer;
    },
    set answer(next) {
      state.answer = next;
    },
    close: () => new Promise<void>((done) => server.close(() => done())),
  };
}
