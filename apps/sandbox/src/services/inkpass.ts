import type { TestServer, WallClock } from '@x/http-core/testing';
import { type FakeInkPass, type FakeOrganization, type FakeUser, startFakeInkPass } from '@x/inkpass/testing';
import { decodeJwt } from 'jose';
import { type FrontExchange, keepNewest, startRecordingFront } from './front.ts';

/** The demo account the sandbox seeds, so a client can log in at once. */
export const INKPASS_DEMO = {
  email: 'demo@sandbox.example.com',
  password: 'SandboxPassword123!',
  organization: 'Sandbox Org',
} as const;

/** One answer of `POST /api/v1/auth/check`, as the approver sees it. */
export interface PermissionDecision {
  /** Epoch ms. */
  at: number;
  /** The user's email (or id when unknown). */
  user: string;
  /** `resource:action`. */
  permission: string;
  /** The ABAC context sent with the check, as JSON (`{}` when none). */
  context: string;
  /** `allow`, `deny`, or `error <status>` when inkPass refused the check itself. */
  outcome: string;
}

/** An API key inkPass issued (never its secret). */
export interface IssuedApiKey {
  /** Epoch ms. */
  at: number;
  /** The key's id. */
  id: string;
  /** Its name. */
  name: string;
  /** Its scopes. */
  scopes: string[];
  /** Who created it (email). */
  owner: string;
  /** Its expiry as inkPass wrote it, or `never`. */
  expires: string;
}

/** The sandbox's inkPass: the fake behind a front that records what the console shows. */
export interface SandboxInkPass {
  /** Where clients connect (the front). */
  url: string;
  /** The fake itself (seeding API, users, files). */
  fake: FakeInkPass;
  /** The seeded demo user and organisation. */
  demo: { user: FakeUser; organization: FakeOrganization; email: string; password: string };
  /** Permission checks, oldest first. */
  decisions: PermissionDecision[];
  /** API keys issued, oldest first. */
  apiKeys: IssuedApiKey[];
  /** Stops the front and the fake. */
  close(): Promise<void>;
}

function bearerEmail(authorization: string | undefined): string | undefined {
  if (!authorization?.startsWith('Bearer ')) return undefined;
  try {
    const email = decodeJwt(authorization.slice(7))['email'];
    return typeof email === 'string' ? email : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Starts the fake inkPass on an ephemeral port with a demo organisation and user, and a recording front on
 * `port` that notes the answers of permission checks and API-key creation.
 */
export async function startSandboxInkPass(port: number, clock: WallClock): Promise<SandboxInkPass> {
  const fake = await startFakeInkPass({ clock });
  const organization = fake.seed.organization({ name: INKPASS_DEMO.organization });
  const user = fake.seed.user({
    email: INKPASS_DEMO.email,
    password: INKPASS_DEMO.password,
    firstName: 'Demo',
    lastName: 'User',
    organizationId: organization.id,
    role: 'owner',
  });
  const decisions: PermissionDecision[] = [];
  const apiKeys: IssuedApiKey[] = [];
  const emailOf = (userId: unknown) =>
    (typeof userId === 'string' ? fake.users.get(userId)?.email : undefined) ?? String(userId ?? '');

  const note = ({ url, headers, requestBody, status, json }: FrontExchange) => {
    const owner = bearerEmail(headers.get('authorization') ?? undefined) ?? '';
    if (url.pathname === '/api/v1/auth/check') {
      const allowed = json?.['has_permission'];
      keepNewest(decisions, {
        at: clock.now(),
        user: json?.['user_id'] ? emailOf(json['user_id']) : owner,
        permission: `${url.searchParams.get('resource') ?? '?'}:${url.searchParams.get('action') ?? '?'}`,
        context: compactJson(requestBody),
        outcome: typeof allowed === 'boolean' ? (allowed ? 'allow' : 'deny') : `error ${status}`,
      });
    } else if (status === 201 && json) {
      keepNewest(apiKeys, {
        at: clock.now(),
        id: String(json['id'] ?? ''),
        name: String(json['name'] ?? ''),
        scopes: Array.isArray(json['scopes']) ? json['scopes'].map(String) : [],
        owner,
        expires: typeof json['expires_at'] === 'string' ? json['expires_at'] : 'never',
      });
    }
  };
  let server: TestServer;
  try {
    server = await startRecordingFront(fake.url, {
      port,
      wants: (method, path) =>
        method === 'POST' && (path === '/api/v1/auth/check' || path === '/api/v1/api-keys'),
      note,
    });
  } catch (error) {
    await fake.close();
    throw error;
  }
  return {
    url: server.url,
    fake,
    demo: { user, organization, email: INKPASS_DEMO.email, password: INKPASS_DEMO.password },
    decisions,
    apiKeys,
    async close() {
      await server.close();
      await fake.close();
    },
  };
}

/** The check's body as one line of JSON; `{}` when there was none. */
function compactJson(text: string): string {
  if (!text.trim()) return '{}';
  try {
    return JSON.stringify(JSON.parse(text));
  } catch {
    return text.slice(0, 200);
  }
}
