/**
 * `@x/atb/testing`: a faithful fake AgentAuth and broker over real mTLS with a test PKI made in memory, an
 * upstream echo service, and a clock the test controls. Node only.
 *
 * @module
 */
import { closeable } from '@x/http-core';
import { createRequestRecorder, type RequestRecorder, startTestServer } from '@x/http-core/testing';
import { Hono } from 'hono';
import { type CryptoKey, generateKeyPair, SignJWT } from 'jose';
import { createFakeAgentAuth, type FakeAgentAuth, type FakeAgentAuthOptions } from './agentauth-fake.ts';
import {
  type FakeBroker,
  type FakeBrokerOptions,
  type FakeConnector,
  startFakeBroker,
} from './broker-fake.ts';
import { FakeClock } from './clock.ts';
import { type CertifiedKey, createTestPki, type TestPki } from './pki.ts';
import { startTlsTestServer } from './tls-server.ts';

export { type FakeCors, type FakeCorsOptions, isLoopbackOrigin } from '@x/http-core/testing';
export * from './agentauth-fake.ts';
export * from './broker-fake.ts';
export * from './clock.ts';
export * from './guardrails-fake.ts';
export * from './pki.ts';
export * from './policy.ts';
export * from './tls-server.ts';

/** Options of {@link startFakeAtb}. */
export interface FakeAtbOptions {
  /** The clock shared by both fakes (default a new {@link FakeClock}). */
  clock?: FakeClock;
  /** The SPIFFE ID of the default agent certificate (default `spiffe://example.org/ns/default/sa/agent/connector`). */
  agentSpiffeId?: string;
  /** Options of the fake AgentAuth (clock and approver key are set here). */
  agentAuth?: Omit<FakeAgentAuthOptions, 'clock' | 'approverPublicKey'>;
  /** Options of the fake broker (TLS, upstream, JWKS and clock are set here). */
  broker?: Pick<
    FakeBrokerOptions,
    | 'maxTtlSeconds'
    | 'singleUse'
    | 'allowUnmandatedLowRisk'
    | 'verifyClientCerts'
    | 'policy'
    | 'platformIdentity'
    | 'guardrailsUrl'
    | 'guardrailsTimeoutMs'
    | 'auditSink'
  >;
  /**
   * The broker's connectors by id. An entry without `upstreamUrl` gets its own echo service, which names the
   * connector in its answer (`service`), so a test sees which backend served the call.
   */
  connectors?: Readonly<Record<string, Partial<FakeConnector>>>;
  /** A PKI to use (default a fresh one). */
  pki?: TestPki;
  /**
   * Serve AgentAuth over HTTPS with the broker's certificate, asking for (not requiring) client certificates,
   * as the docs describe (default false: plain HTTP, as the upstream code).
   */
  agentAuthTls?: boolean;
  /** AgentAuth's loopback port (default 0: one the OS picks), e.g. for a long-running sandbox. */
  agentAuthPort?: number;
  /** The broker's loopback port (default 0: one the OS picks). */
  brokerPort?: number;
}

/** The running fakes. */
export interface FakeAtb {
  /** The broker's URL (`https://127.0.0.1:<port>`, mTLS). */
  brokerUrl: string;
  /** AgentAuth's URL (`http://127.0.0.1:<port>`, plain HTTP as upstream; https with `agentAuthTls`). */
  agentauthUrl: string;
  /** The CA that signed the broker's and the agent's certificates (PEM). */
  caCert: string;
  /** The default agent's certificate and key (PEM). */
  agent: CertifiedKey;
  /** The default agent's SPIFFE ID. */
  agentSpiffeId: string;
  /** The PKI: issue more agent certificates with `pki.agent(spiffeId)`. */
  pki: TestPki;
  /** The clock both fakes use. */
  clock: FakeClock;
  /** The fake AgentAuth's state (challenges, signing key, audit). */
  agentAuth: FakeAgentAuth;
  /** The fake broker's state: audit events and sealed batches (`flushAudit()`), seen `jti`s. */
  broker: FakeBroker;
  /** What reached the upstream echo service through the broker. */
  upstream: RequestRecorder;
  /** Signs an approver JWT (EdDSA) that the fake AgentAuth accepts: `approver_id` = `approverId`. */
  signApproverToken(
    approverId: string,
    options?: { expiresInSeconds?: number; key?: CryptoKey },
  ): Promise<string>;
  /** Options of `AtbClient` for the default agent, with the fakes' clock: `new AtbClient(atb.clientOptions())`. */
  clientOptions(): FakeClientOptions;
  /** Stops everything (again: the first call's outcome). */
  close(): Promise<void>;
  /** {@link FakeAtb.close}, for `await using atb = …`. */
  [Symbol.asyncDispose](): Promise<void>;
}

