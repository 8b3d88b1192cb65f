// The enforcer's whole journey against the fake gateway over real sockets: pair, encrypt and submit, the
// fake approver decrypts and decides, the long-poll delivers, the client verifies and acknowledges.
import { AbortError, TimeoutError } from '@x/http-core';
import { afterEach, describe, expect, it } from 'vitest';
import {
  AirlockConflictError,
  AirlockNotFoundError,
  AirlockPermissionError,
  AirlockUnprocessableError,
  aesGcmDecrypt,
  completePairing,
  isApproved,
  PairingError,
  startPairing,
  verifyDecision,
  waitForPairing,
} from '../src/index.ts';
import { artifactFor, pair, type Rig, rig } from './gateway-kit.ts';

let r: Rig;
afterEach(async () => {
  await r?.close();
});

const payload = JSON.stringify({ value: 42, action: 'test' });

describe('pairing', () => {
  it('initiates, the approver completes, both sides hold the same key', async () => {
    r = await rig();
    const pending = await startPairing(r.client, {
      enforcerId: 'enf-1',
      deviceId: 'dev-1',
      workspaceName: 'ws',
    });
    expect(pending.pairingCode).toMatch(/^[A-Z0-9]{6}$/);
    const sent = JSON.parse(r.gateway.recorder.last()!.body);
    expect(sent).toEqual({
      deviceId: 'dev-1',
      enforcerId: 'enf-1',
      workspaceName: 'ws',
      x25519PublicKey: pending.keyPair.publicKey,
    });
    // Still pending: the user has not entered the code yet.
    expect((await r.client.getPairingStatus(pending.pairingNonce)).state).toBe('Pending');
    await r.gateway.completePairing(pending.pairingCode!);
    const done = await pending.waitForCompletion({ intervalMs: 10 });
    const fake = r.gateway.pairings.get(pending.pairingNonce)!;
    expect(done.routingToken).toBe(fake.routingToken);
    expect(done.approverPublicKey).toBe(fake.approverKeyPair!.publicKey);
    expect(done.encryptionKey).toBe(fake.encryptionKey);
  });

  it('claims a pre-generated code, then polls to completion', async () => {
    r = await rig();
    const code = r.gateway.preGeneratePairingCode();
    const pending = await startPairing(r.client, {
      enforcerId: 'enf-1',
      deviceId: 'dev-1',
      enforcerLabel: 'CLI',
      workspaceName: 'ws',
      pairingCode: code,
      gatewayUrl: r.gateway.url,
    });
    expect(pending.pairingCode).toBeUndefined();
    const claim = JSON.parse(r.gateway.recorder.last()!.body);
    expect(claim.pairingCode).toBe(code);
    expect(claim.gatewayUrl).toBe(r.gateway.url);
    const done = await pending.waitForCompletion({ intervalMs: 10 });
    expect(done.encryptionKey).toBe(r.gateway.pairings.get(pending.pairingNonce)!.encryptionKey);
    // A code is single-use.
    await expect(
      r.client.claimPairing({
        pairingCode: code,
        deviceId: 'd',
        enforcerId: 'e',
        enforcerLabel: 'l',
        workspaceName: 'w',
      }),
    ).rejects.toSatisfy((e) => AirlockNotFoundError.isInstance(e));
  });

  it('reports a revoked or expired pairing as a PairingError', async () => {
    let clock = Date.now();
    r = await rig({ now: () => clock, pairingTtlMs: 60_000 });
    const a = await startPairing(r.client, { enforcerId: 'e', deviceId: 'd' });
    r.gateway.revokePairing(a.pairingNonce);
    await expect(a.waitForCompletion({ intervalMs: 1 })).rejects.toSatisfy(
      (e) => PairingError.isInstance(e) && e.code === 'pairing_revoked',
    );
    const b = await startPairing(r.client, { enforcerId: 'e', deviceId: 'd' });
    clock += 61_000;
    await expect(waitForPairing(r.client, b.pairingNonce, { intervalMs: 1 })).rejects.toSatisfy(
      (e) => PairingError.isInstance(e) && e.code === 'pairing_expired',
    );
  });

  it('stops polling after maxPolls, and on abort', async () => {
    r = await rig();
    const p = await startPairing(r.client, { enforcerId: 'e', deviceId: 'd' });
    await expect(waitForPairing(r.client, p.pairingNonce, { intervalMs: 1, maxPolls: 3 })).rejects.toSatisfy(
      (e) => TimeoutError.isInstance(e),
    );
    const ctl = new AbortController();
    const waiting = p.waitForCompletion({ intervalMs: 50, signal: ctl.signal });
    setTimeout(() => ctl.abort(), 20);
    await expect(waiting).rejects.toSatisfy((e) => AbortError.isInstance(e));
  });

  it('refuses a completed status without the approver key', async () => {
    await expect(
      completePairing({ pairingNonce: 'n', state: 'Completed', routingToken: 'rt' }, 'x'.repeat(43)),
    ).rejects.toSatisfy((e) => PairingError.isInstance(e) && e.code === 'pairing_incomplete');
  });

  it('revokes a pairing; artifacts to it are then refused with pairing_revoked', async () => {
    r = await rig();
    const p = await pair(r);
    expect(await r.client.revokePairing(p.routingToken)).toEqual({ status: 'revoked', enforcerId: 'enf-1' });
    const error = await r.client.encryptAndSubmitArtifact(artifactFor(p, payload)).catch((e) => e);
    expect(AirlockPermissionError.isInstance(error)).toBe(true);
    expect(error.isPairingRevoked).toBe(true);
    expect(error.status).toBe(403);
  });
});

