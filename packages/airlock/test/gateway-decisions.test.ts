// Decision verification attacks, the nonce journal, and bad input to the crypto helpers: pure tests that
// run in Node and in the edge runtime.
import { describe, expect, it } from 'vitest';
import {
  AirlockDecryptionError,
  AirlockGatewayClient,
  AirlockInputError,
  aesGcmDecrypt,
  aesGcmEncrypt,
  canonicalize,
  type DecisionDeliverEnvelope,
  DecisionVerificationError,
  deriveSharedKey,
  generateEd25519KeyPair,
  generateX25519KeyPair,
  NonceJournal,
  signDecision,
  verifyDecision,
  verifyEd25519,
} from '../src/index.ts';
import vectors from './vectors/airlock.json';

const vector = vectors.groups.decision_signature[0]!;
const envelope = vector.decision_envelope as unknown as DecisionDeliverEnvelope;
const hash = envelope.body!.artifactHash;
const signer = vector.signer_public_key_b64url;

const rejects = async (p: Promise<unknown>, reason: string) => {
  const e = await p.then(
    () => undefined,
    (x) => x,
  );
  expect(DecisionVerificationError.isInstance(e), String(e)).toBe(true);
  expect(e.reason).toBe(reason);
};

describe('verifyDecision', () => {
  it('accepts the vector envelope', async () => {
    const v = await verifyDecision(envelope, hash, signer, { requestId: 'req-1' });
    expect(v).toMatchObject({ approved: true, signed: true, nonce: 'n-1', reason: 'Looks good' });
  });

  it('refuses a missing body', () =>
    rejects(verifyDecision({ ...envelope, body: undefined }, hash, signer), 'missing_body'));

  it('refuses a decision for another request', () =>
    rejects(verifyDecision(envelope, hash, signer, { requestId: 'req-2' }), 'request_mismatch'));

  it('refuses a hash mismatch', () =>
    rejects(verifyDecision(envelope, 'ab'.repeat(32), signer), 'hash_mismatch'));

  it.each([
    ['decision', 'reject'],
    ['reason', 'changed'],
    ['nonce', 'n-2'],
    ['signerKeyId', 'key-2'],
  ])('refuses a signed decision whose %s was changed', (field, value) =>
    rejects(
      verifyDecision({ ...envelope, body: { ...envelope.body!, [field]: value } }, hash, signer),
      'bad_signature',
    ),
  );

  it('refuses the signature moved to another request id', () =>
    rejects(verifyDecision({ ...envelope, requestId: 'req-2' }, hash, signer), 'bad_signature'));

  it('refuses a malformed signature and another signer', async () => {
    await rejects(
      verifyDecision({ ...envelope, body: { ...envelope.body!, signature: '!!' } }, hash, signer),
      'bad_signature',
    );
    const other = await generateEd25519KeyPair();
    await rejects(verifyDecision(envelope, hash, other.publicKey), 'bad_signature');
  });

  it('refuses a stripped signature unless explicitly allowed', async () => {
    const unsigned = {
      ...envelope,
      body: { ...envelope.body!, signature: undefined, decisionHash: undefined },
    };
    await rejects(verifyDecision(unsigned, hash, signer), 'missing_signature');
    const v = await verifyDecision(unsigned, hash, signer, { requireSignature: false });
    expect(v.signed).toBe(false);
  });

  it('refuses an expired envelope', async () => {
    const expiring = { ...envelope, expiresAt: '2030-01-01T00:00:00Z' };
    await rejects(
      verifyDecision(expiring, hash, signer, { now: () => Date.parse('2030-01-01T00:00:01Z') }),
      'expired',
    );
    await expect(
      verifyDecision(expiring, hash, signer, { now: () => Date.parse('2029-12-31T00:00:00Z') }),
    ).resolves.toBeTruthy();
  });

  it('refuses a replayed nonce, and a forged decision does not burn a nonce', async () => {
    const journal = new NonceJournal();
    const forged = { ...envelope, body: { ...envelope.body!, reason: 'x' } };
    await rejects(verifyDecision(forged, hash, signer, { nonceJournal: journal }), 'bad_signature');
    expect(journal.hasSeen('n-1')).toBe(false);
    await verifyDecision(envelope, hash, signer, { nonceJournal: journal });
    await rejects(verifyDecision(envelope, hash, signer, { nonceJournal: journal }), 'replayed_nonce');
    const noNonce = await signDecision(
      { requestId: 'r', artifactHash: hash, decision: 'approve' },
      vector.signer_private_seed_b64url,
    );
    await rejects(
      verifyDecision({ msgType: 'decision.deliver', requestId: 'r', body: noNonce }, hash, signer, {
        nonceJournal: journal,
      }),
      'missing_nonce',
    );
  });
});

