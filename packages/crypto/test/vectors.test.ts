// Every byte-level case of the shared Airlock vector file, byte for byte, through every backend that supports
// (some of) the group's algorithms in this runtime; see ./backends.ts.
import { describe, expect, it } from 'vitest';
import vectors from '../../../../shared/vectors/airlock.json';
import {
  base64Decode,
  base64Encode,
  base64UrlDecode,
  base64UrlEncode,
  canonicalize,
  DecryptionError,
  deriveE2EKey,
  ed25519PublicKey,
  ed25519Sign,
  ed25519Verify,
  hexDecode,
  hexEncode,
  hkdfSha256,
  openE2E,
  pkceChallengeS256,
  sealE2E,
  sha256Hex,
  utf8Decode,
  utf8Encode,
  x25519PublicKey,
  x25519SharedSecret,
} from '../src/index.ts';
import { backendsForAny } from './backends.ts';

const groups = vectors.groups;
const AIRLOCK_INFO = 'HARP-E2E-AES256GCM';

interface WireCiphertext {
  data: string;
  nonce: string;
  tag: string;
}

function fromWire(c: WireCiphertext) {
  return { ciphertext: base64Decode(c.data), nonce: base64Decode(c.nonce), tag: base64Decode(c.tag) };
}

it('the vector file is the expected format and has every group', () => {
  expect(vectors.format).toBe('airlock-test-vectors/1');
  for (const name of [
    'x25519_public_key',
    'x25519_ecdh_and_derive_shared_key',
    'hkdf_sha256',
    'aes_256_gcm_encrypt',
    'aes_256_gcm_decrypt',
    'encrypt_artifact_payload',
    'sha256_hex',
    'canonical_json',
    'pkce_s256',
    'base64url',
    'ed25519',
    'decision_signature',
  ]) {
    expect((groups as Record<string, unknown[]>)[name]?.length, name).toBeGreaterThan(0);
  }
});

describe.each(backendsForAny('x25519'))('x25519_public_key through %s', (_name, backend) => {
  const opts = { backend };

  it.each(groups.x25519_public_key.map((c) => [c.description, c] as const))('%s', async (_d, c) => {
    expect(hexEncode(base64UrlDecode(c.private_key_b64url))).toBe(c.private_key_hex);
    const pub = await x25519PublicKey(hexDecode(c.private_key_hex), opts);
    expect(hexEncode(pub)).toBe(c.public_key_hex);
    expect(base64UrlEncode(pub)).toBe(c.public_key_b64url);
  });
});

describe.each(backendsForAny('x25519', 'hkdf'))(
  'x25519_ecdh_and_derive_shared_key through %s',
  (_name, backend) => {
    const opts = { backend };

    it.each(groups.x25519_ecdh_and_derive_shared_key.map((c) => [c.description, c] as const))(
      '%s',
      async (_d, c) => {
        const mine = base64UrlDecode(c.my_private_key_b64url);
        const peer = base64UrlDecode(c.peer_private_key_b64url);
        expect(base64UrlEncode(await x25519PublicKey(mine, opts))).toBe(c.my_public_key_b64url);
        expect(base64UrlEncode(await x25519PublicKey(peer, opts))).toBe(c.peer_public_key_b64url);
        const shared = await x25519SharedSecret(mine, base64UrlDecode(c.peer_public_key_b64url), opts);
        expect(hexEncode(shared)).toBe(c.shared_secret_hex);
        expect(c.hkdf_info_utf8).toBe(AIRLOCK_INFO);
        const key = await deriveE2EKey(
          {
            privateKey: mine,
            peerPublicKey: base64UrlDecode(c.peer_public_key_b64url),
            info: c.hkdf_info_utf8,
          },
          opts,
        );
        expect(hexEncode(key)).toBe(c.derived_key_hex);
        expect(base64UrlEncode(key)).toBe(c.derived_key_b64url);
        // Symmetric: the peer derives the same key.
        const theirs = await deriveE2EKey(
          { privateKey: peer, peerPublicKey: base64UrlDecode(c.my_public_key_b64url), info: AIRLOCK_INFO },
          opts,
        );
        expect(hexEncode(theirs)).toBe(c.derived_key_hex);
      },
    );
  },
);

describe.each(backendsForAny('hkdf'))('hkdf_sha256 through %s', (_name, backend) => {
  const opts = { backend };

  it.each(groups.hkdf_sha256.map((c) => [c.description, c] as const))('%s', async (_d, c) => {
    const okm = await hkdfSha256(
      {
        ikm: hexDecode(c.ikm_hex),
        ...(c.salt_hex === null ? {} : { salt: hexDecode(c.salt_hex) }),
        info: hexDecode(c.info_hex),
        length: c.length,
      },
      opts,
    );
    expect(hexEncode(okm)).toBe(c.okm_hex);
    expect(base64UrlEncode(okm)).toBe(c.okm_b64url);
  });
});