describe('encrypt, submit, decide, wait, verify, ack', () => {
  it('runs the whole exchange and the approver reads exactly the canonical payload', async () => {
    r = await rig();
    const p = await pair(r);
    const submitted = await r.client.encryptAndSubmitArtifact({
      enforcerId: 'enf-1',
      plaintextPayload: payload,
      encryptionKey: p.encryptionKey,
      metadata: { routingToken: p.routingToken, requestLabel: 'test' },
    });
    expect(submitted.artifactHash).toBe('d3c2d7effb479ffc5085aad2144df886a452a4863396060f4e0ea29a8409d0fd');
    expect(submitted.requestId).toMatch(/^req-[0-9a-f-]{36}$/);
    expect(submitted.duplicate).toBe(false);
    const exchange = r.gateway.exchanges.get(submitted.requestId)!;
    expect(exchange.plaintext).toBe('{"action":"test","value":42}');
    expect(exchange.hashMatches).toBe(true);
    // Wire shape (spec §5.2): standard-base64 ciphertext, sender, default type, expiry ~10 min ahead.
    const env = exchange.envelope as any;
    expect(env.msgType).toBe('artifact.submit');
    expect(env.msgId).toMatch(/^msg-/);
    expect(env.sender).toEqual({ enforcerId: 'enf-1' });
    expect(env.body.artifactType).toBe('command-approval');
    expect(env.body.ciphertext.alg).toBe('AES-256-GCM');
    expect(env.body.ciphertext).not.toHaveProperty('aad');
    const ahead = Date.parse(env.body.expiresAt) - Date.parse(env.createdAt);
    expect(ahead).toBe(600_000);
    expect(await aesGcmDecrypt(p.encryptionKey, env.body.ciphertext)).toBe('{"action":"test","value":42}');

    const waiting = r.client.waitForDecision(submitted.requestId, { timeoutSeconds: 10 });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(r.gateway.pendingWaits()).toBe(1);
    await r.gateway.decide(submitted.requestId, { decision: 'approve', reason: 'Looks good' });
    const decision = (await waiting)!;
    expect(decision.body?.decision).toBe('approve');
    expect(decision.body?.reason).toBe('Looks good');
    expect(isApproved(decision)).toBe(true);
    const query = r.gateway.recorder.requests.find((x) => x.path.endsWith('/wait'))!.query;
    expect(query).toEqual({ timeout: '10' });

    await r.client.acknowledgeDecision(decision);
    const ack = r.gateway.acks[0] as any;
    expect(ack.msgType).toBe('ack.submit');
    expect(ack.msgId).toMatch(/^ack-[0-9a-f]{32}$/);
    expect(ack.body).toMatchObject({ msgId: decision.msgId, status: 'delivered' });
    expect(ack.requestId).toBe(submitted.requestId);

    const status = await r.client.getExchangeStatus(submitted.requestId);
    expect(status.body?.state).toBe('Approved');
    expect(status.body?.artifactHash).toBe(submitted.artifactHash);
  });

  it('returns null on 204 and clamps the wait to 1..60 s', async () => {
    r = await rig();
    const p = await pair(r);
    const { requestId } = await r.client.encryptAndSubmitArtifact(artifactFor(p, payload));
    const started = Date.now();
    expect(await r.client.waitForDecision(requestId, { timeoutSeconds: 0.2 })).toBeNull();
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    const ctl = new AbortController();
    const long = r.client.waitForDecision(requestId, { timeoutSeconds: 500, signal: ctl.signal });
    await new Promise((resolve) => setTimeout(resolve, 50));
    ctl.abort();
    await expect(long).rejects.toSatisfy((e) => AbortError.isInstance(e));
    const waits = r.gateway.recorder.requests
      .filter((x) => x.path.endsWith('/wait'))
      .map((x) => x.query['timeout']);
    expect(waits).toEqual(['1', '60']);
  });

  it('waitUntilDecided loops over empty polls until the decision', async () => {
    r = await rig();
    const p = await pair(r);
    const { requestId } = await r.client.encryptAndSubmitArtifact(artifactFor(p, payload));
    setTimeout(() => void r.gateway.decide(requestId, { decision: 'reject', reason: 'no' }), 1300);
    const decision = await r.client.waitUntilDecided(requestId, {
      timeoutSeconds: 1,
      totalTimeout: 10_000,
      acknowledge: true,
    });
    expect((r.gateway.acks[0] as { body: { msgId: string } }).body.msgId).toBe(decision.msgId);
    expect(decision.body?.decision).toBe('reject');
    expect(isApproved(decision)).toBe(false);
    expect(r.gateway.recorder.requests.filter((x) => x.path.endsWith('/wait')).length).toBeGreaterThanOrEqual(
      2,
    );
  });

  it('waitUntilDecided gives up at the deadline and withdraws when asked', async () => {
    r = await rig();
    const p = await pair(r);
    const { requestId } = await r.client.encryptAndSubmitArtifact(artifactFor(p, payload));
    await expect(
      r.client.waitUntilDecided(requestId, {
        timeoutSeconds: 1,
        totalTimeout: 1500,
        withdrawOnTimeout: true,
      }),
    ).rejects.toSatisfy((e) => TimeoutError.isInstance(e));
    expect(r.gateway.exchanges.get(requestId)!.state).toBe('Withdrawn');
    // A withdrawn exchange answers the long-poll with 404.
    await expect(r.client.waitForDecision(requestId)).rejects.toSatisfy((e) =>
      AirlockNotFoundError.isInstance(e),
    );
  });

  it('withdraw: a held poll ends with 404; after a decision, 409 already_resolved', async () => {
    r = await rig();
    const p = await pair(r);
    const submit = () => r.client.encryptAndSubmitArtifact(artifactFor(p, payload));
    const a = await submit();
    const held = r.client.waitForDecision(a.requestId, { timeoutSeconds: 20 }).catch((e) => e);
    await new Promise((resolve) => setTimeout(resolve, 50));
    await r.client.withdrawExchange(a.requestId);
    const withdrawReq = r.gateway.recorder.requests.find((x) => x.path.endsWith('/withdraw'))!;
    expect(withdrawReq.headers['content-type']).toBeUndefined();
    expect(withdrawReq.body).toBe('');
    expect(AirlockNotFoundError.isInstance(await held)).toBe(true);

    const b = await submit();
    await r.gateway.decide(b.requestId);
    const conflict = await r.client.withdrawExchange(b.requestId).catch((e) => e);
    expect(AirlockConflictError.isInstance(conflict)).toBe(true);
    expect(conflict.isConflict).toBe(true);
    expect(conflict.errorCode).toBe('already_resolved');
  });

  it('unknown exchange: 404 NotFound in the flat error shape', async () => {
    r = await rig();
    const e = await r.client.getExchangeStatus('req-nope').catch((x) => x);
    expect(AirlockNotFoundError.isInstance(e)).toBe(true);
    expect(e.errorCode).toBe('NotFound');
    expect(e.hasErrorCode('notfound')).toBe(true);
    expect(e.responseBody).toBe('{"error":"NotFound","message":"Exchange not found"}');
  });

  it('submitting without a routing token: 422 no_approver', async () => {
    r = await rig();
    const p = await pair(r);
    const e = await r.client
      .encryptAndSubmitArtifact({
        enforcerId: 'enf-1',
        plaintextPayload: payload,
        encryptionKey: p.encryptionKey,
      })
      .catch((x) => x);
    expect(AirlockUnprocessableError.isInstance(e)).toBe(true);
    expect(e.errorCode).toBe('no_approver');
  });
});

