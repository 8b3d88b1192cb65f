import {
  base64UrlEncode,
  canonicalize,
  DecryptionError,
  deriveE2EKey,
  generateX25519KeyPair,
  openE2E,
  sealE2E,
  sha256Hex,
  utf8Decode,
  utf8Encode,
} from '@x/crypto';
import { check, type Scenario } from '../scenario.ts';

/** An agent and an approver agree on a key, seal a canonical JSON payload, and catch a tampered copy. */
export const cryptoScenario: Scenario = {
  title: '@x/crypto: an end-to-end sealed payload and canonical JSON',
  async run(say) {
    const agent = await generateX25519KeyPair();
    const approver = await generateX25519KeyPair();
    say(`agent public key    ${base64UrlEncode(agent.publicKey)}`);
    say(`approver public key ${base64UrlEncode(approver.publicKey)}`);

    const info = 'HARP-E2E-AES256GCM';
    const agentKey = await deriveE2EKey({
      privateKey: agent.privateKey,
      peerPublicKey: approver.publicKey,
      info,
    });
    const approverKey = await deriveE2EKey({
      privateKey: approver.privateKey,
      peerPublicKey: agent.publicKey,
      info,
    });
    check(base64UrlEncode(agentKey) === base64UrlEncode(approverKey), 'both sides derive the same key');
    say('both sides derived the same AES-256 key (X25519 → HKDF-SHA256)');

    // Key order and number spelling differ, the canonical form does not.
    const request = {
      tool: 'payments.refund',
      amount: 12.5,
      order: 'A-1001',
      meta: { z: 1, a: [true, null] },
    };
    const canonical = canonicalize(request);
    check(canonical === canonicalize(JSON.parse(JSON.stringify(request))), 'canonical form is stable');
    say(`canonical JSON      ${canonical}`);
    say(`artifact hash       ${await sha256Hex(canonical)}`);

    const sealed = await sealE2E({ key: agentKey, plaintext: utf8Encode(canonical) });
    say(`sealed              ${sealed.ciphertext.length} bytes + 16-byte tag, 12-byte nonce`);
    const opened = utf8Decode(await openE2E({ key: approverKey, ...sealed }));
    check(opened === canonical, 'the approver opens what the agent sealed');
    say('approver opened it  ✓ identical');

    const tampered = sealed.ciphertext.slice();
    tampered[0]! ^= 1;
    const refused = await openE2E({ key: approverKey, ...sealed, ciphertext: tampered }).then(
      () => false,
      (error) => DecryptionError.isInstance(error),
    );
    check(refused, 'a flipped bit is refused');
    say('one flipped bit     ✓ refused with DecryptionError, no plaintext');
    return 'same X25519 key on both sides, sealed and opened, a flipped bit refused';
  },
};
