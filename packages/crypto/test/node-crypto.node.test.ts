// node:crypto-specific behaviour: only the node project has the node:crypto backend.
import { expect, it } from 'vitest';
import { hexEncode, hkdfSha256, nobleBackend, nodeCryptoBackend } from '../src/index.ts';

it('node:crypto HKDF takes an info longer than its 1024-byte cap, same bytes', async () => {
  const ikm = new Uint8Array(32).fill(1);
  for (const size of [1024, 1025, 5000]) {
    const info = new Uint8Array(size).fill(size & 255);
    const params = { ikm, info, length: 64 };
    expect(hexEncode(await hkdfSha256(params, { backend: nodeCryptoBackend }))).toBe(
      hexEncode(await hkdfSha256(params, { backend: nobleBackend })),
    );
  }
});