/** What {@link FakeAtb.clientOptions} gives: URLs, the agent's PEM material and the fake clock. */
export interface FakeClientOptions {
  /** The broker's URL. */
  brokerUrl: string;
  /** AgentAuth's URL. */
  agentauthUrl: string;
  /** The agent's certificate (PEM). */
  cert: string;
  /** Its key (PEM). */
  key: string;
  /** The test CA (PEM). */
  ca: string;
  /** The fakes' clock. */
  now: () => number;
  /** Waits by moving the fakes' clock. */
  sleep: (ms: number) => Promise<void>;
}

/**
 * Starts the fake AgentAuth (HTTP), the upstream echo service (HTTP) and the fake broker (HTTPS, client
 * certificates verified against a fresh CA), all on loopback.
 *
 * @example
 * ```ts
 * const atb = await startFakeAtb();
 * const client = new AtbClient({ brokerUrl: atb.brokerUrl, agentauthUrl: atb.agentauthUrl,
 *   cert: atb.agent.cert, key: atb.agent.key, ca: atb.caCert, now: () => atb.clock.now() });
 * // ...
 * await atb.close();
 * ```
 */
export async function startFakeAtb(options: FakeAtbOptions = {}): Promise<FakeAtb> {
  const clock = options.clock ?? new FakeClock(Date.now());
  const pki = options.pki ?? (await createTestPki());
  const agentSpiffeId = options.agentSpiffeId ?? 'spiffe://example.org/ns/default/sa/agent/connector';
  const agent = await pki.agent(agentSpiffeId);
  const approverKeys = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
  const agentAuth = await createFakeAgentAuth({
    ...options.agentAuth,
    clock,
    approverPublicKey: approverKeys.publicKey,
  });
  const agentAuthServer = options.agentAuthTls
    ? await startTlsTestServer(agentAuth.app, {
        cert: pki.server.cert,
        key: pki.server.key,
        clientCa: pki.caCert,
        requireClientCert: false,
        port: options.agentAuthPort ?? 0,
      })
    : await startTestServer(agentAuth.app, { port: options.agentAuthPort ?? 0 });

  const upstream = createRequestRecorder();
  const echoServers = [await startTestServer(echoApp('upstream', upstream))];
  const upstreamServer = echoServers[0]!;
  const connectors: Record<string, FakeConnector> = {};
  for (const [id, connector] of Object.entries(options.connectors ?? {})) {
    let upstreamUrl = connector.upstreamUrl;
    if (upstreamUrl === undefined) {
      const server = await startTestServer(echoApp(id, createRequestRecorder()));
      echoServers.push(server);
      upstreamUrl = server.url;
    }
    connectors[id] = { ...connector, upstreamUrl };
  }

  const broker = await startFakeBroker({
    ...options.broker,
    cert: pki.server.cert,
    key: pki.server.key,
    clientCa: pki.caCert,
    upstreamUrl: upstreamServer.url,
    connectors,
    jwks: () => agentAuth.jwks().keys,
    clock,
    port: options.brokerPort ?? 0,
  });

  return closeable<FakeAtb>({
    brokerUrl: broker.url,
    agentauthUrl: agentAuthServer.url,
    caCert: pki.caCert,
    agent,
    agentSpiffeId,
    pki,
    clock,
    agentAuth,
    broker,
    upstream,
    signApproverToken: (approverId, opts = {}) =>
      new SignJWT({ approver_id: approverId })
        .setProtectedHeader({ alg: 'EdDSA', typ: 'JWT' })
        .setIssuedAt(clock.seconds())
        .setExpirationTime(clock.seconds() + (opts.expiresInSeconds ?? 300))
        .sign(opts.key ?? approverKeys.privateKey),
    clientOptions: () => ({
      brokerUrl: broker.url,
      agentauthUrl: agentAuthServer.url,
      cert: agent.cert,
      key: agent.key,
      ca: pki.caCert,
      now: () => clock.now(),
      sleep: async (ms) => clock.advance(ms),
    }),
    close: async () => {
      await broker.close();
      await Promise.all([agentAuthServer.close(), ...echoServers.map((server) => server.close())]);
    },
  });
}

/** The upstream echo service: answers every call with what it received and which service it is. */
function echoApp(service: string, recorder: RequestRecorder): Hono {
  const echo = new Hono();
  echo.use(recorder.middleware);
  echo.all('/redirect', (c) => c.redirect('https://elsewhere.invalid/collect', 302));
  echo.all('*', async (c) => {
    const url = new URL(c.req.url);
    const body = await c.req.text();
    return c.json({
      service,
      method: c.req.method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: Object.fromEntries(c.req.raw.headers),
      body,
    });
  });
  return echo;
}
