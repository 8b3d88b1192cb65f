/**
 * @x/artifact-gateway/host: the host page's half of the postMessage protocol. It answers the artifact
 * iframe's `artifact-gateway:ready` with `{type: 'artifact-gateway:init', token, proxyBase}` — only to that
 * iframe's window and only to its origin — and re-sends when the token changes.
 *
 * @module
 */

/** Options of {@link connectArtifact}. */
export interface ConnectArtifactOptions {
  /** The artifact's iframe. */
  iframe: HTMLIFrameElement;
  /** The app token for this artifact. */
  token: string;
  /** The gateway base the artifact calls, ending with `/` (e.g. `https://host.example/api/lab/app/`). */
  proxyBase: string;
  /**
   * The origin the init is posted to. Default: the origin of `iframe.src`. An iframe sandboxed without
   * `allow-same-origin` has an opaque origin: pass `'*'` explicitly then (the source check still applies).
   */
  targetOrigin?: string;
}

/** A connected artifact. */
export interface ArtifactHost {
  /** Replaces the token (e.g. after a refresh) and re-sends the init. */
  setToken(token: string): void;
  /** Sends the init now. */
  sendInit(): void;
  /** Stops answering. */
  disconnect(): void;
}

function defaultTarget(iframe: HTMLIFrameElement): string {
  const sandbox = iframe.getAttribute('sandbox');
  if (sandbox !== null && !sandbox.split(/\s+/).includes('allow-same-origin'))
    throw new Error(
      'The iframe is sandboxed without allow-same-origin (an opaque origin): pass targetOrigin explicitly',
    );
  const src = iframe.src || iframe.getAttribute('src');
  if (!src) throw new Error('The iframe has no src: set it before connecting, or pass targetOrigin');
  return new URL(src, iframe.ownerDocument.baseURI).origin;
}

/**
 * Answers the artifact's ready messages with its token.
 *
 * @example
 * ```ts
 * const host = connectArtifact({ iframe, token, proxyBase: '/api/lab/app/' });
 * // later, after refreshing the token on the server:
 * host.setToken(freshToken);
 * ```
 */
export function connectArtifact(options: ConnectArtifactOptions): ArtifactHost {
  const { iframe } = options;
  const targetOrigin = options.targetOrigin ?? defaultTarget(iframe);
  const proxyBase = new URL(options.proxyBase, iframe.ownerDocument.baseURI).href;
  let token = options.token;
  const win = iframe.ownerDocument.defaultView!;
  const sendInit = () => {
    iframe.contentWindow?.postMessage({ type: 'artifact-gateway:init', token, proxyBase }, targetOrigin);
  };
  const onMessage = (event: MessageEvent) => {
    if (event.source !== iframe.contentWindow) return;
    if (targetOrigin !== '*' && event.origin !== targetOrigin) return;
    if ((event.data as { type?: unknown } | null)?.type === 'artifact-gateway:ready') sendInit();
  };
  win.addEventListener('message', onMessage);
  return {
    setToken(fresh) {
      token = fresh;
      sendInit();
    },
    sendInit,
    disconnect() {
      win.removeEventListener('message', onMessage);
    },
  };
}

/** Options of {@link embedArtifact}. */
export interface EmbedArtifactOptions extends Omit<ConnectArtifactOptions, 'iframe'> {
  /** Where to put the iframe. */
  container: HTMLElement;
  /** The artifact's URL (serve it from an origin of its own). */
  src: string;
  /** The iframe's sandbox (default `allow-scripts allow-same-origin allow-forms`; safe only for a separate origin). */
  sandbox?: string;
  /** The iframe's title (accessibility). */
  title?: string;
}

/** What {@link embedArtifact} returns. */
export interface EmbeddedArtifact {
  /** The iframe it created. */
  iframe: HTMLIFrameElement;
  /** The connection answering its ready messages. */
  host: ArtifactHost;
}

/**
 * Creates the artifact iframe in `container` and connects it.
 *
 * @example
 * ```ts
 * const { iframe, host } = embedArtifact({ container, src: 'https://artifacts.example/app.html', token, proxyBase });
 * ```
 */
export function embedArtifact(options: EmbedArtifactOptions): EmbeddedArtifact {
  const iframe = options.container.ownerDocument.createElement('iframe');
  iframe.setAttribute('sandbox', options.sandbox ?? 'allow-scripts allow-same-origin allow-forms');
  iframe.title = options.title ?? 'Artifact';
  iframe.src = options.src;
  const host = connectArtifact({ ...options, iframe });
  options.container.appendChild(iframe);
  return { iframe, host };
}
