// The parts of the upstream SDKs' surface that users moving from them look for: decision helpers, canonical
// hashing of values, the byte helpers, acks by message id, the HARP envelope types and currentAccessToken.
import * as xc from '@x/crypto';
import * as v from 'valibot';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type AirlockConflictError,
  AirlockInputError,
  base64UrlDecode,
  base64UrlEncode,
  canonicalize,
  canonicalSerialize,
  HarpEnvelope,
  hashCanonical,
  hkdfSha256,
  isApproved,
  isRejected,
  SenderInfo,
  sha256Hex,
} from '../src/index.ts';
import { type Idp, signIn, startIdp } from './auth-kit.ts';
import { artifactFor, pair, type Rig, rig } from './gateway-kit.ts';

let r: Rig | undefined;
let ctx: Idp | undefined;
afterEach(async () => {
  await r?.close();
  await ctx?.idp.close();
  r = undefined;
  ctx = undefined;
});

describe('decision helpers', () => {
  it('isRejected is true for reject in any case, on an envelope or its body; never for approve or junk', () => {
    const envelope = (decision: string) => ({
      msgType: 'decision.deliver',
      requestId: 'req-1',
      body: { artifactHash: 'h', decision },
    });
    for (const word of ['reject', 'REJECT', 'Reject']) {
      expect(isRejected(envelope(word))).toBe(true);
      expect(isRejected(envelope(word).body)).toBe(true);
      expect(isApproved(envelope(word))).toBe(false);
    }
    expect(isRejected(envelope('approve'))).toBe(false);
    expect(isRejected(envelope('rejected'))).toBe(false);
    expect(isRejected(undefined)).toBe(false);
    expect(isRejected(null)).toBe(false);
    expect(isRejected({ msgType: 'decision.deliver', requestId: 'req-1' })).toBe(false);
  });
});

describe('canonical hashing of values', () => {
  it('canonicalSerialize sorts keys and hashCanonical is the SHA-256 of that, as for the same JSON text', async () => {
    const value = { value: 42, action: 'test', nested: { b: [1, 2.5, 'x'], a: null } };
    expect(canonicalSerialize(value)).toBe(
      '{"action":"test","nested":{"a":null,"b":[1,2.5,"x"]},"value":42}',
    );
    const hash = await hashCanonical(value);
    expect(hash).toBe(await sha256Hex(canonicalSerialize(value)));
    expect(hash).toBe(await sha256Hex(await canonicalize(JSON.stringify(value))));
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(canonicalSerialize({ at: new Date(Date.UTC(2026, 0, 2)) })).toBe(
      '{"at":"2026-01-02T00:00:00.000Z"}',
    );
  });

  it('refuses a value with no JSON form with AirlockInputError invalid_payload', async () => {
    const cyclic: Record<string, unknown> = {};
    cyclic['self'] = cyclic;
    for (const bad of [cyclic, { n: Number.NaN }, () => 1]) {
      const error = (() => {
        try {
          canonicalSerialize(bad);
        } catch (e) {
          return e;
        }
      })();
      expect(AirlockInputError.isInstance(error)).toBe(true);
      expect((error as AirlockInputError).code).toBe('invalid_payload');
    }
    await expect(hashCanonical({ n: Number.POSITIVE_INFINITY })).rejects.toSatisfy((e) =>
      AirlockInputError.isInstance(e),
    );
  });

  it('the byte helpers are @x/crypto’s own functions', () => {
    expect(hkdfSha256).toBe(xc.hkdfSha256);
    expect(base64UrlEncode).toBe(xc.base64UrlEncode);
    expect(base64UrlDecode(base64UrlEncode(new Uint8Array([0, 255, 7])))).toEqual(
      new Uint8Array([0, 255, 7]),
    );
  });
});