describe.each(backendsForAny('aesGcm'))('aes_256_gcm_encrypt through %s', (_name, backend) => {
  const opts = { backend };

  it.each(groups.aes_256_gcm_encrypt.map((c) => [c.description, c] as const))('%s', async (_d, c) => {
    expect(c.aad).toBeNull();
    const key = base64UrlDecode(c.key_b64url);
    expect(hexEncode(key)).toBe(c.key_hex);
    const plaintext = utf8Encode(c.plaintext_utf8);
    expect(hexEncode(plaintext)).toBe(c.plaintext_hex);
    const sealed = await sealE2E({ key, plaintext, nonce: hexDecode(c.nonce_hex) }, opts);
    expect(hexEncode(sealed.ciphertext)).toBe(c.ciphertext_hex);
    expect(hexEncode(sealed.tag)).toBe(c.tag_hex);
    expect(c.expected.alg).toBe('AES-256-GCM');
    expect(base64Encode(sealed.ciphertext)).toBe(c.expected.data);
    expect(base64Encode(sealed.nonce)).toBe(c.expected.nonce);
    expect(base64Encode(sealed.tag)).toBe(c.expected.tag);
    expect(utf8Decode(await openE2E({ key, ...sealed }, opts))).toBe(c.plaintext_utf8);
  });
});

describe.each(backendsForAny('aesGcm'))('aes_256_gcm_decrypt through %s', (_name, backend) => {
  const opts = { backend };

  it.each(groups.aes_256_gcm_decrypt.map((c) => [c.description, c] as const))('%s', async (_d, c) => {
    const key = base64UrlDecode(c.key_b64url);
    const opened = openE2E({ key, ...fromWire(c.payload) }, opts);
    if (c.expect_error) {
      await expect(opened).rejects.toSatisfy(DecryptionError.isInstance);
    } else {
      expect(utf8Decode(await opened)).toBe(c.expected_plaintext);
    }
  });
});

describe.each(backendsForAny('x25519', 'hkdf', 'aesGcm', 'sha256'))(
  'encrypt_artifact_payload through %s',
  (_name, backend) => {
    const opts = { backend };

    it.each(groups.encrypt_artifact_payload.map((c) => [c.description, c] as const))('%s', async (_d, c) => {
      const enforcer = base64UrlDecode(c.enforcer_x25519_private_b64url);
      const approver = base64UrlDecode(c.approver_x25519_private_b64url);
      const canonical = canonicalize(JSON.parse(c.plaintext_payload));
      expect(canonical).toBe(c.expected.canonical);
      expect(await sha256Hex(canonical, opts)).toBe(c.expected.artifactHash);
      const key = await deriveE2EKey(
        {
          privateKey: enforcer,
          peerPublicKey: base64UrlDecode(c.approver_x25519_public_b64url),
          info: AIRLOCK_INFO,
        },
        opts,
      );
      expect(base64UrlEncode(key)).toBe(c.derived_key_b64url);
      const sealed = await sealE2E(
        { key, plaintext: utf8Encode(canonical), nonce: hexDecode(c.aes_nonce_hex) },
        opts,
      );
      expect(base64Encode(sealed.ciphertext)).toBe(c.expected.ciphertext.data);
      expect(base64Encode(sealed.nonce)).toBe(c.expected.ciphertext.nonce);
      expect(base64Encode(sealed.tag)).toBe(c.expected.ciphertext.tag);
      // The approver derives the same key from its side and decrypts.
      const approverKey = await deriveE2EKey(
        {
          privateKey: approver,
          peerPublicKey: base64UrlDecode(c.enforcer_x25519_public_b64url),
          info: AIRLOCK_INFO,
        },
        opts,
      );
      const opened = await openE2E({ key: approverKey, ...fromWire(c.expected.ciphertext) }, opts);
      expect(utf8Decode(opened)).toBe(c.expected.decrypted_by_approver);
    });
  },
);

describe.each(backendsForAny('sha256'))('sha256_hex through %s', (_name, backend) => {
  const opts = { backend };

  it.each(groups.sha256_hex.map((c) => [c.description, c] as const))('%s', async (_d, c) => {
    expect(await sha256Hex(c.input_utf8, opts)).toBe(c.expected);
    expect(await sha256Hex(utf8Encode(c.input_utf8), opts)).toBe(c.expected);
  });
});

