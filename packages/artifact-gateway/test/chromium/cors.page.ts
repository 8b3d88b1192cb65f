// Runs in Chromium for cors.node.test.ts: calls a gateway on another origin, from the page itself and from a
// sandboxed iframe whose origin is opaque (`null`).

/** What one call gave: the status and JSON body, or the error a CORS refusal raises. */
export type CallResult = { status: number; body: unknown } | { error: string };

const QUERY = JSON.stringify({ sql: 'SELECT 42 AS answer', params: [] });

/** POSTs a DuckDB query with the token, as the artifact client does. */
export async function query(url: string, token: string): Promise<CallResult> {
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: QUERY,
    });
    return { status: res.status, body: await res.json() };
  } catch (error) {
    return { error: String(error) };
  }
}

/** The same call from an iframe sandboxed without `allow-same-origin`. */
export function queryFromSandbox(url: string, token: string): Promise<CallResult> {
  const frame = document.createElement('iframe');
  frame.setAttribute('sandbox', 'allow-scripts');
  const script = `
    fetch(${JSON.stringify(url)}, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: ${JSON.stringify(`Bearer ${token}`)} },
      body: ${JSON.stringify(QUERY)},
    })
      .then(async (res) => parent.postMessage({ origin: self.origin, status: res.status, body: await res.json() }, '*'))
      .catch((error) => parent.postMessage({ origin: self.origin, error: String(error) }, '*'));`;
  frame.srcdoc = `<!doctype html><script>${script}</script>`;
  return new Promise((resolve) => {
    const onMessage = (event: MessageEvent) => {
      if (event.source !== frame.contentWindow) return;
      window.removeEventListener('message', onMessage);
      frame.remove();
      const { origin, ...result } = event.data as CallResult & { origin: string };
      if (origin !== 'null') resolve({ error: `the sandbox had origin ${origin}, not null` });
      else resolve(result);
    };
    window.addEventListener('message', onMessage);
    document.body.append(frame);
  });
}