describe('submitAck by message id', () => {
  it('acks a delivered decision by msgId; requestId defaults to the msgId, as upstream sends it', async () => {
    r = await rig();
    const p = await pair(r);
    const { requestId } = await r.client.encryptAndSubmitArtifact(artifactFor(p, '{"command":"ls"}'));
    const decision = await r.gateway.decide(requestId, 'reject');
    expect(isRejected(decision)).toBe(true);

    await r.client.submitAck(decision.msgId!);
    await r.client.submitAck(decision.msgId!, { requestId });
    const [bare, withId] = r.gateway.acks as Array<{
      msgType: string;
      requestId: string;
      body: { msgId: string; status: string };
    }>;
    expect(bare).toMatchObject({
      msgType: 'ack.submit',
      requestId: decision.msgId,
      body: { msgId: decision.msgId, status: 'delivered' },
    });
    expect(withId).toMatchObject({ requestId, body: { msgId: decision.msgId } });
    expect(r.gateway.exchanges.get(requestId)?.acks).toHaveLength(1);
  });

  it('refuses upstream’s positional requestId with a TypeError that says what to pass, sending nothing', async () => {
    r = await rig();
    const call = r.client.submitAck('msg-1', 'req-1' as never);
    await expect(call).rejects.toThrow(TypeError);
    await expect(r.client.submitAck('msg-1', 'req-1' as never)).rejects.toThrow(/\{ requestId: "req-1" \}/);
    await expect(r.client.submitAck('')).rejects.toSatisfy((e) => AirlockInputError.isInstance(e));
    expect(r.gateway.recorder.requests.filter((q) => q.path === '/v1/acks')).toHaveLength(0);
  });
});

describe('HARP envelope types', () => {
  it('HarpEnvelope(schema) reads an error envelope from the gateway, with sender and recipient optional', async () => {
    r = await rig();
    const p = await pair(r);
    const request = artifactFor(p, '{"command":"ls"}');
    const { requestId } = await r.client.encryptAndSubmitArtifact(request);
    const conflict = await r.client
      .encryptAndSubmitArtifact({ ...request, plaintextPayload: '{"command":"rm"}', requestId })
      .catch((e: unknown) => e as AirlockConflictError);
    const ErrorEnvelope = HarpEnvelope(
      v.object({ code: v.string(), message: v.string(), requestId: v.string() }),
    );
    const parsed = v.parse(ErrorEnvelope, JSON.parse((conflict as AirlockConflictError).responseBody));
    expect(parsed).toEqual({
      msgType: 'error',
      requestId,
      body: { code: 'AlreadyExistsConflict', message: `Request ${requestId} already exists.`, requestId },
    });
    const typed: HarpEnvelope<{ code: string }> = { msgType: 'error', requestId, body: { code: 'x' } };
    expect(typed.body?.code).toBe('x');
    expect(v.parse(SenderInfo, { enforcerId: 'enf-1', gatewayId: null })).toEqual({ enforcerId: 'enf-1' });
    expect(v.safeParse(ErrorEnvelope, { msgType: 'error' }).success).toBe(false);
  });
});

describe('currentAccessToken', () => {
  it('is the held access token, without refreshing: undefined signed out, the token after login', async () => {
    ctx = await startIdp();
    const auth = ctx.client();
    expect(auth.currentAccessToken).toBeUndefined();
    const tokens = await signIn(ctx, auth);
    expect(auth.currentAccessToken).toBe(tokens.accessToken);
    // Expired: still the held token (no request made); getAccessToken refreshes.
    ctx.idp.clock.advance(10 * 60_000);
    const before = ctx.idp.recorder.requests.length;
    expect(auth.currentAccessToken).toBe(tokens.accessToken);
    expect(ctx.idp.recorder.requests.length).toBe(before);
    const fresh = await auth.getAccessToken();
    expect(fresh).not.toBe(tokens.accessToken);
    expect(auth.currentAccessToken).toBe(fresh);
    await auth.logout();
    expect(auth.currentAccessToken).toBeUndefined();
  });
});

describe('upstream-style positional calls', () => {
  it('are refused with a TypeError that says what to pass, before any request', async () => {
    r = await rig();
    const before = r.gateway.recorder.requests.length;
    await expect(r.client.waitForDecision('req-1', 25 as never)).rejects.toThrow(
      /waitForDecision\(requestId, options\).*\{ timeoutSeconds: 25 \}/,
    );
    await expect(r.client.waitUntilDecided('req-1', 120 as never)).rejects.toThrow(TypeError);
    await expect(r.client.getEffectiveDndPolicies('enf-1' as never, 'ws-1' as never)).rejects.toThrow(
      /pass \{ enforcerId: "enf-1", workspaceId, sessionId\? \} as one object/,
    );
    await expect(r.client.echo('now' as never)).rejects.toThrow(
      /options object such as \{ signal, timeout, headers \}/,
    );
    await expect(r.client.getExchangeStatus('req-1', null as never)).rejects.toThrow(TypeError);
    expect(r.gateway.recorder.requests.length).toBe(before);
  });
});
