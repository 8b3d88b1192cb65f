// Runs in headless Chromium (bundled by @x/tooling/browser, driven by ../chromium.node.test.ts): uploads from
// the page to its own loopback origin, which @x/tooling/browser serves over HTTP/1.1.
import { createHttpClient, type XError } from '../../src/index.ts';

const describe = (error: unknown) => ({
  name: (error as Error).name,
  code: (error as XError).code,
  message: (error as Error).message,
});

/** A `Blob` upload and a `ReadableStream` one to the page's origin, each as its status or its error. */
export async function uploads() {
  const client = createHttpClient({ baseUrl: location.origin, retry: false });
  const send = (body: BodyInit) =>
    client.post('/upload', { body }).then(
      () => ({ sent: true }),
      (error: unknown) => describe(error),
    );
  return {
    blob: await send(new Blob(['a blob'])),
    stream: await send(new Blob(['a stream']).stream()),
  };
}
