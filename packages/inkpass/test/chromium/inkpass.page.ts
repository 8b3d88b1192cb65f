// Runs in headless Chromium (bundled by @x/tooling/browser, driven by ../chromium.node.test.ts): the SDK's
// main entry in a page on one loopback origin, against the fake inkPass on another (CORS). Each export is
// one step; the Node test reads what a user would (the mailed code) and checks what the fake saw.
import { FileClient, InkPassClient, twoFactorQrCode } from '../../src/index.ts';

let client: InkPassClient;
let files: FileClient;

/** A thrown value as plain data for the Node side. */
function describeError(error: unknown) {
  const e = error as { name?: string; message?: string; statusCode?: number };
  return { name: e?.name, message: e?.message, statusCode: e?.statusCode };
}

/** Points the page's clients at a fake (no waits between retries). */
export function setup(baseUrl: string, serviceApiKey: string): string {
  client = new InkPassClient({ baseUrl, retryMinWait: 0, retryMaxWait: 0, maxRetries: 1 });
  files = new FileClient({ baseUrl, serviceApiKey, retryMinWait: 0, retryMaxWait: 0, maxRetries: 1 });
  return navigator.userAgent;
}

/** Registers an account (a JSON POST: preflighted). */
export async function register(email: string, password: string) {
  try {
    return {
      ok: true as const,
      registration: await client.register({ email, password, firstName: 'Web', lastName: 'User' }),
    };
  } catch (error) {
    return { ok: false as const, error: describeError(error) };
  }
}

/** Verifies the email, logs in, reads the user, checks a permission and an invalid token, sets up 2FA. */
export async function signIn(email: string, password: string, code: string) {
  await client.verifyEmail(email, code);
  const tokens = await client.login({ email, password });
  const user = await client.validateToken(tokens.accessToken);
  const invalid = await client.validateToken('not.a.validtoken');
  const allowed = await client.checkPermission(tokens.accessToken, 'workflows', 'create');
  const setup = await client.setupTwoFactor(tokens.accessToken);
  const svg = await twoFactorQrCode(setup.uri);
  return {
    email: user?.email,
    invalidIsNull: invalid === null,
    allowed,
    uri: setup.uri,
    serverQrIsPng: setup.qrCode?.startsWith('data:image/png;base64,') ?? false,
    svgIsSvg: svg.startsWith('<svg'),
  };
}

/** A Den round trip with the service key (a custom header: preflighted), the name read from the header. */
export async function den(orgId: string) {
  const file = await files.upload({
    orgId,
    workflowId: 'wf-web',
    agentId: 'browser',
    data: new Blob(['from the browser'], { type: 'text/plain' }),
    filename: 'Résumé.txt',
  });
  const downloaded = await files.download(orgId, file.id);
  return { name: file.name, filename: downloaded.filename, text: await new Response(downloaded.body).text() };
}
