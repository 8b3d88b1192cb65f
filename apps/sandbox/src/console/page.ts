// The console page: one HTML document with its style and a small script, no framework. The script renders
// the panels' plain data (see panel.ts) with textContent only, so nothing a service holds (a decrypted
// artifact, a user name) can inject markup, and it keeps each row's element while the row is unchanged so
// a half-typed reason survives live updates.

const STYLE = `
:root { color-scheme: light dark; --fg: #1b1f24; --muted: #59636e; --line: #d0d7de; --bg: #ffffff;
  --card: #f6f8fa; --accent: #0b5cad; --danger: #b42318; --ok: #1a7f37; }
@media (prefers-color-scheme: dark) { :root { --fg: #e6edf3; --muted: #9198a1; --line: #3d444d;
  --bg: #0d1117; --card: #151b23; --accent: #58a6ff; --danger: #f85149; --ok: #3fb950; } }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.45 system-ui, sans-serif; color: var(--fg); background: var(--bg); }
header { position: sticky; top: 0; z-index: 1; display: flex; flex-wrap: wrap; gap: .5rem 1.5rem;
  align-items: center; padding: .6rem 1.2rem; background: var(--card); border-bottom: 1px solid var(--line); }
header h1 { font-size: 1.1rem; margin: 0; }
nav a { color: var(--accent); margin-right: .9rem; }
#status { margin-left: auto; color: var(--muted); min-height: 1.4em; }
#status.error { color: var(--danger); }
main { padding: .5rem 1.2rem 3rem; max-width: 1200px; }
section.panel { margin-top: 1.2rem; }
section.panel > h2 { font-size: 1.2rem; margin: .6rem 0 .2rem; }
dl.facts { display: flex; flex-wrap: wrap; gap: .2rem 1.2rem; margin: 0 0 .6rem; color: var(--muted); font-size: .85rem; }
dl.facts dt::after { content: ':'; } dl.facts dd { margin: 0 0 0 .3rem; font-family: ui-monospace, monospace; word-break: break-all; }
dl.facts div { display: flex; }
h3 { font-size: 1rem; margin: 1rem 0 .3rem; }
h3 .count { color: var(--muted); font-weight: normal; }
table { border-collapse: collapse; width: 100%; font-size: .9rem; }
th, td { text-align: left; padding: .35rem .5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
th { color: var(--muted); font-weight: 600; }
td.mono, td:first-child { font-family: ui-monospace, monospace; font-size: .85rem; word-break: break-all; }
tr.detail td { border-bottom: 1px solid var(--line); padding-top: 0; }
pre { margin: 0; padding: .4rem .6rem; background: var(--card); border-radius: 6px; white-space: pre-wrap; word-break: break-word; }
.actions { display: flex; flex-wrap: wrap; gap: .4rem; align-items: center; }
.actions label { display: flex; gap: .3rem; align-items: center; color: var(--muted); }
input { font: inherit; padding: .2rem .4rem; border: 1px solid var(--line); border-radius: 6px; background: var(--bg); color: var(--fg); min-width: 14rem; }
button { font: inherit; padding: .25rem .8rem; border-radius: 6px; border: 1px solid var(--accent); background: var(--accent); color: #fff; cursor: pointer; }
button.danger { background: transparent; color: var(--danger); border-color: var(--danger); }
button:focus-visible, input:focus-visible, a:focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
p.empty { color: var(--muted); margin: .2rem 0; }
td.good { color: var(--ok); font-weight: 600; } td.bad { color: var(--danger); font-weight: 600; }
`;

