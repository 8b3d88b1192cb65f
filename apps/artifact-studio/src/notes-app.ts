// The "AI-generated" artifact: a small notes app. It only knows the gateway client; everything it stores
// goes through the gateway (DuckDB for notes, files for the export, state for its settings), and it shows a
// quote from an external API reached through the gateway's proxy.
import { autoInstall } from '@x/artifact-gateway/client';

const params = new URL(location.href).searchParams;
const hostOrigin = params.get('host') ?? undefined;
const quoteUrl = params.get('quote') ?? 'https://quotes.local/v1/quote';
const client = autoInstall(hostOrigin ? { allowedOrigins: [hostOrigin] } : {})!;

document.body.innerHTML = `
  <main style="font: 16px system-ui; padding: 16px; background: #f7f3e8; min-height: 100vh; box-sizing: border-box">
    <h1 style="margin: 0 0 8px; color: #1d3557">Notes</h1>
    <p id="status" style="color: #555">Waiting for the host…</p>
    <form id="add"><input id="text" placeholder="A new note" style="font-size: 16px; padding: 4px">
      <button style="font-size: 16px; background: #e63946; color: white; border: 0; padding: 5px 12px">Add</button></form>
    <ol id="notes"></ol>
    <blockquote id="quote" style="border-left: 4px solid #457b9d; padding-left: 8px; color: #1d3557"></blockquote>
    <p id="export" style="color: #2a9d8f"></p>
  </main>`;
const $ = (id: string) => document.getElementById(id)!;

async function render() {
  const { rows } = await client.db.userQuery('notes', 'SELECT id, body FROM notes ORDER BY id');
  $('notes').innerHTML = '';
  for (const [id, body] of rows) {
    const li = document.createElement('li');
    li.textContent = String(body);
    li.dataset.id = String(id);
    $('notes').appendChild(li);
  }
  const markdown = rows.map(([, body]) => `- ${String(body)}`).join('\n');
  const written = await client.files.write('exports/notes.md', `# Notes\n${markdown}\n`);
  $('export').textContent = `Exported ${written.bytes} bytes to ${written.path}`;
  await client.state.set('settings', 'notes-app', { count: rows.length });
}

let ready = false;
client.onReady = async (c) => {
  if (ready) return;
  ready = true;
  await c.db.userExec('notes', 'CREATE TABLE IF NOT EXISTS notes (id INTEGER, body TEXT)');
  const quote = await c.external({ method: 'GET', url: quoteUrl });
  $('quote').textContent = (quote.body as { text?: string }).text ?? `quote service answered ${quote.status}`;
  await render();
  $('status').textContent = 'Connected to the gateway';
};

$('add').addEventListener('submit', async (event) => {
  event.preventDefault();
  const input = $('text') as HTMLInputElement;
  if (!input.value.trim()) return;
  const { rows } = await client.db.userQuery('notes', 'SELECT coalesce(max(id), 0) + 1 FROM notes');
  await client.db.userExec('notes', 'INSERT INTO notes VALUES (?, ?)', [rows[0]![0] as number, input.value]);
  input.value = '';
  await render();
});
