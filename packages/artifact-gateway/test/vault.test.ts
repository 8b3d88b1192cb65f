import { base64Decode, base64Encode } from '@x/crypto';
import { describe, expect, it } from 'vitest';
import { type ArtifactGatewayError, applyCredential, CredentialVault } from '../src/index.ts';

describe('CredentialVault', () => {
  it('round-trips with a fresh nonce each time in the nonce‖ciphertext‖tag layout', async () => {
    const vault = new CredentialVault('your-encryption-key');
    const a = await vault.encrypt('sk-live-abc123');
    const b = await vault.encrypt('sk-live-abc123');
    expect(a).not.toBe(b);
    expect(base64Decode(a).length).toBe(12 + 'sk-live-abc123'.length + 16);
    expect(await vault.decrypt(a)).toBe('sk-live-abc123');
  });

  it('refuses tampering, a wrong key, bad encoding and short input with clear errors', async () => {
    const vault = new CredentialVault('k1');
    const sealed = base64Decode(await vault.encrypt('secret'));
    sealed[14]! ^= 1;
    const fail = (p: Promise<unknown>) =>
      p.then(
        () => undefined as never,
        (e: unknown) => e as ArtifactGatewayError,
      );
    expect((await fail(vault.decrypt(base64Encode(sealed)))).message).toBe(
      'Credential decryption failed (wrong key or tampered)',
    );
    expect((await fail(new CredentialVault('k2').decrypt(await vault.encrypt('x')))).code).toBe(
      'credential_error',
    );
    expect((await fail(vault.decrypt('***'))).message).toBe('Invalid credential ciphertext encoding');
    expect((await fail(vault.decrypt(base64Encode(new Uint8Array(20))))).message).toBe(
      'Credential ciphertext too short',
    );
    expect(() => new CredentialVault('')).toThrow('CredentialVault requires a non-empty master_key');
  });
});

describe('applyCredential', () => {
  it('places bearer, header and query secrets on copies', () => {
    const headers = { authorization: 'Bearer old', Accept: 'application/json' };
    const out = applyCredential({ secret: 's', headers });
    expect(out.headers).toEqual({ Accept: 'application/json', Authorization: 'Bearer s' });
    expect(headers.authorization).toBe('Bearer old');
    expect(applyCredential({ secret: 's', placement: 'header', name: 'X-Api-Key' }).headers).toEqual({
      'X-Api-Key': 's',
    });
    expect(applyCredential({ secret: 's', placement: 'query', name: 'api_key' })).toEqual({
      headers: {},
      query: { api_key: 's' },
    });
    expect(() => applyCredential({ secret: 's', placement: 'header' })).toThrow(
      "placement 'header' requires a header name",
    );
    expect(() => applyCredential({ secret: 's', placement: 'query' })).toThrow(
      "placement 'query' requires a query parameter name",
    );
    expect(() => applyCredential({ secret: 's', placement: 'cookie' as never })).toThrow(
      'Unknown credential placement: cookie',
    );
  });
});