const SCRIPT = `
const main = document.querySelector('main');
const nav = document.querySelector('nav');
const statusLine = document.getElementById('status');
const rows = new Map();
let seen = new Set();

function el(tag, props, ...children) {
  const node = document.createElement(tag);
  Object.assign(node, props);
  for (const child of children) if (child != null) node.append(child);
  return node;
}

// Outcomes read at a glance: allowed / approved / 2xx in green, denied / rejected / errors in red.
const GOOD = /^(allow|approved?|granted|matches|completed|[23]\\d\\d)$/i;
const BAD = /^(deny|denied|reject(ed)?|revoked|mismatch|error\\b.*|[45]\\d\\d\\b.*)$/i;
function tone(value) {
  return GOOD.test(value) ? 'good' : BAD.test(value) ? 'bad' : '';
}

function say(text, isError) {
  statusLine.textContent = text;
  statusLine.className = isError ? 'error' : '';
}

async function act(panelId, rowKey, action, form) {
  const inputs = {};
  for (const input of form.querySelectorAll('input')) inputs[input.name] = input.value;
  say(action + ' ' + rowKey + '…');
  try {
    const response = await fetch('/api/panels/' + encodeURIComponent(panelId) + '/actions/' + encodeURIComponent(action), {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-sandbox-console': '1' },
      body: JSON.stringify({ key: rowKey, inputs }),
    });
    const body = await response.json();
    if (response.ok) say(body.message);
    else say(body.error || 'failed (' + response.status + ')', true);
  } catch (error) {
    say('The sandbox is not answering: ' + error.message, true);
  }
}

function rowElements(panel, list, row) {
  const id = panel.id + '/' + list.id + '/' + row.key;
  seen.add(id);
  const text = JSON.stringify(row);
  const known = rows.get(id);
  if (known && known.text === text) return known.nodes;
  const tr = el('tr', { id: 'row-' + id });
  for (const column of list.columns) {
    const value = row.cells[column.key] ?? '';
    tr.append(el('td', { textContent: value, className: tone(value) }));
  }
  const nodes = [tr];
  if (row.actions && row.actions.length) {
    const form = el('form', { className: 'actions', ariaLabel: 'Actions for ' + row.key });
    form.addEventListener('submit', (event) => event.preventDefault());
    const inputs = new Map();
    for (const action of row.actions)
      for (const input of action.inputs || [])
        if (!inputs.has(input.name)) {
          const field = el('input', { name: input.name, placeholder: input.placeholder || '', value: known?.values?.[input.name] ?? '' });
          inputs.set(input.name, field);
          form.append(el('label', {}, input.label + ' ', field));
        }
    for (const action of row.actions) {
      const button = el('button', { type: 'button', textContent: action.label, className: action.danger ? 'danger' : '' });
      button.setAttribute('aria-label', action.label + ' ' + row.key);
      button.dataset.action = action.action;
      button.addEventListener('click', () => act(panel.id, row.key, action.action, form));
      form.append(button);
    }
    tr.append(el('td', {}, form));
  } else if (list.rows.some((r) => r.actions && r.actions.length)) {
    tr.append(el('td'));
  }
  if (row.detail) {
    const cell = el('td', { colSpan: list.columns.length + 1 }, el('pre', { textContent: row.detail }));
    nodes.push(el('tr', { className: 'detail' }, cell));
  }
  const entry = { text, nodes, values: {} };
  for (const input of tr.querySelectorAll('input'))
    input.addEventListener('input', () => { entry.values[input.name] = input.value; });
  rows.set(id, entry);
  return nodes;
}

function renderList(panel, list) {
  const withActions = list.rows.some((r) => r.actions && r.actions.length);
  const section = el('div', { className: 'list', id: panel.id + '-' + list.id });
  const title = el('h3', { textContent: list.title + ' ' }, el('span', { className: 'count', textContent: '(' + list.rows.length + ')' }));
  section.append(title);
  if (!list.rows.length) {
    section.append(el('p', { className: 'empty', textContent: list.empty }));
    return section;
  }
  const head = el('tr');
  for (const column of list.columns) head.append(el('th', { scope: 'col', textContent: column.label }));
  if (withActions) head.append(el('th', { scope: 'col', textContent: 'actions' }));
  const body = el('tbody');
  for (const row of list.rows) body.append(...rowElements(panel, list, row));
  section.append(el('table', {}, el('thead', {}, head), body));
  return section;
}

let navText = '';

function render(state) {
  const active = document.activeElement;
  const focusedRow = active && active.closest('tr') ? active.closest('tr') : null;
  const focused = focusedRow ? active : null;
  const sections = [];
  seen = new Set();
  // The links are rebuilt only when the services change, so focus on one survives live updates.
  const titles = JSON.stringify(state.panels.map((panel) => [panel.id, panel.title]));
  if (titles !== navText) {
    navText = titles;
    nav.replaceChildren(...state.panels.map((panel) => el('a', { href: '#' + panel.id, textContent: panel.title })));
  }
  for (const panel of state.panels) {
    const section = el('section', { className: 'panel', id: panel.id });
    section.setAttribute('aria-labelledby', panel.id + '-title');
    section.append(el('h2', { id: panel.id + '-title', textContent: panel.title }));
    const facts = el('dl', { className: 'facts' });
    for (const fact of panel.facts) facts.append(el('div', {}, el('dt', { textContent: fact.label }), el('dd', { textContent: fact.value })));
    section.append(facts);
    for (const list of panel.lists) section.append(renderList(panel, list));
    sections.push(section);
  }
  main.replaceChildren(...sections);
  for (const id of rows.keys()) if (!seen.has(id)) rows.delete(id);
  if (focused && document.contains(focused)) focused.focus();
  else if (focusedRow) {
    // The row changed under the keyboard (e.g. one of two approvals is in): stay on the same row, on the
    // same action if it is still there, else on the row's first remaining control.
    const row = document.getElementById(focusedRow.id);
    const same = focused.dataset.action
      ? row && row.querySelector('[data-action="' + CSS.escape(focused.dataset.action) + '"]')
      : row && focused.name && row.querySelector('input[name="' + CSS.escape(focused.name) + '"]');
    const target = same || (row && row.querySelector('button, input'));
    if (target) target.focus();
  }
  document.body.dataset.updated = String(Date.now());
}

const events = new EventSource('/api/events');
events.addEventListener('state', (event) => render(JSON.parse(event.data)));
events.addEventListener('open', () => say('live'));
events.addEventListener('error', () => say('reconnecting to the sandbox…', true));
`;

/** The console's HTML document. */
export function consolePage(): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sandbox approver console</title>
<style>${STYLE}</style>
</head>
<body>
<header>
  <h1>Sandbox approver console</h1>
  <nav aria-label="Services"></nav>
  <p id="status" role="status" aria-live="polite">connecting…</p>
</header>
<main></main>
<script type="module">${SCRIPT}</script>
</body>
</html>`;
}
