/**
 * @x/artifact-gateway/testing: a real gateway on a loopback port with a throw-away workspace, for testing
 * artifact apps and hosts (Node only).
 *
 * @module
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { closeable } from '@x/http-core';
import { startTestServer } from '@x/http-core/testing';
import { Hono } from 'hono';
import { type ArtifactGateway, type ArtifactGatewayOptions, createArtifactGateway } from '../node/gateway.ts';
import { scopeFromRole } from '../scopes.ts';
import { type IssueAppTokenOptions, issueAppToken } from '../tokens.ts';

/** Options of {@link startTestGateway}: the gateway's, with the secret and workspace optional. */
export interface TestGatewayOptions extends Partial<Omit<ArtifactGatewayOptions, 'basePath'>> {
  /** Where the routes live (default `/api/app`, the SDK's default base). */
  basePath?: string;
}

/** A running test gateway. */
export interface TestGateway {
  /** The server's base URL, e.g. `http://127.0.0.1:40123`. */
  url: string;
  /** The proxy base to give clients, e.g. `http://127.0.0.1:40123/api/app/`. */
  proxyBase: string;
  /** The secret tokens are signed with. */
  secretKey: string;
  /** The workspace folder (deleted on close unless you passed it). */
  workspace: string;
  /** The gateway app. */
  gateway: ArtifactGateway;
  /** Issues a token for `userId` with the scopes of `role` (default `member`) and session `lab_session:test`. */
  issueToken(userId?: string, role?: string, overrides?: Partial<IssueAppTokenOptions>): Promise<string>;
  /** Stops the server, closes the gateway and removes a temporary workspace (again: the first call's outcome). */
  close(): Promise<void>;
  /** {@link TestGateway.close}, for `await using gw = await startTestGateway()`. */
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * Starts a real gateway on `127.0.0.1`.
 *
 * @example
 * ```ts
 * const gw = await startTestGateway();
 * const client = createClient({ token: await gw.issueToken('user-1'), proxyBase: gw.proxyBase });
 * // …
 * await gw.close();
 * ```
 */
export async function startTestGateway(options: TestGatewayOptions = {}): Promise<TestGateway> {
  const secretKey = typeof options.secretKey === 'string' ? options.secretKey : 'test-secret-key';
  const ownWorkspace = options.workspace === undefined;
  const workspace = options.workspace ?? (await mkdtemp(join(tmpdir(), 'artifact-gateway-')));
  const basePath = (options.basePath ?? '/api/app').replace(/\/+$/, '');
  const gateway = createArtifactGateway({ ...options, secretKey, workspace });
  const server = await startTestServer(new Hono().route(basePath, gateway));
  return closeable({
    url: server.url,
    proxyBase: `${server.url}${basePath}/`,
    secretKey,
    workspace,
    gateway,
    issueToken: (userId = 'test-user', role = 'member', overrides = {}) =>
      issueAppToken({
        secretKey,
        userId,
        accountId: 'test-account',
        context: 'lab_session:test',
        scope: scopeFromRole(role),
        ...overrides,
      }),
    async close() {
      await server.close();
      await gateway.close();
      if (ownWorkspace) await rm(workspace, { recursive: true, force: true });
    },
  });
}
