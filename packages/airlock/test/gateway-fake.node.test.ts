// The fake gateway's own behaviour that client tests lean on: identity rules, the test clock, expiry of
// pairings, codes and exchanges, quota windows, autoDecide, held polls released on abort and on close,
// plus the client's discovery and heartbeat helpers.
import { afterEach, describe, expect, it } from 'vitest';
import {
  AirlockAuthenticationError,
  AirlockConflictError,
  AirlockGatewayClient,
  AirlockNotFoundError,
  AirlockUnprocessableError,
  startPairing,
} from '../src/index.ts';
import { artifactFor, PAT, pair, type Rig, rig } from './gateway-kit.ts';

let r: Rig;
afterEach(async () => {
  await r?.close();
});

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const payload = '{"command":"ls"}';

describe('identity', () => {
  it('checks X-PAT first: a wrong PAT is refused even with a valid bearer token', async () => {
    r = await rig({ bearerTokens: ['tok'] }, { pat: 'airpat_wrong', bearerToken: 'tok' });
    await expect(r.client.checkConsent()).rejects.toSatisfy((e) => AirlockAuthenticationError.isInstance(e));
    r.client.setPat(undefined);
    expect(await r.client.checkConsent()).toBe('approved');
  });

  it('echo and discovery need no user identity', async () => {
    r = await rig({ idpBaseUrl: 'https://idp.example/realms/airlock' }, { pat: undefined });
    expect((await r.client.echo()).offsetMinutes).toBe(0);
    expect(await r.client.getDiscovery()).toEqual({
      idp: { baseUrl: 'https://idp.example/realms/airlock', clientId: 'airlock-integrations' },
      auth: { patSupported: true },
    });
    await expect(r.client.checkConsent()).rejects.toSatisfy((e) => AirlockAuthenticationError.isInstance(e));
  });
});

/** A paired rig on a clock the test moves, with an exchange that expires 60 s from now. */
async function expiringExchange() {
  let clock = Date.now();
  r = await rig({ now: () => clock }, { now: () => clock });
  const p = await pair(r);
  const { requestId } = await r.client.encryptAndSubmitArtifact({
    ...artifactFor(p, payload),
    expiresAt: new Date(clock + 60_000),
  });
  return {
    requestId,
    advance: (ms: number) => {
      clock += ms;
    },
  };
}

describe('the test clock', () => {
  it('expires a pending exchange: the wait answers 404, the status says Expired', async () => {
    const { requestId, advance } = await expiringExchange();
    advance(61_000);
    await expect(r.client.waitForDecision(requestId)).rejects.toSatisfy((e) =>
      AirlockNotFoundError.isInstance(e),
    );
    expect((await r.client.getExchangeStatus(requestId)).body?.state).toBe('Expired');
  });

  it('refuses a decision on an expired exchange, as the gateway does; the exchange stays Expired', async () => {
    const { requestId, advance } = await expiringExchange();
    advance(61_000);
    expect(r.gateway.exchanges.get(requestId)?.state).toBe('Expired');
    await expect(r.gateway.decide(requestId, 'approve')).rejects.toThrow(/expired .*refused/);
    expect(r.gateway.exchanges.get(requestId)?.decision).toBeUndefined();
    expect((await r.client.getExchangeStatus(requestId)).body).toMatchObject({ state: 'Expired' });
    expect((await r.client.getExchangeStatus(requestId)).body?.decision).toBeUndefined();
    await expect(r.client.waitForDecision(requestId)).rejects.toSatisfy((e) =>
      AirlockNotFoundError.isInstance(e),
    );
  });

  it('a decision just before expiry is kept, and stays after the expiry passes', async () => {
    const { requestId, advance } = await expiringExchange();
    advance(59_000);
    await r.gateway.decide(requestId, 'approve');
    advance(10_000);
    expect(r.gateway.exchanges.get(requestId)?.state).toBe('Approved');
    expect((await r.client.getExchangeStatus(requestId)).body?.state).toBe('Approved');
  });
});

