// A client that did not submit the request (a new process waiting on an id submitted earlier) must still
// verify the decision, or refuse it: a decision signed with another key is never reported as approved.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TimeoutError } from '@x/http-core';
import { LATE_MS, raceDeadline } from '@x/tooling/deadline';
import { afterEach, describe, expect, it } from 'vitest';
import {
  AirlockGatewayClient,
  AirlockInputError,
  DecisionVerificationError,
  generateEd25519KeyPair,
  isApproved,
  signDecision,
} from '../src/index.ts';
import { artifactFor, PAT, pair, type Rig, rig } from './gateway-kit.ts';

let r: Rig | undefined;
let server: Server | undefined;
afterEach(async () => {
  await r?.close();
  await new Promise((done) => (server ? server.close(done) : done(undefined)));
  r = server = undefined;
});

const otherKey = 'SwFE8wRq0K_hV5hdOAgqW3eXOK9HwcGlUsTPB9XN2V4';

async function submittedElsewhere() {
  r = await rig();
  const p = await pair(r);
  const s = await r.client.encryptAndSubmitArtifact(artifactFor(p, '{"run":"rm -rf /"}'));
  // A second client: same gateway and signer key, but it never saw the submission.
  const fresh = new AirlockGatewayClient({
    baseUrl: r.gateway.url,
    pat: PAT,
    signerPublicKey: r.gateway.signerPublicKey,
  });
  return { rig: r, s, fresh };
}

describe('decisions on requests another process submitted', () => {
  it('refuses a decision signed by another key (waitForDecision and waitUntilDecided)', async () => {
    const { rig: g, s, fresh } = await submittedElsewhere();
    await g.gateway.decide(s.requestId, { decision: 'approve', signerPrivateKey: otherKey });
    await expect(fresh.waitForDecision(s.requestId)).rejects.toMatchObject({ reason: 'bad_signature' });
    await expect(fresh.waitUntilDecided(s.requestId, { totalTimeout: 5000 })).rejects.toSatisfy((e) =>
      DecisionVerificationError.isInstance(e),
    );
  });

  it('refuses a decision on another artifact', async () => {
    const { rig: g, s, fresh } = await submittedElsewhere();
    await g.gateway.decide(s.requestId, { artifactHash: 'ab'.repeat(32) });
    await expect(fresh.waitForDecision(s.requestId)).rejects.toMatchObject({ reason: 'hash_mismatch' });
  });

  it('verifies a genuine decision with the hash from the gateway status answer', async () => {
    const { rig: g, s, fresh } = await submittedElsewhere();
    await g.gateway.decide(s.requestId, { decision: 'approve', reason: 'ok' });
    const envelope = await fresh.waitUntilDecided(s.requestId, { totalTimeout: 5000 });
    expect(isApproved(envelope)).toBe(true);
    expect(envelope.body?.artifactHash).toBe(s.artifactHash);
  });

  it('refuses with artifact_hash_unknown when no hash is known anywhere', async () => {
    // A gateway whose status answer names no hash: the decision cannot be checked, so it is refused.
    const body = await signDecision(
      { requestId: 'req-1', artifactHash: 'cd'.repeat(32), decision: 'approve', nonce: 'n1' },
      otherKey,
    );
    server = createServer((req, res) => {
      res.setHeader('content-type', 'application/json');
      if (req.url?.startsWith('/v1/exchanges/req-1/wait'))
        res.end(JSON.stringify({ msgType: 'decision.deliver', requestId: 'req-1', body }));
      else if (req.url === '/v1/exchanges/req-1')
        res.end(
          JSON.stringify({
            msgType: 'exchange.status',
            requestId: 'req-1',
            body: { requestId: 'req-1', state: 'Completed' },
          }),
        );
      else res.writeHead(404).end('{}');
    });
    await new Promise<void>((done) => server!.listen(0, '127.0.0.1', done));
    const client = new AirlockGatewayClient({
      baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      pat: PAT,
      signerPublicKey: (await generateEd25519KeyPair()).publicKey,
    });
    const error = await client.waitForDecision('req-1').catch((e) => e);
    expect(DecisionVerificationError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ code: 'artifact_hash_unknown', reason: 'artifact_hash_unknown' });
    // With the hash given by the caller, the check runs (and fails on the wrong signer key).
    await expect(client.waitForDecision('req-1', { artifactHash: 'cd'.repeat(32) })).rejects.toMatchObject({
      reason: 'bad_signature',
    });
  });
});

describe('waitUntilDecided keeps its deadline', () => {
  it('rejects with TimeoutError at the deadline, not at the request timeout against a gateway that never answers', async () => {
    const { createServer: netServer } = await import('node:net');
    const held: import('node:net').Socket[] = [];
    const silent = netServer((socket) => {
      held.push(socket);
      socket.on('data', () => {});
    });
    await new Promise<void>((done) => silent.listen(0, '127.0.0.1', done));
    try {
      const client = new AirlockGatewayClient({
        baseUrl: `http://127.0.0.1:${(silent.address() as AddressInfo).port}`,
        pat: PAT,
      });
      const { error, lateMs } = await raceDeadline(1000, () =>
        client.waitUntilDecided('req-1', { totalTimeout: 1000 }),
      );
      expect(TimeoutError.isInstance(error)).toBe(true);
      // Settles with a plain 1 s timer started with it, not seconds later at a request timeout or poll.
      expect(lateMs).toBeLessThan(LATE_MS);
    } finally {
      for (const s of held) s.destroy();
      await new Promise((done) => silent.close(done));
    }
  });
});

describe('ids cannot escape their route', () => {
  const bad = ['', '.', '..', 'a/b', 'a\\b', 'a%2Fb', 'a%2fb', 'a%5Cb', 'a?b', 'a#b', '../artifacts'];
  it.each(bad)('refuses %j as a request or pairing id before any request', async (id) => {
    r = await rig();
    const before = r.gateway.recorder.requests.length;
    for (const call of [
      () => r!.client.getExchangeStatus(id),
      () => r!.client.waitForDecision(id),
      () => r!.client.waitUntilDecided(id, { totalTimeout: 1000 }),
      () => r!.client.withdrawExchange(id),
      () => r!.client.getPairingStatus(id),
    ]) {
      const error = await call().catch((e) => e);
      expect(AirlockInputError.isInstance(error), String(error)).toBe(true);
      expect(error.code).toBe('invalid_argument');
    }
    expect(r.gateway.recorder.requests).toHaveLength(before);
  });
});
