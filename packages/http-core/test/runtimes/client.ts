// Runs inside Bun, Deno or workerd (bundled by @x/tooling/runtimes, driven by ../client.runtimes.test.ts):
// the package's main entry against a loopback server the Node test process started.
import {
  createHttpClient,
  detectRuntime,
  InvalidRequestError,
  NetworkError,
  XError,
} from '../../src/index.ts';

const described = (error: unknown) => ({
  name: (error as Error).name,
  code: (error as XError).code,
  retryable: (error as XError).retryable,
  typed: XError.isInstance(error),
});

/** A JSON GET (whose echo shows the User-Agent sent), a streamed upload, then a refused port. */
export async function roundTrip(baseUrl: string, closedUrl: string) {
  const client = createHttpClient({ baseUrl, retry: false });
  const echo = await client.get<undefined>('/echo');
  const body = new Blob(['streamed ', 'upload']).stream();
  const upload = await client.post<undefined>('/upload', { body });
  let refused: unknown;
  try {
    await createHttpClient({ baseUrl: closedUrl, retry: false }).get('/echo');
  } catch (error) {
    refused = { ...described(error), network: NetworkError.isInstance(error) };
  }
  return { userAgent: (echo as { userAgent: string }).userAgent, upload, refused };
}

/**
 * A request the runtime's fetch refuses before sending anything (a GET with a body: no runtime sends one): a
 * typed, non-retryable error, though the client would retry a network failure 3 times.
 */
export async function refusedByFetch(baseUrl: string) {
  const client = createHttpClient({ baseUrl, retry: 3 });
  try {
    await client.request('GET', '/echo', { body: 'not allowed on a GET' });
    return undefined;
  } catch (error) {
    return { ...described(error), invalidRequest: InvalidRequestError.isInstance(error) };
  }
}

/**
 * The runtime's name when a Node-compatibility layer reports a Node version, as wrangler's `nodejs_compat`
 * polyfill does in workerd (`process.versions.node` = '22.x'), and as Bun and Deno do themselves.
 */
export function detectBehindNodePolyfill() {
  const g = globalThis as { process?: { versions?: Record<string, string> } };
  if (!g.process) g.process = {};
  g.process.versions = { ...g.process.versions, node: g.process.versions?.node ?? '22.14.0' };
  return { node: g.process.versions.node, runtime: detectRuntime() };
}
