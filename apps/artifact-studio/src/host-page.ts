// The host page (the platform's UI): gets an app token from its own server, embeds the artifact from the
// artifact origin and hands it the token and proxy base through @x/artifact-gateway/host.
import { embedArtifact } from '@x/artifact-gateway/host';

const config = (await (await fetch('/config')).json()) as {
  artifactUrl: string;
  proxyBase: string;
  quoteUrl: string;
};
const { token } = (await (await fetch('/token', { method: 'POST' })).json()) as { token: string };
document.body.innerHTML = `<header style="font: 600 18px system-ui; padding: 12px; background: #1d3557; color: white">
  Artifact Studio — a generated app, sandboxed behind the gateway</header><div id="frame"></div>`;
const src = `${config.artifactUrl}?${new URLSearchParams({ host: location.origin, quote: config.quoteUrl })}`;
const { iframe } = embedArtifact({
  container: document.getElementById('frame')!,
  src,
  token,
  proxyBase: config.proxyBase,
  title: 'Notes app',
});
iframe.style.cssText = 'width: 100%; height: 520px; border: 0';
