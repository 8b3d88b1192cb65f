// Runs the README quick start as a user would (a child Node process importing '@x/crypto').
import { runQuickStart } from '@x/tooling/readme';
import { expect, it } from 'vitest';

it('the README quick start runs and prints the expected results', async () => {
  const out = await runQuickStart(new URL('..', import.meta.url).pathname);
  expect(out).toContain('canonical: {"action":"test","value":42}');
  expect(out).toContain('artifactHash: d3c2d7effb479ffc5085aad2144df886a452a4863396060f4e0ea29a8409d0fd');
  expect(out).toContain('opened: {"action":"test","value":42}');
  expect(out).toMatch(/sealed: 28 bytes of ciphertext, nonce 12 tag 16/);
  expect(out).toMatch(
    /backends: \{"sha256":"node-crypto","hkdf":"node-crypto","aesGcm":"node-crypto","x25519":"webcrypto","ed25519":"node-crypto"\}/,
  );
});