describe('idempotency by requestId', () => {
  it('a retry after a lost response reuses the requestId and the 409 reads as a duplicate success', async () => {
    r = await rig();
    const p = await pair(r);
    // The first attempt reaches the app, but its answer is replaced by a 503: the client retries.
    r.gateway.faults.enqueue({ match: { method: 'POST', path: '/v1/artifacts' }, status: 503 });
    const submitted = await r.client.encryptAndSubmitArtifact({
      requestId: 'req-fixed-1',
      enforcerId: 'enf-1',
      plaintextPayload: payload,
      encryptionKey: p.encryptionKey,
      metadata: { routingToken: p.routingToken },
    });
    const posts = r.gateway.recorder.requests.filter((x) => x.path === '/v1/artifacts');
    expect(posts.length).toBe(2);
    expect(posts.map((x) => JSON.parse(x.body).requestId)).toEqual(['req-fixed-1', 'req-fixed-1']);
    expect(posts.map((x) => x.headers['idempotency-key'])).toEqual(['req-fixed-1', 'req-fixed-1']);
    expect(submitted.duplicate).toBe(false);

    // Sending the same artifact again under the same id: the gateway says 409, the hash says it is ours.
    const again = await r.client.encryptAndSubmitArtifact({
      requestId: 'req-fixed-1',
      enforcerId: 'enf-1',
      plaintextPayload: ' { "action" : "test", "value": 42 } ',
      encryptionKey: p.encryptionKey,
      metadata: { routingToken: p.routingToken },
    });
    expect(again.duplicate).toBe(true);

    // A different artifact under a taken id is a real conflict.
    const conflict = await r.client
      .encryptAndSubmitArtifact({
        requestId: 'req-fixed-1',
        enforcerId: 'enf-1',
        plaintextPayload: '{"other":1}',
        encryptionKey: p.encryptionKey,
        metadata: { routingToken: p.routingToken },
      })
      .catch((e) => e);
    expect(AirlockConflictError.isInstance(conflict)).toBe(true);
    expect(conflict.errorCode).toBe('AlreadyExistsConflict');
  });
});