describe('error bodies', () => {
  it('a HARP error about an exchange carries its requestId on the envelope and in the body', async () => {
    r = await rig();
    const p = await pair(r);
    const request = artifactFor(p, payload);
    const { requestId } = await r.client.encryptAndSubmitArtifact(request);
    // The same id for another artifact (the same one would resolve as a duplicate of the first).
    const again = { ...request, plaintextPayload: '{"command":"rm"}', requestId };
    const duplicate = await r.client.encryptAndSubmitArtifact(again).catch((e: unknown) => e);
    expect(AirlockConflictError.isInstance(duplicate)).toBe(true);
    const conflict = duplicate as AirlockConflictError;
    expect(conflict.errorCode).toBe('AlreadyExistsConflict');
    expect(conflict.requestId).toBe(requestId);
    expect(JSON.parse(String(conflict.responseBody))).toEqual({
      msgType: 'error',
      requestId,
      body: { code: 'AlreadyExistsConflict', message: `Request ${requestId} already exists.`, requestId },
    });

    await r.gateway.decide(requestId, 'approve');
    const res = await fetch(`${r.gateway.url}/v1/exchanges/${requestId}/withdraw`, {
      method: 'POST',
      headers: { 'x-pat': PAT },
    });
    expect(res.status).toBe(409);
    expect(await res.json()).toMatchObject({ requestId, body: { code: 'already_resolved', requestId } });
  });

  it('errors not about an exchange carry no requestId; unknown exchanges answer the flat NotFound', async () => {
    r = await rig();
    const heartbeat = await fetch(`${r.gateway.url}/v1/presence/heartbeat`, {
      method: 'POST',
      headers: { 'x-pat': PAT, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(heartbeat.status).toBe(400);
    expect(await heartbeat.json()).toEqual({
      msgType: 'error',
      body: { code: 'bad_request', message: 'enforcerId is required.' },
    });
    const unknown = await fetch(`${r.gateway.url}/v1/exchanges/req-nope`, { headers: { 'x-pat': PAT } });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({ error: 'NotFound', message: 'Exchange not found' });
  });
});

describe('the test clock: pairing codes and quotas', () => {
  it('the approver side can pre-generate a code over HTTP too', async () => {
    r = await rig();
    const res = await fetch(`${r.gateway.url}/v1/pairing/pre-generate`, {
      method: 'POST',
      headers: { 'x-pat': PAT },
    });
    expect(res.status).toBe(201);
    const { pairingCode, expiresAt } = (await res.json()) as { pairingCode: string; expiresAt: string };
    expect(Date.parse(expiresAt) - Date.now()).toBeGreaterThan(29 * 60_000);
    const claimed = await r.client.claimPairing({
      pairingCode,
      deviceId: 'd',
      enforcerId: 'e',
      enforcerLabel: 'l',
      workspaceName: 'w',
    });
    expect(r.gateway.pairings.get(claimed.pairingNonce)?.state).toBe('Completed');
  });

  it('a pre-generated code lives 30 minutes', async () => {
    let clock = Date.now();
    r = await rig({ now: () => clock });
    const code = r.gateway.preGeneratePairingCode();
    clock += 30 * 60_000;
    const e = await r.client
      .claimPairing({
        pairingCode: code,
        deviceId: 'd',
        enforcerId: 'e',
        enforcerLabel: 'l',
        workspaceName: 'w',
      })
      .catch((x) => x);
    expect(AirlockUnprocessableError.isInstance(e)).toBe(true);
    expect(e.isExpired).toBe(true);
  });

  it('quota windows reset with the clock', async () => {
    let clock = Date.now();
    r = await rig({ now: () => clock, rateLimit: { limit: 1, windowMs: 10_000 } }, { retry: false });
    await r.client.checkConsent();
    const e = await r.client.checkConsent().catch((x) => x);
    expect(e.isQuotaExceeded).toBe(true);
    expect(e.retryAfterMs).toBe(10_000);
    clock += 10_000;
    expect(await r.client.checkConsent()).toBe('approved');
  });
});

describe('approver automation', () => {
  it('autoCompletePairing and autoDecide run the whole flow without the test stepping in', async () => {
    r = await rig({
      autoCompletePairing: true,
      autoDecide: (artifact) =>
        artifact.plaintext?.includes('rm -rf')
          ? { decision: 'reject', reason: 'destructive' }
          : { delayMs: 20 },
    });
    const pending = await startPairing(r.client, { enforcerId: 'enf-1', deviceId: 'dev-1' });
    const { routingToken, encryptionKey } = await pending.waitForCompletion({ intervalMs: 10 });
    const submit = (command: string) =>
      r.client.encryptAndSubmitArtifact({
        enforcerId: 'enf-1',
        plaintextPayload: JSON.stringify({ command }),
        encryptionKey,
        metadata: { routingToken },
      });
    const ok = await submit('ls');
    const bad = await submit('rm -rf /');
    expect((await r.client.waitUntilDecided(ok.requestId))?.body?.decision).toBe('approve');
    expect((await r.client.waitUntilDecided(bad.requestId))?.body).toMatchObject({
      decision: 'reject',
      reason: 'destructive',
    });
  });

  it('an artifact under the wrong key is recorded as undecryptable', async () => {
    r = await rig();
    const p = await pair(r);
    const { requestId } = await r.client.encryptAndSubmitArtifact({
      enforcerId: 'enf-1',
      plaintextPayload: payload,
      encryptionKey: 'BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc',
      metadata: { routingToken: p.routingToken },
    });
    const seen = await r.gateway.waitForArtifact(requestId);
    expect(seen.plaintext).toBeUndefined();
    expect(seen.decryptionError).toMatch(/altered|key/);
    expect(seen.hashMatches).toBe(false);
  });
});

describe('held polls', () => {
  it('are released when the client aborts and when the gateway closes', async () => {
    r = await rig();
    const p = await pair(r);
    const { requestId } = await r.client.encryptAndSubmitArtifact(artifactFor(p, payload));
    const ctl = new AbortController();
    const aborted = r.client.waitForDecision(requestId, { signal: ctl.signal }).catch((e) => e);
    const kept = r.client.waitForDecision(requestId, { timeoutSeconds: 30 });
    await wait(100);
    expect(r.gateway.pendingWaits()).toBe(2);
    ctl.abort();
    await aborted;
    await wait(100);
    expect(r.gateway.pendingWaits()).toBe(1);
    await r.gateway.close();
    expect(r.gateway.pendingWaits()).toBe(0);
    expect(await kept).toBeNull();
  });
});

describe('heartbeat helper', () => {
  it('beats at once, then every interval, until stopped; failures are reported, not thrown', async () => {
    r = await rig();
    const errors: unknown[] = [];
    const beat = r.client.startHeartbeat(
      { enforcerId: 'enf-1', enforcerLabel: 'CLI' },
      { intervalMs: 150, onError: (e) => errors.push(e) },
    );
    await wait(75);
    expect(r.gateway.heartbeats.length).toBe(1);
    await wait(300);
    expect(r.gateway.heartbeats.length).toBeGreaterThanOrEqual(2);
    r.gateway.faults.enqueue({ status: 500, match: { path: '/v1/presence/heartbeat' } });
    await wait(150);
    expect(errors.length).toBe(1);
    beat.stop();
    const count = r.gateway.heartbeats.length;
    await wait(300);
    expect(r.gateway.heartbeats.length).toBe(count);
    expect(r.gateway.heartbeats[0]).toMatchObject({ enforcerId: 'enf-1', enforcerLabel: 'CLI' });
  });

  it('stops with the caller signal', async () => {
    r = await rig();
    const ctl = new AbortController();
    new AirlockGatewayClient({ baseUrl: r.gateway.url, pat: PAT }).startHeartbeat(
      { enforcerId: 'e' },
      { intervalMs: 20, signal: ctl.signal },
    );
    await wait(5);
    ctl.abort();
    const count = r.gateway.heartbeats.length;
    await wait(80);
    expect(r.gateway.heartbeats.length).toBeLessThanOrEqual(count + 1);
  });
});

describe('long-poll timing', () => {
  it('the HTTP timeout outlasts the server wait even when the client timeout is shorter', async () => {
    r = await rig({}, { timeout: 500 });
    const p = await pair(r);
    const { requestId } = await r.client.encryptAndSubmitArtifact(artifactFor(p, payload));
    const started = Date.now();
    expect(await r.client.waitForDecision(requestId, { timeoutSeconds: 2 })).toBeNull();
    expect(Date.now() - started).toBeGreaterThanOrEqual(1900);
  });

  it('waitUntilDecided stops with the caller signal', async () => {
    r = await rig();
    const p = await pair(r);
    const { requestId } = await r.client.encryptAndSubmitArtifact(artifactFor(p, payload));
    const ctl = new AbortController();
    setTimeout(() => ctl.abort(), 100);
    const e = await r.client.waitUntilDecided(requestId, { signal: ctl.signal }).catch((x) => x);
    expect(e?.code).toBe('aborted');
    await wait(50);
    expect(r.gateway.pendingWaits()).toBe(0);
  });
});

describe('fixed ports', () => {
  it('the fake gateway and the fake identity provider listen on the port they are given', async () => {
    const { createServer } = await import('node:net');
    const freePort = () =>
      new Promise<number>((resolve) => {
        const probe = createServer().listen(0, '127.0.0.1', () => {
          const { port } = probe.address() as { port: number };
          probe.close(() => resolve(port));
        });
      });
    const { startFakeGateway, startFakeOidcProvider } = await import('../src/testing/index.ts');
    const [gatewayPort, idpPort] = [await freePort(), await freePort()];
    const gateway = await startFakeGateway({ port: gatewayPort, pats: [PAT] });
    const idp = await startFakeOidcProvider({ port: idpPort });
    try {
      expect(gateway.url).toBe(`http://127.0.0.1:${gatewayPort}`);
      expect(idp.url).toBe(`http://127.0.0.1:${idpPort}`);
      const echo = await new AirlockGatewayClient({ baseUrl: gateway.url, pat: PAT }).echo();
      expect(echo).toBeTruthy();
    } finally {
      await gateway.close();
      await idp.close();
    }
  });
});
