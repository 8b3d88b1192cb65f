// Runs in headless Chromium (bundled by @x/tooling/browser, driven by ../chromium.node.test.ts) and in Bun, Deno
// and workerd (@x/tooling/runtimes, ../client.runtimes.test.ts): AukiClient
// from the package's main entry against the fake auth API and discovery service on other loopback origins.
import { AukiClient, type AukiClientOptions, AukiDomainAccessDeniedError } from '../../src/index.ts';

/** Where the fake is, the fake's time, and who signs in. */
export interface PageConfig {
  apiUrl: string;
  refreshUrl: string;
  ddsUrl: string;
  clientId: string;
  nowMs: number;
  email: string;
  password: string;
}

let options: AukiClientOptions;
let client: AukiClient;

export function setup(config: PageConfig): void {
  const { nowMs, email, password, ...urls } = config;
  options = { ...urls, now: () => nowMs };
  client = new AukiClient({ ...options, credentials: { type: 'email', email, password } });
}

/** 20 concurrent calls for one domain, then a second domain. */
export async function chain() {
  const all = await Promise.all(Array.from({ length: 20 }, () => client.getDomainAccess('domain-1')));
  const second = await client.getDomainAccess('domain-2');
  return {
    ids: [...new Set(all.map((a) => a.id))],
    tokens: new Set(all.map((a) => a.accessToken)).size,
    second: second.id,
    server: second.domainServer.url,
  };
}

/** A refused domain, as plain data. */
export async function paid() {
  try {
    await client.getDomainAccess('paid');
    return undefined;
  } catch (error) {
    const e = error as AukiDomainAccessDeniedError;
    return {
      typed: AukiDomainAccessDeniedError.isInstance(e),
      code: e.code,
      status: e.status,
      isPaymentRequired: e.isPaymentRequired,
    };
  }
}

/** Save with a WebCrypto-made key, restore, and read the domain from the restored cache. */
export async function saveAndRestore() {
  const secretKey = crypto.getRandomValues(new Uint8Array(32));
  const saved = await client.saveState({ secretKey });
  const restored = await AukiClient.fromState(saved, { ...options, secretKey });
  return {
    sealed: 'sealed_refresh_token' in JSON.parse(saved).network_auth,
    domain: restored.getCachedDomainAccess('domain-1')?.id,
  };
}
