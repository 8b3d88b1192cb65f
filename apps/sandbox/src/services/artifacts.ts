import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { issueAppToken, scopeFromRole } from '@x/artifact-gateway';
import { type ArtifactGateway, createArtifactGateway } from '@x/artifact-gateway/node';
import { startTestServer, type WallClock } from '@x/http-core/testing';
import { Hono } from 'hono';
import { keepNewest } from './front.ts';

/** Where the sandbox mounts the gateway (the artifact client's default proxy base). */
export const ARTIFACT_BASE_PATH = '/api/app';

/** One gateway request as its request log reports it (no token, no body). */
export interface GatewayRequest {
  /** Epoch ms. */
  at: number;
  /** HTTP method. */
  method: string;
  /** The route pattern, e.g. `/api/app/db/user/:name/query`. */
  route: string;
  /** The token's user, when the token was valid. */
  user: string;
  /** The HTTP status. */
  status: number;
  /** Time in the gateway, ms. */
  durationMs: number;
}

/** The sandbox's artifact gateway. */
export interface SandboxArtifacts {
  /** The server's URL. */
  url: string;
  /** The proxy base to give `createClient`, e.g. `http://127.0.0.1:4708/api/app/`. */
  proxyBase: string;
  /** The secret app tokens are signed with. */
  secretKey: string;
  /** The workspace: per-user DuckDB files and files live under it (removed by `close`). */
  workspace: string;
  /** The gateway app. */
  gateway: ArtifactGateway;
  /** The request log, oldest first. */
  requests: GatewayRequest[];
  /** Issues an app token for `userId` with the scopes of `role` (default `member`). */
  issueToken(userId?: string, role?: string): Promise<string>;
  /** Stops the server, closes DuckDB and removes the workspace. */
  close(): Promise<void>;
}

/** Starts a real artifact gateway on `port` with a throw-away workspace and records its request log. */
export async function startSandboxArtifacts(port: number, clock: WallClock): Promise<SandboxArtifacts> {
  const secretKey = 'sandbox-artifact-secret';
  const workspace = await mkdtemp(join(tmpdir(), 'sandbox-artifacts-'));
  const requests: GatewayRequest[] = [];
  const gateway = createArtifactGateway({
    secretKey,
    workspace,
    now: () => clock.now(),
    logger: {
      debug() {},
      warn() {},
      error() {},
      info(message, data = {}) {
        if (message !== 'artifact-gateway request') return;
        keepNewest(requests, {
          at: clock.now(),
          method: String(data['method'] ?? ''),
          route: String(data['route'] ?? ''),
          user: typeof data['user'] === 'string' ? data['user'] : '',
          status: Number(data['status'] ?? 0),
          durationMs: Number(data['durationMs'] ?? 0),
        });
      },
    },
  });
  try {
    const server = await startTestServer(new Hono().route(ARTIFACT_BASE_PATH, gateway), { port });
    return {
      url: server.url,
      proxyBase: `${server.url}${ARTIFACT_BASE_PATH}/`,
      secretKey,
      workspace,
      gateway,
      requests,
      issueToken: (userId = 'demo-user', role = 'member') =>
        issueAppToken({
          secretKey,
          userId,
          accountId: 'sandbox-account',
          context: 'lab_session:sandbox',
          scope: scopeFromRole(role),
        }),
      async close() {
        await server.close();
        await gateway.close();
        await rm(workspace, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await gateway.close();
    await rm(workspace, { recursive: true, force: true });
    throw error;
  }
}
