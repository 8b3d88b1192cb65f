// The checks of every group of the shared Airlock vector file, written once: vectors.test.ts runs them as
// vitest cases in Node and the edge VM, chromium/vectors.page.ts runs them in headless Chromium.

import {
  type Algorithm,
  type BackendOptions,
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
import vectors from './vectors/airlock.json';

/** The vector file's groups. */
export const groups = vectors.groups;
/** The name of a vector group. */
export type GroupName = keyof typeof groups;
type Case<G extends GroupName> = (typeof groups)[G][number];
/** Reports one comparison; a runner turns a mismatch into a failed test or a failure line. */
export type Check = (what: string, actual: unknown, expected: unknown) => void;

/** One group's checks and the algorithms it exercises (which backends are worth running it through). */
export interface GroupCheck {
  group: GroupName;
  algorithms: Algorithm[];
  run(c: { description: string }, opts: BackendOptions, eq: Check): Promise<void> | void;
}

const AIRLOCK_INFO = 'HARP-E2E-AES256GCM';

interface WireCiphertext {
  data: string;
  nonce: string;
  tag: string;
}

const fromWire = (c: WireCiphertext) => ({
  ciphertext: base64Decode(c.data),
  nonce: base64Decode(c.nonce),
  tag: base64Decode(c.tag),
});

function check<G extends GroupName>(
  group: G,
  algorithms: Algorithm[],
  run: (c: Case<G>, opts: BackendOptions, eq: Check) => Promise<void> | void,
): GroupCheck {
  return { group, algorithms, run: run as GroupCheck['run'] };
}

/** Every group of the vector file, in file order. */
export const vectorChecks: GroupCheck[] = [
  check('x25519_public_key', ['x25519'], async (c, opts, eq) => {
    eq('private key hex', hexEncode(base64UrlDecode(c.private_key_b64url)), c.private_key_hex);
    const pub = await x25519PublicKey(hexDecode(c.private_key_hex), opts);
    eq('public key hex', hexEncode(pub), c.public_key_hex);
    eq('public key b64url', base64UrlEncode(pub), c.public_key_b64url);
  }),
  check('x25519_ecdh_and_derive_shared_key', ['x25519', 'hkdf'], async (c, opts, eq) => {
    const mine = base64UrlDecode(c.my_private_key_b64url);
    const peer = base64UrlDecode(c.peer_private_key_b64url);
    eq('my public', base64UrlEncode(await x25519PublicKey(mine, opts)), c.my_public_key_b64url);
    eq('peer public', base64UrlEncode(await x25519PublicKey(peer, opts)), c.peer_public_key_b64url);
    const shared = await x25519SharedSecret(mine, base64UrlDecode(c.peer_public_key_b64url), opts);
    eq('shared secret', hexEncode(shared), c.shared_secret_hex);
    eq('info', c.hkdf_info_utf8, AIRLOCK_INFO);
    const key = await deriveE2EKey(
      { privateKey: mine, peerPublicKey: base64UrlDecode(c.peer_public_key_b64url), info: c.hkdf_info_utf8 },
      opts,
    );
    eq('derived key hex', hexEncode(key), c.derived_key_hex);
    eq('derived key b64url', base64UrlEncode(key), c.derived_key_b64url);
    const theirs = await deriveE2EKey(
      { privateKey: peer, peerPublicKey: base64UrlDecode(c.my_public_key_b64url), info: AIRLOCK_INFO },
      opts,
    );
    eq('peer derived key', hexEncode(theirs), c.derived_key_hex);
  }),
  check('hkdf_sha256', ['hkdf'], async (c, opts, eq) => {
    const okm = await hkdfSha256(
      {
        ikm: hexDecode(c.ikm_hex),
        ...(c.salt_hex === null ? {} : { salt: hexDecode(c.salt_hex) }),
        info: hexDecode(c.info_hex),
        length: c.length,
      },
      opts,
    );
    eq('okm hex', hexEncode(okm), c.okm_hex);
    eq('okm b64url', base64UrlEncode(okm), c.okm_b64url);
  }),
  check('aes_256_gcm_encrypt', ['aesGcm'], async (c, opts, eq) => {
    eq('aad', c.aad, null);
    const key = base64UrlDecode(c.key_b64url);
    eq('key hex', hexEncode(key), c.key_hex);
    const plaintext = utf8Encode(c.plaintext_utf8);
    eq('plaintext hex', hexEncode(plaintext), c.plaintext_hex);
    const sealed = await sealE2E({ key, plaintext, nonce: hexDecode(c.nonce_hex) }, opts);
    eq('ciphertext hex', hexEncode(sealed.ciphertext), c.ciphertext_hex);
    eq('tag hex', hexEncode(sealed.tag), c.tag_hex);
    eq('alg', c.expected.alg, 'AES-256-GCM');
    eq('wire data', base64Encode(sealed.ciphertext), c.expected.data);
    eq('wire nonce', base64Encode(sealed.nonce), c.expected.nonce);
    eq('wire tag', base64Encode(sealed.tag), c.expected.tag);
    eq('round trip', utf8Decode(await openE2E({ key, ...sealed }, opts)), c.plaintext_utf8);
  }),
  check('aes_256_gcm_decrypt', ['aesGcm'], async (c, opts, eq) => {
    const key = base64UrlDecode(c.key_b64url);
    const opened = await openE2E({ key, ...fromWire(c.payload) }, opts).then(
      (bytes) => ({ ok: true as const, text: utf8Decode(bytes) }),
      (error: unknown) => ({ ok: false as const, error }),
    );
    if (c.expect_error) {
      eq('rejected', opened.ok, false);
      if (!opened.ok) eq('DecryptionError', DecryptionError.isInstance(opened.error), true);
    } else {
      eq('plaintext', opened.ok ? opened.text : `threw ${String(opened.error)}`, c.expected_plaintext);
    }
  }),
  check('encrypt_artifact_payload', ['x25519', 'hkdf', 'aesGcm', 'sha256'], async (c, opts, eq) => {
    const enforcer = base64UrlDecode(c.enforcer_x25519_private_b64url);
    const approver = base64UrlDecode(c.approver_x25519_private_b64url);
    const canonical = canonicalize(JSON.parse(c.plaintext_payload));
    eq('canonical', canonical, c.expected.canonical);
    eq('artifact hash', await sha256Hex(canonical, opts), c.expected.artifactHash);
    const key = await deriveE2EKey(
      {
        privateKey: enforcer,
        peerPublicKey: base64UrlDecode(c.approver_x25519_public_b64url),
        info: AIRLOCK_INFO,
      },
      opts,
    );
    eq('derived key', base64UrlEncode(key), c.derived_key_b64url);
    const sealed = await sealE2E(
      { key, plaintext: utf8Encode(canonical), nonce: hexDecode(c.aes_nonce_hex) },
      opts,
    );
    eq('wire data', base64Encode(sealed.ciphertext), c.expected.ciphertext.data);
    eq('wire nonce', base64Encode(sealed.nonce), c.expected.ciphertext.nonce);
    eq('wire tag', base64Encode(sealed.tag), c.expected.ciphertext.tag);
    const approverKey = await deriveE2EKey(
      {
        privateKey: approver,
        peerPublicKey: base64UrlDecode(c.enforcer_x25519_public_b64url),
        info: AIRLOCK_INFO,
      },
      opts,
    );
    const opened = await openE2E({ key: approverKey, ...fromWire(c.expected.ciphertext) }, opts);
    eq('approver reads', utf8Decode(opened), c.expected.decrypted_by_approver);
  }),
  check('sha256_hex', ['sha256'], async (c, opts, eq) => {
    eq('hash of string', await sha256Hex(c.input_utf8, opts), c.expected);
    eq('hash of bytes', await sha256Hex(utf8Encode(c.input_utf8), opts), c.expected);
  }),
  check('canonical_json', ['sha256'], async (c, opts, eq) => {
    const expected = 'rfc8785' in c && typeof c.rfc8785 === 'string' ? c.rfc8785 : c.expected;
    const canonical = canonicalize(JSON.parse(c.input));
    eq('canonical', canonical, expected);
    // The vector's hash is of the Python reference output; it applies where JCS agrees with it.
    if (expected === c.expected) eq('hash', await sha256Hex(canonical, opts), c.expected_sha256);
  }),
  check('pkce_s256', ['sha256'], async (c, opts, eq) => {
    eq('method', c.code_challenge_method, 'S256');
    eq('challenge', await pkceChallengeS256(c.code_verifier, opts), c.expected_code_challenge);
  }),
  check('base64url', [], (c, _opts, eq) => {
    if ('bytes_hex' in c && typeof c.bytes_hex === 'string') {
      eq('encode', base64UrlEncode(hexDecode(c.bytes_hex)), c.expected_encoded);
      eq('decode', hexEncode(base64UrlDecode(c.expected_encoded!)), c.bytes_hex);
    } else {
      eq('decode', hexEncode(base64UrlDecode(c.encoded!)), c.expected_bytes_hex);
    }
  }),
  check('ed25519', ['ed25519'], async (c, opts, eq) => {
    const seed = hexDecode(c.private_seed_hex);
    eq('seed b64url', base64UrlEncode(seed), c.private_seed_b64url);
    const pub = await ed25519PublicKey(seed, opts);
    eq('public hex', hexEncode(pub), c.public_key_hex);
    eq('public b64url', base64UrlEncode(pub), c.public_key_b64url);
    const message = hexDecode(c.message_hex);
    const signature = await ed25519Sign(seed, message, opts);
    eq('signature hex', hexEncode(signature), c.expected_signature_hex);
    eq('signature b64url', base64UrlEncode(signature), c.expected_signature_b64url);
    eq('verifies', await ed25519Verify(pub, message, signature, opts), true);
    const forged = signature.slice();
    forged[0]! ^= 1;
    eq('forgery verifies', await ed25519Verify(pub, message, forged, opts), false);
  }),
  check('decision_signature', ['ed25519', 'sha256'], async (c, opts, eq) => {
    const envelope = c.decision_envelope as {
      requestId: string;
      body: Record<string, string | null | undefined>;
    };
    const { body } = envelope;
    // Null members are omitted from the signable (spec §7.6); undefined members are skipped by canonicalize.
    const signable: Record<string, string> = {};
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
    eq('signable', canonical, c.expected_signable_canonical);
    const seed = base64UrlDecode(c.signer_private_seed_b64url);
    const pub = base64UrlDecode(c.signer_public_key_b64url);
    eq('signer public', base64UrlEncode(await ed25519PublicKey(seed, opts)), c.signer_public_key_b64url);
    const signature = await ed25519Sign(seed, utf8Encode(canonical), opts);
    eq('signature', base64UrlEncode(signature), c.expected_signature_b64url);
    eq('envelope signature', body.signature, c.expected_signature_b64url);
    eq(
      'envelope signature verifies',
      await ed25519Verify(pub, utf8Encode(canonical), base64UrlDecode(body.signature!), opts),
      true,
    );
    const altered = canonicalize({
      ...signable,
      decision: signable.decision === 'approve' ? 'reject' : 'approve',
    });
    eq('altered decision verifies', await ed25519Verify(pub, utf8Encode(altered), signature, opts), false);
    eq('decision hash', await sha256Hex(canonical, opts), body.decisionHash);
  }),
];
