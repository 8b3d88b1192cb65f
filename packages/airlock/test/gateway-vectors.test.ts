// Every case of the shared Airlock vector file that the gateway helpers cover, through the package's public
// string-encoded API (what a user calls), in Node and in the edge runtime.
import { describe, expect, it } from 'vitest';
import {
  AirlockDecryptionError,
  aesGcmDecrypt,
  aesGcmEncrypt,
  canonicalize,
  type DecisionDeliverEnvelope,
  decisionSignableText,
  deriveSharedKey,
  getEd25519PublicKey,
  getX25519PublicKey,
  sha256Hex,
  signDecision,
  signEd25519,
  verifyDecision,
  verifyEd25519,
} from '../src/index.ts';
import vectors from './vectors/airlock.json';

const g = vectors.groups;
const hexToBytes = (hex: string) => Uint8Array.from(hex.match(/../g) ?? [], (h) => Number.parseInt(h, 16));
const b64u = (hex: string) =>
  btoa(String.fromCharCode(...hexToBytes(hex)))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');

describe('x25519_public_key', () => {
  it.each(g.x25519_public_key.map((c) => [c.description, c] as const))('%s', async (_d, c) => {
    expect(await getX25519PublicKey(c.private_key_b64url)).toBe(c.public_key_b64url);
  });
});

describe('x25519_ecdh_and_derive_shared_key', () => {
  it.each(g.x25519_ecdh_and_derive_shared_key.map((c) => [c.description, c] as const))(
    '%s',
    async (_d, c) => {
      expect(await deriveSharedKey(c.my_private_key_b64url, c.peer_public_key_b64url)).toBe(
        c.derived_key_b64url,
      );
      // Symmetric: the peer derives the same key.
      expect(await deriveSharedKey(c.peer_private_key_b64url, c.my_public_key_b64url)).toBe(
        c.derived_key_b64url,
      );
      // A 44-byte SPKI-wrapped peer key (as the n8n node sends) gives the same key.
      const spki = b64u(
        `302a300506032b656e032100${c.peer_public_key_b64url && toHex(c.peer_public_key_b64url)}`,
      );
      expect(await deriveSharedKey(c.my_private_key_b64url, spki)).toBe(c.derived_key_b64url);
    },
  );
});

function toHex(b64url: string): string {
  const bin = atob(b64url.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (b64url.length % 4)) % 4));
  return Array.from(bin, (ch) => ch.charCodeAt(0).toString(16).padStart(2, '0')).join('');
}

describe('aes_256_gcm_encrypt', () => {
  it.each(g.aes_256_gcm_encrypt.map((c) => [c.description, c] as const))('%s', async (_d, c) => {
    const out = await aesGcmEncrypt(c.key_b64url, c.plaintext_utf8, { nonce: hexToBytes(c.nonce_hex) });
    expect(out).toEqual(c.expected);
    expect(await aesGcmDecrypt(c.key_b64url, out)).toBe(c.plaintext_utf8);
  });
});

describe('aes_256_gcm_decrypt', () => {
  it.each(g.aes_256_gcm_decrypt.map((c) => [c.description, c] as const))('%s', async (_d, c) => {
    if (c.expect_error) {
      await expect(aesGcmDecrypt(c.key_b64url, c.payload)).rejects.toSatisfy((e) =>
        AirlockDecryptionError.isInstance(e),
      );
    } else {
      expect(await aesGcmDecrypt(c.key_b64url, c.payload)).toBe(c.expected_plaintext);
    }
  });
});

describe('encrypt_artifact_payload', () => {
  it.each(g.encrypt_artifact_payload.map((c) => [c.description, c] as const))('%s', async (_d, c) => {
    const key = await deriveSharedKey(c.enforcer_x25519_private_b64url, c.approver_x25519_public_b64url);
    expect(key).toBe(c.derived_key_b64url);
    const canonical = await canonicalize(c.plaintext_payload);
    expect(canonical).toBe(c.expected.canonical);
    expect(await sha256Hex(canonical)).toBe(c.expected.artifactHash);
    const ciphertext = await aesGcmEncrypt(key, canonical, { nonce: hexToBytes(c.aes_nonce_hex) });
    expect(ciphertext).toEqual(c.expected.ciphertext);
    // The approver derives the key from its side and decrypts the canonical text.
    const approverKey = await deriveSharedKey(
      c.approver_x25519_private_b64url,
      c.enforcer_x25519_public_b64url,
    );
    expect(await aesGcmDecrypt(approverKey, ciphertext)).toBe(c.expected.decrypted_by_approver);
    expect(c.expected.artifact_submit_body.artifactHash).toBe(c.expected.artifactHash);
  });
});

describe('sha256_hex', () => {
  it.each(g.sha256_hex.map((c) => [c.description, c] as const))('%s', async (_d, c) => {
    expect(await sha256Hex(c.input_utf8)).toBe(c.expected);
  });
});

describe('canonical_json', () => {
  it.each(g.canonical_json.map((c) => [c.description, c] as const))('%s', async (_d, c) => {
    // RFC 8785 numbers where strict JCS differs from the Python reference (as @x/crypto and the .NET SDK),
    // but integer literals that a double cannot hold stay exact, as in the Python reference.
    const inexact = (c.input.match(/-?\d+(?![\d.eE])/g) ?? []).some((x) => BigInt(x) !== BigInt(Number(x)));
    const expected = 'rfc8785' in c && typeof c.rfc8785 === 'string' && !inexact ? c.rfc8785 : c.expected;
    const canonical = await canonicalize(c.input);
    expect(canonical).toBe(expected);
    if (expected === c.expected) expect(await sha256Hex(canonical)).toBe(c.expected_sha256);
  });
});

describe('ed25519', () => {
  it.each(g.ed25519.map((c) => [c.description, c] as const))('%s', async (_d, c) => {
    expect(await getEd25519PublicKey(c.private_seed_b64url)).toBe(c.public_key_b64url);
    const message = hexToBytes(c.message_hex);
    expect(await signEd25519(c.private_seed_b64url, message)).toBe(c.expected_signature_b64url);
    expect(await verifyEd25519(c.public_key_b64url, message, c.expected_signature_b64url)).toBe(true);
    const forged = `${c.expected_signature_b64url[0] === 'A' ? 'B' : 'A'}${c.expected_signature_b64url.slice(1)}`;
    expect(await verifyEd25519(c.public_key_b64url, message, forged)).toBe(false);
  });
});

describe('decision_signature', () => {
  it.each(g.decision_signature.map((c) => [c.description, c] as const))('%s', async (_d, c) => {
    const envelope = c.decision_envelope as unknown as DecisionDeliverEnvelope;
    const body = envelope.body!;
    expect(await decisionSignableText({ ...body, requestId: envelope.requestId })).toBe(
      c.expected_signable_canonical,
    );
    const signed = await signDecision(
      { ...body, requestId: envelope.requestId },
      c.signer_private_seed_b64url,
    );
    expect(signed.signature).toBe(c.expected_signature_b64url);
    expect(signed.decisionHash).toBe(body.decisionHash);
    const verified = await verifyDecision(
      envelope,
      body.artifactHash.toUpperCase(),
      c.signer_public_key_b64url,
    );
    expect(verified.signed).toBe(true);
    expect(verified.decision).toBe(body.decision);
    expect(verified.approved).toBe(body.decision === 'approve');
  });
});
