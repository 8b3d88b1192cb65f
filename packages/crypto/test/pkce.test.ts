import { expect, it } from 'vitest';
import {
  CryptoError,
  createPkcePair,
  generatePkceVerifier,
  isPkceVerifier,
  nobleBackend,
  pkceChallengeS256,
  webCryptoBackend,
} from '../src/index.ts';

it('generates verifiers of the requested length in the RFC 7636 alphabet', () => {
  for (const length of [43, 44, 64, 100, 128]) {
    const verifier = generatePkceVerifier(length);
    expect(verifier).toHaveLength(length);
    expect(verifier).toMatch(/^[A-Za-z0-9\-._~]+$/);
    expect(isPkceVerifier(verifier)).toBe(true);
  }
  expect(generatePkceVerifier()).toHaveLength(43);
  expect(generatePkceVerifier()).not.toBe(generatePkceVerifier());
});

it('refuses verifier lengths outside 43..128', () => {
  for (const bad of [42, 129, 0, 43.5]) expect(() => generatePkceVerifier(bad)).toThrow(CryptoError);
});

it('refuses invalid verifiers instead of hashing them', async () => {
  for (const bad of [
    'a'.repeat(42),
    'a'.repeat(129),
    `${'a'.repeat(42)}+`,
    `${'a'.repeat(42)}=`,
    `${'a'.repeat(42)} `,
    `${'a'.repeat(42)}é`,
  ]) {
    expect(isPkceVerifier(bad)).toBe(false);
    await expect(pkceChallengeS256(bad)).rejects.toThrow(CryptoError);
  }
  expect(isPkceVerifier(`${'a'.repeat(39)}-._~`)).toBe(true);
});

it('createPkcePair returns a verifier with its S256 challenge, same through both backends', async () => {
  const pair = await createPkcePair();
  expect(pair.method).toBe('S256');
  expect(pair.challenge).toBe(await pkceChallengeS256(pair.verifier, { backend: nobleBackend }));
  expect(pair.challenge).toBe(await pkceChallengeS256(pair.verifier, { backend: webCryptoBackend }));
  expect(pair.challenge).toMatch(/^[A-Za-z0-9_-]{43}$/);
});
