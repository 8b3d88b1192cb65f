// Runs inside Bun, Deno or workerd (bundled by @x/tooling/runtimes, driven by ../client.runtimes.test.ts):
// InkPassClient and FileClient from the package's main entry against the fake inkPass the Node test started.
import { FileClient, InkPassClient, type XError } from '../../src/index.ts';

/** What the flow needs from the fake. */
export interface FlowConfig {
  baseUrl: string;
  serviceApiKey: string;
  email: string;
  password: string;
  orgId: string;
}

/** Login and a permission check, then Den uploads of each body kind (FormData and stream ones) and a download. */
export async function flow(config: FlowConfig) {
  const { baseUrl, serviceApiKey, email, password, orgId } = config;
  const client = new InkPassClient({ baseUrl, maxRetries: 0 });
  const tokens = await client.login({ email, password });
  const user = await client.validateToken(tokens.accessToken);
  const files = new FileClient({ baseUrl, serviceApiKey, maxRetries: 0 });
  const upload = (data: Blob | Uint8Array | ReadableStream<Uint8Array>, filename: string) =>
    files
      .upload({ orgId, workflowId: 'wf-runtimes', agentId: 'runtimes', data, filename })
      .catch((error) => ({
        failed: {
          name: (error as Error).name,
          code: (error as XError).code,
          message: (error as Error).message,
        },
      }));
  const blob = await upload(new Blob(['from a Blob'], { type: 'text/plain' }), 'blob.txt');
  const bytes = await upload(new TextEncoder().encode('from bytes'), 'bytes.txt');
  const stream = await upload(new Blob(['from a ', 'stream']).stream(), 'stream.txt');
  const read = async (file: unknown) => {
    if (!file || typeof file !== 'object' || !('id' in file)) return file;
    const { body } = await files.download(orgId, (file as { id: string }).id);
    return new Response(body).text();
  };
  return {
    email: user?.email,
    blob: await read(blob),
    bytes: await read(bytes),
    stream: await read(stream),
  };
}
