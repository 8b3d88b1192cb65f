import { startTestServer, type TestServer } from '@x/http-core/testing';
import { type FakeInkPass, type FakeOrganization, type FakeUser, startFakeInkPass } from '@x/inkpass/testing';
import { Hono } from 'hono';
import { decodeJwt } from 'jose';
import type { WallClock } from '../clock.ts';

/** The demo account the sandbox seeds, so a client can log in at once. */
export const INKPASS_DEMO = {
  email: 'demo@sandbox.test',
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

const KEPT = 200;
const HOP_BY_HOP = ['host', 'connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'expect'];

function bearerEmail(authorization: string | undefined): string | undefined {
  if (!authorization?.startsWith('Bearer ')) return undefined;
  try {
    const email = decodeJwt(authorization.slice(7))['email'];
    return typeof email === 'string' ? email : undefined;
  } catch {
    return undefined;
  }
}

function keep<T>(items: T[], item: T): void {
  items.push(item);
  if (items.length > KEPT) items.splice(0, items.length - KEPT);
}

/**
 * Starts the fake inkPass on an ephemeral port with a demo organisation and user, and a front on `port`
 * that forwards every request unchanged and notes the answers of permission checks and API-key creation:
 * the fake keeps neither where a console could read them, and the front sees exactly what a client sees.
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

  const front = new Hono();
  front.all('*', async (c) => {
    const incoming = new URL(c.req.url);
    const request = c.req.raw;
    const headers = new Headers(request.headers);
    for (const name of HOP_BY_HOP) headers.delete(name);
    const check = request.method === 'POST' && incoming.pathname === '/api/v1/auth/check';
    const createKey = request.method === 'POST' && incoming.pathname === '/api/v1/api-keys';
    const contextText = check ? await request.clone().text() : '';
    const hasBody = request.method !== 'GET' && request.method !== 'HEAD';
    const answer = await fetch(`${fake.url}${incoming.pathname}${incoming.search}`, {
      method: request.method,
      headers,
      redirect: 'manual',
      ...(hasBody ? { body: request.body, duplex: 'half' } : {}),
    } as RequestInit);
    if (check || createKey) {
      const body = (await answer
        .clone()
        .json()
        .catch(() => undefined)) as Record<string, unknown> | undefined;
      if (check) {
        const outcome =
          answer.ok && typeof body?.['has_permission'] === 'boolean'
            ? body['has_permission']
              ? 'allow'
              : 'deny'
            : `error ${answer.status}`;
        keep(decisions, {
          at: clock.now(),
          user: body?.['user_id']
            ? emailOf(body['user_id'])
            : (bearerEmail(c.req.header('authorization')) ?? ''),
          permission: `${incoming.searchParams.get('resource') ?? '?'}:${incoming.searchParams.get('action') ?? '?'}`,
          context: compactJson(contextText),
          outcome,
        });
      } else if (answer.status === 201 && body) {
        keep(apiKeys, {
          at: clock.now(),
          id: String(body['id'] ?? ''),
          name: String(body['name'] ?? ''),
          scopes: Array.isArray(body['scopes']) ? body['scopes'].map(String) : [],
          owner: bearerEmail(c.req.header('authorization')) ?? '',
          expires: typeof body['expires_at'] === 'string' ? body['expires_at'] : 'never',
        });
      }
    }
    const responseHeaders = new Headers(answer.headers);
    // fetch has already decoded the body, so its encoding and length no longer describe it.
    if (responseHeaders.has('content-encoding')) {
      responseHeaders.delete('content-encoding');
      responseHeaders.delete('content-length');
    }
    return new Response(answer.body, { status: answer.status, headers: responseHeaders });
  });

  let server: TestServer;
  try {
    server = await startTestServer(front, { port });
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