describe.each(backendsForAny('sha256'))('canonical_json through %s', (_name, backend) => {
  const opts = { backend };

  it.each(groups.canonical_json.map((c) => [c.description, c] as const))('%s', async (_d, c) => {
    const expected = 'rfc8785' in c && typeof c.rfc8785 === 'string' ? c.rfc8785 : c.expected;
    const canonical = canonicalize(JSON.parse(c.input));
    expect(canonical).toBe(expected);
    // The vector's hash is of the Python reference output; it applies where JCS agrees with it.
    if (expected === c.expected) expect(await sha256Hex(canonical, opts)).toBe(c.expected_sha256);
  });
});

describe.each(backendsForAny('sha256'))('pkce_s256 through %s', (_name, backend) => {
  const opts = { backend };

  it.each(groups.pkce_s256.map((c) => [c.description, c] as const))('%s', async (_d, c) => {
    expect(c.code_challenge_method).toBe('S256');
    expect(await pkceChallengeS256(c.code_verifier, opts)).toBe(c.expected_code_challenge);
  });
});

describe.each(backendsForAny('ed25519'))('ed25519 through %s', (_name, backend) => {
  const opts = { backend };

  it.each(groups.ed25519.map((c) => [c.description, c] as const))('%s', async (_d, c) => {
    const seed = hexDecode(c.private_seed_hex);
    expect(base64UrlEncode(seed)).toBe(c.private_seed_b64url);
    const pub = await ed25519PublicKey(seed, opts);
    expect(hexEncode(pub)).toBe(c.public_key_hex);
    expect(base64UrlEncode(pub)).toBe(c.public_key_b64url);
    const message = hexDecode(c.message_hex);
    const signature = await ed25519Sign(seed, message, opts);
    expect(hexEncode(signature)).toBe(c.expected_signature_hex);
    expect(base64UrlEncode(signature)).toBe(c.expected_signature_b64url);
    expect(await ed25519Verify(pub, message, signature, opts)).toBe(true);
    const forged = signature.slice();
    forged[0]! ^= 1;
    expect(await ed25519Verify(pub, message, forged, opts)).toBe(false);
  });
});

describe.each(backendsForAny('ed25519', 'sha256'))('decision_signature through %s', (_name, backend) => {
  const opts = { backend };

  it.each(groups.decision_signature.map((c) => [c.description, c] as const))('%s', async (_d, c) => {
    const envelope = c.decision_envelope as {
      requestId: string;
      body: Record<string, string | null | undefined>;
    };
    const { body } = envelope;
    // Null members are omitted from the signable (spec §7.6); undefined members are skipped by canonicalize.
    const signable: Record<string, string | undefined> = {};
    for (const [k, v] of Object.entries({
      requestId: envelope.requestId,
      artifactHash: body.artifactHash,
      decision: body.decision,
      reason: body.reason,
      nonce: body.nonce,
      signerKeyId: body.signerKeyId,
    })) {
      if (v !== null && v !== undefined) signable[k] = v;
    }
    const canonical = canonicalize(signable);
    expect(canonical).toBe(c.expected_signable_canonical);
    const seed = base64UrlDecode(c.signer_private_seed_b64url);
    const pub = base64UrlDecode(c.signer_public_key_b64url);
    expect(base64UrlEncode(await ed25519PublicKey(seed, opts))).toBe(c.signer_public_key_b64url);
    const signature = await ed25519Sign(seed, utf8Encode(canonical), opts);
    expect(base64UrlEncode(signature)).toBe(c.expected_signature_b64url);
    expect(body.signature).toBe(c.expected_signature_b64url);
    expect(await ed25519Verify(pub, utf8Encode(canonical), base64UrlDecode(body.signature!), opts)).toBe(
      true,
    );
    // A changed decision no longer verifies.
    const altered = canonicalize({
      ...signable,
      decision: signable.decision === 'approve' ? 'reject' : 'approve',
    });
    expect(await ed25519Verify(pub, utf8Encode(altered), signature, opts)).toBe(false);
    expect(await sha256Hex(canonical, opts)).toBe(body.decisionHash);
  });
});

describe('base64url (codec, no backend)', () => {
  it.each(groups.base64url.map((c) => [c.description, c] as const))('%s', (_d, c) => {
    if ('bytes_hex' in c && typeof c.bytes_hex === 'string') {
      expect(base64UrlEncode(hexDecode(c.bytes_hex))).toBe(c.expected_encoded);
      expect(hexEncode(base64UrlDecode(c.expected_encoded!))).toBe(c.bytes_hex);
    } else {
      expect(hexEncode(base64UrlDecode(c.encoded!))).toBe(c.expected_bytes_hex);
    }
  });
});