describe('NonceJournal (spec §9)', () => {
  it('records, refuses repeats within the TTL, lets expired entries be recorded again', async () => {
    let t = 1_000_000;
    const j = new NonceJournal({ ttlMs: 1000, now: () => t });
    expect(j.ttlMs).toBe(1000);
    expect(await j.tryRecord('a')).toBe(true);
    expect(await j.tryRecord('a')).toBe(false);
    expect(j.hasSeen('a')).toBe(true);
    t += 999;
    expect(await j.tryRecord('a')).toBe(false);
    t += 1;
    expect(j.hasSeen('a')).toBe(false);
    expect(await j.tryRecord('a')).toBe(true);
  });

  it('prunes at most once a minute; count may include expired entries until then', async () => {
    let t = 0;
    const j = new NonceJournal({ ttlMs: 1000, now: () => t });
    await j.tryRecord('a');
    await j.tryRecord('b');
    t = 5000;
    expect(j.count).toBe(2); // last prune was at t=0
    t = 60_000;
    expect(j.count).toBe(0);
  });

  it('saves every record through its store, in order, and survives a failing store', async () => {
    const saved: string[][] = [];
    const errors: unknown[] = [];
    let fail = false;
    const j = new NonceJournal({
      store: {
        async save(entries) {
          if (fail) throw new Error('disk full');
          saved.push([...entries.keys()]);
        },
      },
      onError: (e) => errors.push(e),
      entries: [['old', Date.now()]],
    });
    expect(await j.tryRecord('old')).toBe(false);
    await j.tryRecord('x');
    await j.tryRecord('y');
    fail = true;
    expect(await j.tryRecord('z')).toBe(true);
    await j.flush();
    expect(saved).toEqual([
      ['old', 'x'],
      ['old', 'x', 'y'],
    ]);
    expect(errors.length).toBe(1);
  });
});

