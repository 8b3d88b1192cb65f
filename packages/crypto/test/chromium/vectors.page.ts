// Runs in headless Chromium (bundled by @x/tooling/browser, driven by ../chromium.node.test.ts): every case of
// the shared Airlock vector file through the public API, with the automatic backend or a forced one, and
// reports failures as strings instead of throwing, so one run lists them all.
import vectors from '../../../../../shared/vectors/airlock.json';
import {
  type Algorithm,
  base64Decode,
  base64Encode,
  base64UrlDecode,
  base64UrlEncode,
  type CryptoBackend,
  canonicalize,
  DecryptionError,
  deriveE2EKey,
  ed25519PublicKey,
  ed25519Sign,
  ed25519Verify,
  hexDecode,
  hexEncode,
  hkdfSha256,
  nobleBackend,
  openE2E,
  pkceChallengeS256,
  randomBytes,
  resolveBackends,
  sealE2E,
  sha256Hex,
  utf8Decode,
  utf8Encode,
  webCryptoBackend,
  x25519PublicKey,
  x25519SharedSecret,
} from '../../src/index.ts';

const groups = vectors.groups;
const AIRLOCK_INFO = 'HARP-E2E-AES256GCM';

/** What a run reports: how many cases ran per group, and one line per failed check. */
export interface VectorRun {
  cases: Record<string, number>;
  total: number;
  failures: string[];
}

const backends: Record<string, CryptoBackend | undefined> = { auto: undefined, noble: nobleBackend };

/** The runtime facts the Node side asserts: a secure context, what WebCrypto has, what auto picks. */
export async function environment() {
  const webcrypto: Partial<Record<Algorithm, boolean>> = {};
  for (const algorithm of ['sha256', 'hkdf', 'aesGcm', 'x25519', 'ed25519'] as const) {
    webcrypto[algorithm] = await webCryptoBackend.supports(algorithm);
  }
  return {
    userAgent: navigator.userAgent,
    isSecureContext: globalThis.isSecureContext,
    hasProcess: typeof (globalThis as { process?: unknown }).process !== 'undefined',
    webcrypto,
    resolved: await resolveBackends(),
  };
}

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

/** Every vector group through `backend` ('auto': no option; 'noble': `{ backend: nobleBackend }`). */
export async function runVectors(backendName: string): Promise<VectorRun> {
  if (!(backendName in backends)) throw new Error(`unknown backend ${backendName}`);
  const opts = { backend: backends[backendName] };
  const run: VectorRun = { cases: {}, total: 0, failures: [] };
  let where = '';
  const eq = (what: string, actual: unknown, expected: unknown) => {
    if (actual !== expected) {
      run.failures.push(`${where}: ${what}: got ${JSON.stringify(actual)}, want ${JSON.stringify(expected)}`);
    }
  };
  const each = async <C extends { description: string }>(
    group: string,
    cases: readonly C[],
    check: (c: C) => Promise<void> | void,
  ) => {
    run.cases[group] = 0;
    for (const c of cases) {
      where = `${backendName} ${group} "${c.description}"`;
      run.cases[group]++;
      run.total++;
      try {
        await check(c);
      } catch (error) {
        run.failures.push(`${where}: threw ${String(error)}`);
      }
    }
  };

  await each('x25519_public_key', groups.x25519_public_key, async (c) => {
    eq('private key hex', hexEncode(base64UrlDecode(c.private_key_b64url)), c.private_key_hex);
    const pub = await x25519PublicKey(hexDecode(c.private_key_hex), opts);
    eq('public key hex', hexEncode(pub), c.public_key_hex);
    eq('public key b64url', base64UrlEncode(pub), c.public_key_b64url);
  });

  await each('x25519_ecdh_and_derive_shared_key', groups.x25519_ecdh_and_derive_shared_key, async (c) => {
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
  });

  await each('hkdf_sha256', groups.hkdf_sha256, async (c) => {
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
  });

  await each('aes_256_gcm_encrypt', groups.aes_256_gcm_encrypt, async (c) => {
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
  });

  await each('aes_256_gcm_decrypt', groups.aes_256_gcm_decrypt, async (c) => {
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
  });

  await each('encrypt_artifact_payload', groups.encrypt_artifact_payload, async (c) => {
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
  });

  await each('sha256_hex', groups.sha256_hex, async (c) => {
    eq('hash of string', await sha256Hex(c.input_utf8, opts), c.expected);
    eq('hash of bytes', await sha256Hex(utf8Encode(c.input_utf8), opts), c.expected);
  });

  await each('canonical_json', groups.canonical_json, async (c) => {
    const expected = 'rfc8785' in c && typeof c.rfc8785 === 'string' ? c.rfc8785 : c.expected;
    const canonical = canonicalize(JSON.parse(c.input));
    eq('canonical', canonical, expected);
    // The vector's hash is of the Python reference output; it applies where JCS agrees with it.
    if (expected === c.expected) eq('hash', await sha256Hex(canonical, opts), c.expected_sha256);
  });

  await each('pkce_s256', groups.pkce_s256, async (c) => {
    eq('method', c.code_challenge_method, 'S256');
    eq('challenge', await pkceChallengeS256(c.code_verifier, opts), c.expected_code_challenge);
  });

  await each('base64url', groups.base64url, (c) => {
    if ('bytes_hex' in c && typeof c.bytes_hex === 'string') {
      eq('encode', base64UrlEncode(hexDecode(c.bytes_hex)), c.expected_encoded);
      eq('decode', hexEncode(base64UrlDecode(c.expected_encoded!)), c.bytes_hex);
    } else {
      eq('decode', hexEncode(base64UrlDecode(c.encoded!)), c.expected_bytes_hex);
    }
  });

  await each('ed25519', groups.ed25519, async (c) => {
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
  });

  await each('decision_signature', groups.decision_signature, async (c) => {
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
  });

  return run;
}

/**
 * Seals a random message, then flips one bit of the ciphertext, the tag, the nonce or the key in turn: each
 * must reject with `DecryptionError` (checked with `isInstance` and `instanceof` in this realm).
 */
export async function tamper(backendName: string): Promise<VectorRun> {
  const opts = { backend: backends[backendName] };
  const run: VectorRun = { cases: { tamper: 0 }, total: 0, failures: [] };
  const key = randomBytes(32);
  const sealed = await sealE2E({ key, plaintext: utf8Encode('{"command":"rm -rf /"}') }, opts);
  const flip = (bytes: Uint8Array, index: number) => {
    const copy = bytes.slice();
    copy[index]! ^= 0x01;
    return copy;
  };
  const variants = {
    ciphertext: { key, ...sealed, ciphertext: flip(sealed.ciphertext, 3) },
    tag: { key, ...sealed, tag: flip(sealed.tag, 15) },
    nonce: { key, ...sealed, nonce: flip(sealed.nonce, 0) },
    key: { ...sealed, key: flip(key, 31) },
  };
  for (const [what, params] of Object.entries(variants)) {
    run.cases.tamper!++;
    run.total++;
    const error = await openE2E(params, opts).then(
      () => undefined,
      (e: unknown) => e,
    );
    if (!DecryptionError.isInstance(error) || !(error instanceof DecryptionError)) {
      run.failures.push(`${backendName} tampered ${what}: expected DecryptionError, got ${String(error)}`);
    }
  }
  const intact = utf8Decode(await openE2E({ key, ...sealed }, opts));
  if (intact !== '{"command":"rm -rf /"}') run.failures.push(`${backendName} intact: got ${intact}`);
  return run;
}
