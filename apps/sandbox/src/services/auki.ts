import { type FakeAuki, type FakeAukiConfig, startFakeAuki } from '@x/auki/testing';
import type { TestServer, WallClock } from '@x/http-core/testing';
import { decodeJwt } from 'jose';
import { type FrontExchange, keepNewest, startRecordingFront } from './front.ts';

/** The account and domains the sandbox's Auki knows. */
export const AUKI_DEMO = {
  email: 'demo@sandbox.example.com',
  password: 'SandboxPassword123!',
  domains: ['domain-1', 'domain-2'],
  /** A domain that answers 402, to see a refused grant. */
  paidDomain: 'domain-paid',
} as const;

/** A token Auki issued (never the token itself). */
export interface AukiTokenIssued {
  /** Epoch ms. */
  at: number;
  /** `network` (login), `network (refresh)` or `discovery`. */
  kind: string;
  /** The token's subject. */
  subject: string;
  /** Its expiry, epoch ms (0 when unknown). */
  expiresAt: number;
}

/** One domain access request and what the discovery service answered. */
export interface AukiDomainGrant {
  /** Epoch ms. */
  at: number;
  /** The domain's id. */
  domain: string;
  /** Who asked (the access token's subject, when granted). */
  subject: string;
  /** `granted`, or the refusal (`402 payment_required`, …). */
  outcome: string;
  /** The domain server's URL, when granted. */
  server: string;
  /** The access token's expiry, epoch ms (0 when refused). */
  expiresAt: number;
}

/** The sandbox's Auki: auth API and discovery behind recording fronts on fixed ports. */
export interface SandboxAuki {
  /** The fake (its clock follows the wall clock). */
  fake: FakeAuki;
  /** What a client needs: `new AukiClient({ ...auki.config('my-app'), credentials })`. */
  config(clientId?: string): FakeAukiConfig;
  /** The demo account. */
  demo: { email: string; password: string };
  /** Tokens issued, oldest first. */
  tokens: AukiTokenIssued[];
  /** Domain access requests, oldest first. */
  grants: AukiDomainGrant[];
  /** Stops the fronts and the fake. */
  close(): Promise<void>;
}

function claimsOf(token: unknown): { sub: string; exp: number } {
  try {
    const claims = decodeJwt(String(token));
    return { sub: String(claims.sub ?? ''), exp: (claims.exp ?? 0) * 1000 };
  } catch {
    return { sub: '', exp: 0 };
  }
}

/** Starts the fake Auki with a demo account and the auth API on `apiPort`, discovery on `ddsPort`. */
export async function startSandboxAuki(
  apiPort: number,
  ddsPort: number,
  clock: WallClock,
): Promise<SandboxAuki> {
  const fake = await startFakeAuki({
    clock,
    users: [{ email: AUKI_DEMO.email, password: AUKI_DEMO.password }],
    domains: [...AUKI_DEMO.domains, { id: AUKI_DEMO.paidDomain, paymentRequired: true }],
  });
  const tokens: AukiTokenIssued[] = [];
  const grants: AukiDomainGrant[] = [];
  const noteToken = ({ url, status, json }: FrontExchange) => {
    if (status !== 200 || !json) return;
    const kind =
      url.pathname === '/user/login'
        ? 'network'
        : url.pathname === '/user/refresh'
          ? 'network (refresh)'
          : 'discovery';
    const { sub, exp } = claimsOf(json['access_token']);
    keepNewest(tokens, { at: clock.now(), kind, subject: sub, expiresAt: exp });
  };
  const noteGrant = ({ url, status, json }: FrontExchange) => {
    const domain = decodeURIComponent(url.pathname.split('/')[4] ?? '');
    const { sub, exp } = status === 200 ? claimsOf(json?.['access_token']) : { sub: '', exp: 0 };
    const server = (json?.['domain_server'] as { url?: unknown } | undefined)?.url;
    keepNewest(grants, {
      at: clock.now(),
      domain,
      subject: sub,
      outcome: status === 200 ? 'granted' : `${status} ${String(json?.['error'] ?? '')}`.trim(),
      server: typeof server === 'string' ? server : '',
      expiresAt: exp,
    });
  };

  const servers: TestServer[] = [];
  const close = async () => {
    for (const server of servers) await server.close();
    await fake.close();
  };
  try {
    servers.push(
      await startRecordingFront(fake.apiUrl, {
        port: apiPort,
        wants: (method, path) =>
          method === 'POST' &&
          ['/user/login', '/user/refresh', '/service/domains-access-token'].includes(path),
        note: noteToken,
      }),
    );
    servers.push(
      await startRecordingFront(fake.ddsUrl, {
        port: ddsPort,
        wants: (method, path) => method === 'POST' && /^\/api\/v1\/domains\/[^/]+\/auth$/.test(path),
        note: noteGrant,
      }),
    );
  } catch (error) {
    await close();
    throw error;
  }
  const [api, dds] = servers as [TestServer, TestServer];
  return {
    fake,
    config: (clientId = 'sandbox-app') => ({
      apiUrl: api.url,
      refreshUrl: `${api.url}/user/refresh`,
      ddsUrl: dds.url,
      clientId,
    }),
    demo: { email: AUKI_DEMO.email, password: AUKI_DEMO.password },
    tokens,
    grants,
    close,
  };
}
