// The generated app's side, loaded in the cross-origin iframe: waits for the host's init through the real
// postMessage protocol, then uses DuckDB, files, state and an external API through the gateway and reports
// what it saw to the host page.
import { autoInstall } from '../../src/client/index.ts';

const params = new URL(location.href).searchParams;
const hostOrigin = params.get('host')!;
const allow = params.get('allow') ?? hostOrigin;
const externalUrl = params.get('external')!;

const client = autoInstall({ allowedOrigins: [allow] })!;
let started = false;
client.onReady = async (c) => {
  if (started) return;
  started = true;
  const report = (result: unknown) => parent.postMessage({ type: 'artifact-result', result }, hostOrigin);
  try {
    await c.db.userExec('notes', 'CREATE TABLE IF NOT EXISTS notes (id INT, body TEXT)');
    await c.db.userExec('notes', 'INSERT INTO notes VALUES (?, ?)', [1, 'hello from Chromium']);
    const query = await c.db.userQuery('notes', 'SELECT body FROM notes WHERE id = ?', [1]);
    const written = await c.files.write('notes/today.md', '# Today');
    const read = await c.files.read('notes/today.md');
    const set = await c.state.set('board', 'b1', { title: 'Plan' });
    const got = await c.state.get('board', 'b1');
    const external = await c.external({ method: 'GET', url: externalUrl });
    const chunks: string[] = [];
    await c.stream({ url: externalUrl.replace(/\/[^/]*$/, '/stream') }, (chunk) => chunks.push(chunk));
    let denied: unknown;
    try {
      await c.files.read('../../../etc/passwd');
    } catch (error) {
      denied = {
        name: (error as Error).name,
        status: (error as { status?: number }).status,
        detail: (error as { body?: { detail?: string } }).body?.detail,
      };
    }
    const globals = window as unknown as { artifactGateway: unknown; ohwise: unknown };
    report({
      query,
      written,
      read,
      set,
      got: got.data?.data,
      external: { status: external.status, body: external.body },
      streamed: chunks.join(''),
      denied,
      sameGlobal: globals.artifactGateway === globals.ohwise,
      proxyBase: c.proxyBase,
    });
    document.body.textContent = `Notes: ${String(query.rows[0]?.[0])}`;
  } catch (error) {
    report({ error: String(error) });
  }
};
