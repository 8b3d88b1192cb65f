// The host page's side: embeds the artifact from another origin and hands it its token with
// `@x/artifact-gateway/host`, then waits for the artifact's report.
import { embedArtifact } from '../../src/host/index.ts';

/** Embeds the artifact and resolves with its report, or `'no-result'` after `waitMs`. */
export async function embed(src: string, token: string, proxyBase: string, waitMs: number): Promise<unknown> {
  const container = document.createElement('div');
  document.body.appendChild(container);
  const { iframe } = embedArtifact({ container, src, token, proxyBase });
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve('no-result'), waitMs);
    window.addEventListener('message', (event) => {
      if (event.source !== iframe.contentWindow || event.data?.type !== 'artifact-result') return;
      clearTimeout(timer);
      resolve(event.data.result);
    });
  });
}

/** Posts a forged init to every frame from this page (the wrong origin for an artifact that allows another). */
export function forgeInit(token: string): void {
  for (const frame of Array.from(document.querySelectorAll('iframe')))
    frame.contentWindow?.postMessage({ type: 'artifact-gateway:init', token, proxyBase: '/evil/' }, '*');
}