describe('decision verification against the fake approver', () => {
  async function submitted(r: Rig) {
    const p = await pair(r);
    return r.client.encryptAndSubmitArtifact(artifactFor(p, payload));
  }

  it.each([
    ['a hash the approver did not see', { artifactHash: 'ab'.repeat(32) }, 'hash_mismatch'],
    ['a forged signature', { signature: 'A'.repeat(86) }, 'bad_signature'],
    ['an unsigned decision', { sign: false }, 'missing_signature'],
    ['an expired decision', { expiresAt: '2000-01-01T00:00:00Z' }, 'expired'],
  ] as const)('refuses %s', async (_name, tamper, reason) => {
    r = await rig();
    const s = await submitted(r);
    await r.gateway.decide(s.requestId, tamper);
    await expect(r.client.waitForDecision(s.requestId)).rejects.toMatchObject({ reason });
  });

  it('refuses a decision signed by another key', async () => {
    r = await rig();
    const s = await submitted(r);
    await r.gateway.decide(s.requestId, { signerPrivateKey: 'SwFE8wRq0K_hV5hdOAgqW3eXOK9HwcGlUsTPB9XN2V4' });
    await expect(r.client.waitForDecision(s.requestId)).rejects.toMatchObject({ reason: 'bad_signature' });
  });

  it('refuses a replayed nonce, but not the same decision delivered twice', async () => {
    r = await rig();
    const p = await pair(r);
    const submit = () => r.client.encryptAndSubmitArtifact(artifactFor(p, payload));
    const a = await submit();
    await r.gateway.decide(a.requestId, { nonce: 'nonce-1' });
    expect((await r.client.waitForDecision(a.requestId))?.body?.nonce).toBe('nonce-1');
    // Polling again returns the same decision: not a replay.
    expect((await r.client.waitForDecision(a.requestId))?.body?.nonce).toBe('nonce-1');
    const b = await submit();
    await r.gateway.decide(b.requestId, { nonce: 'nonce-1' });
    await expect(r.client.waitForDecision(b.requestId)).rejects.toMatchObject({ reason: 'replayed_nonce' });
  });

  it('verifies a decision fetched by another client with verifyDecision', async () => {
    r = await rig({}, { signerPublicKey: undefined });
    const s = await submitted(r);
    await r.gateway.decide(s.requestId, { reason: 'ok' });
    const envelope = (await r.client.waitForDecision(s.requestId))!;
    const verified = await verifyDecision(envelope, s.artifactHash, r.gateway.signerPublicKey);
    expect(verified).toMatchObject({
      approved: true,
      signed: true,
      reason: 'ok',
      signerKeyId: 'fake-signer-1',
    });
  });
});