describe('bad input is refused before anything is sent', () => {
  const key = vectors.groups.aes_256_gcm_encrypt[0]!.key_b64url;

  it.each([
    ['too short', 'AAAA'],
    ['too long', 'A'.repeat(44)],
    ['not base64url', '!'.repeat(43)],
    ['standard alphabet', `+/${'A'.repeat(41)}`],
    ['empty', ''],
  ])('AES key %s', async (_name, bad) => {
    await expect(aesGcmEncrypt(bad, 'x')).rejects.toSatisfy(
      (e) => AirlockInputError.isInstance(e) && e.code === 'invalid_key',
    );
  });

  it('X25519: wrong length, bad encoding, low-order and all-zero peer keys', async () => {
    const mine = await generateX25519KeyPair();
    for (const peer of ['AAAA', '*'.repeat(43), 'A'.repeat(43), `7P${'_'.repeat(40)}38`]) {
      await expect(deriveSharedKey(mine.privateKey, peer)).rejects.toSatisfy(
        (e) => AirlockInputError.isInstance(e) && e.code === 'invalid_key',
      );
    }
    // 44 bytes that are not an SPKI X25519 key.
    await expect(deriveSharedKey(mine.privateKey, 'A'.repeat(59))).rejects.toSatisfy((e) =>
      AirlockInputError.isInstance(e),
    );
  });

  it('Ed25519: a malformed public key throws, a malformed signature is just false', async () => {
    await expect(verifyEd25519('short', 'm', 'A'.repeat(86))).rejects.toSatisfy((e) =>
      AirlockInputError.isInstance(e),
    );
    expect(await verifyEd25519(signer, 'm', 'not-a-signature')).toBe(false);
  });

  it('a tampered ciphertext never decrypts', async () => {
    const sealed = await aesGcmEncrypt(key, '{"a":1}');
    const flip = (b64: string) => {
      const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      bytes[0]! ^= 1;
      return btoa(String.fromCharCode(...bytes));
    };
    for (const part of ['data', 'nonce', 'tag'] as const) {
      await expect(aesGcmDecrypt(key, { ...sealed, [part]: flip(sealed[part]) })).rejects.toSatisfy((e) =>
        AirlockDecryptionError.isInstance(e),
      );
    }
    await expect(aesGcmDecrypt(key, { ...sealed, tag: sealed.tag.slice(0, 8) })).rejects.toBeTruthy();
    await expect(aesGcmDecrypt(key, { ...sealed, alg: 'xchacha20-poly1305' })).rejects.toSatisfy(
      (e) => AirlockInputError.isInstance(e) && e.code === 'unsupported_alg',
    );
    await expect(aesGcmDecrypt(key, { ...sealed, aad: 'eA==' })).rejects.toSatisfy((e) =>
      AirlockInputError.isInstance(e),
    );
    expect(await aesGcmDecrypt(key, { ...sealed, alg: 'aes-256-gcm' })).toBe('{"a":1}');
  });

  it('canonicalize refuses non-JSON', async () => {
    for (const text of ['', 'not json', '{"a":1', 'NaN', '{"a":Infinity}']) {
      await expect(canonicalize(text)).rejects.toSatisfy(
        (e) => AirlockInputError.isInstance(e) && e.code === 'invalid_payload',
      );
    }
  });

  it('encryptAndSubmitArtifact refuses empty, whitespace and non-JSON payloads and bad keys (no request)', async () => {
    // An unroutable base URL: any request would fail with a NetworkError, not an AirlockInputError.
    const client = new AirlockGatewayClient({ baseUrl: 'http://127.0.0.1:9', pat: 'airpat_x', retry: false });
    const base = { enforcerId: 'e', encryptionKey: key, metadata: { routingToken: 'rt' } };
    for (const plaintextPayload of ['', '   ', 'not json', '{"a":']) {
      await expect(client.encryptAndSubmitArtifact({ ...base, plaintextPayload })).rejects.toSatisfy(
        (e) => AirlockInputError.isInstance(e) && e.code === 'invalid_payload',
      );
    }
    for (const encryptionKey of ['', 'short', 'A'.repeat(44)]) {
      await expect(
        client.encryptAndSubmitArtifact({ ...base, encryptionKey, plaintextPayload: '{}' }),
      ).rejects.toSatisfy((e) => AirlockInputError.isInstance(e) && e.code === 'invalid_key');
    }
    await expect(
      client.submitArtifact({
        enforcerId: '',
        artifactHash: hash,
        ciphertext: { alg: 'AES-256-GCM', data: 'a', nonce: 'b', tag: 'c' },
      }),
    ).rejects.toSatisfy((e) => AirlockInputError.isInstance(e));
    await expect(
      client.submitArtifact({
        enforcerId: 'e',
        artifactHash: hash,
        ciphertext: { alg: 'AES-256-GCM', data: 'a', nonce: 'b', tag: 'c' },
        expiresAt: 'not a date',
      }),
    ).rejects.toSatisfy((e) => AirlockInputError.isInstance(e));
  });
});
