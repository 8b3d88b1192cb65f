// Runs in headless Chromium (bundled by @x/tooling/browser, driven by ../chromium.node.test.ts) and, all but
// the login steps, in Bun, Deno and workerd (@x/tooling/runtimes, ../gateway.runtimes.test.ts): the enforcer
// side of the Airlock flows through the package's main entry, against the fakes on other loopback origins.
// Each export is one step; the Node test plays the approver and the user between the steps.

import { AirlockAuthClient, type AuthorizationRequest } from '../../src/auth/index.ts';
import {
  AirlockError,
  AirlockGatewayClient,
  type CompletedPairing,
  type DecisionDeliverEnvelope,
  DecisionVerificationError,
  isApproved,
  type PendingPairing,
  startPairing,
  verifyDecision,
} from '../../src/index.ts';

/** Where the fakes are and who the page is, as the Node test sets them up. */
export interface PageConfig {
  gatewayUrl: string;
  signerPublicKey: string;
  pat: string;
  clientId: string;
  realmUrl: string;
}

const LOGIN_KEY = 'airlock-login';
let config: PageConfig;
let client: AirlockGatewayClient;
let pending: PendingPairing | undefined;
let paired: CompletedPairing | undefined;
const submitted = new Map<string, string>();

/** A thrown value as plain data, for the Node side to assert on. */
function describeError(error: unknown) {
  const e = error as { name?: string; message?: string; code?: string; reason?: string; status?: number };
  return {
    name: e?.name,
    message: e?.message,
    code: e?.code,
    reason: e?.reason,
    status: e?.status,
    isAirlockError: AirlockError.isInstance(error),
    isDecisionVerificationError: DecisionVerificationError.isInstance(error),
  };
}

/** Creates the page's gateway client (PAT and a public web app id, no secret: the browser sends `Origin`). */
export function setup(pageConfig: PageConfig): string {
  config = pageConfig;
  client = new AirlockGatewayClient({
    baseUrl: config.gatewayUrl,
    pat: config.pat,
    clientId: config.clientId,
    signerPublicKey: config.signerPublicKey,
  });
  return navigator.userAgent;
}

/** `GET /echo`; a failure comes back as data (the CORS-less check expects one). */
export async function echo() {
  try {
    return { ok: true as const, echo: await client.echo() };
  } catch (error) {
    return { ok: false as const, error: describeError(error) };
  }
}

/** Starts a pairing; the Node side completes it as the approver with the returned code. */
export async function beginPairing() {
  pending = await startPairing(client, {
    enforcerId: 'enf-chromium',
    deviceId: 'dev-chromium',
    enforcerLabel: 'Chromium test',
    workspaceName: 'browser',
  });
  return { pairingCode: pending.pairingCode, pairingNonce: pending.pairingNonce };
}

/** Polls the pairing to completion (X25519 agreement in the browser) and keeps the key. */
export async function finishPairing() {
  paired = await pending!.waitForCompletion({ intervalMs: 20 });
  return {
    routingToken: paired.routingToken,
    approverPublicKey: paired.approverPublicKey,
    encryptionKey: paired.encryptionKey,
  };
}

/** Canonicalizes, hashes, encrypts with the pairing key and submits. */
export async function submit(plaintextPayload: string, requestLabel: string) {
  const result = await client.encryptAndSubmitArtifact({
    enforcerId: 'enf-chromium',
    plaintextPayload,
    encryptionKey: paired!.encryptionKey,
    metadata: { routingToken: paired!.routingToken, requestLabel },
  });
  submitted.set(result.requestId, result.artifactHash);
  return result;
}

async function verified(envelope: DecisionDeliverEnvelope) {
  // The client verified already (it knows the signer key); verifyDecision does it again by hand.
  const check = await verifyDecision(envelope, submitted.get(envelope.requestId)!, config.signerPublicKey);
  return {
    requestId: check.requestId,
    decision: check.decision,
    approved: isApproved(envelope),
    reason: check.reason,
    signed: check.signed,
    signerKeyId: check.signerKeyId,
  };
}

/** One long-poll (`waitForDecision`): the verified decision, `null` on a 204, or the error as data. */
export async function waitForDecision(requestId: string, timeoutSeconds: number) {
  try {
    const envelope = await client.waitForDecision(requestId, { timeoutSeconds });
    return { ok: true as const, decision: envelope && (await verified(envelope)) };
  } catch (error) {
    return { ok: false as const, error: describeError(error) };
  }
}

/** `waitUntilDecided` with acknowledgement: long-polls until the approver decides. */
export async function waitUntilDecided(requestId: string) {
  const envelope = await client.waitUntilDecided(requestId, {
    timeoutSeconds: 5,
    totalTimeout: 30_000,
    acknowledge: true,
  });
  return verified(envelope);
}

/** Starts the code + PKCE login, keeping state and verifier in sessionStorage as a real page would. */
export async function beginLogin(redirectUri: string) {
  const auth = new AirlockAuthClient({ baseUrl: config.realmUrl });
  const request = await auth.getAuthorizationUrl(redirectUri);
  sessionStorage.setItem(LOGIN_KEY, JSON.stringify({ ...request, config }));
  return request.authorizationUrl;
}

/**
 * On the callback page (a new document): checks a forged redirect is refused, exchanges the real one, then
 * calls the gateway with the bearer token from the auth client.
 */
export async function finishLogin() {
  const saved = JSON.parse(sessionStorage.getItem(LOGIN_KEY)!) as AuthorizationRequest & {
    config: PageConfig;
  };
  sessionStorage.removeItem(LOGIN_KEY);
  config = saved.config;
  const auth = new AirlockAuthClient({ baseUrl: config.realmUrl });
  const forged = new URL(location.href);
  forged.searchParams.set('state', 'forged-state');
  const refused = await auth.completeAuthorization(forged.href, saved).then(
    () => undefined,
    (error: unknown) => describeError(error),
  );
  const tokens = await auth.completeAuthorization(location.href, saved);
  const bearer = new AirlockGatewayClient({
    baseUrl: config.gatewayUrl,
    clientId: config.clientId,
    tokenProvider: auth,
  });
  const consent = await bearer.checkConsent();
  await bearer.sendHeartbeat({ enforcerId: 'enf-chromium', workspaceName: 'browser' });
  return {
    callbackPath: location.pathname,
    refused,
    accessToken: await auth.getAccessToken(),
    hasRefreshToken: typeof tokens.refreshToken === 'string',
    consent,
  };
}
