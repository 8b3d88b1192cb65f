// Runtime-neutral pieces (also run in the edge-runtime VM): action ids, tiers, SPIFFE IDs, limits, PoA checks.
import {
  base64UrlEncode,
  ed25519PublicKey,
  ed25519Sign,
  generateEd25519KeyPair,
  utf8Encode,
} from '@x/crypto';
import { describe, expect, it } from 'vitest';
import {
  actionName,
  jsonLimitProblem,
  parseRiskTier,
  RiskTier,
  riskTierOf,
  spiffeIdProblem,
  TokenExpired,
  TokenInvalid,
  verifyPoAToken,
} from '../src/index.ts';

describe('actions and tiers', () => {
  it('maps the seed Action to a dotted id', () => {
    expect(actionName({ verb: 'execute', resource: 'deployment/production' })).toBe(
      'deployment.production.execute',
    );
    expect(actionName({ verb: 'Modify', resource: 'config/feature-flags' })).toBe(
      'config.feature_flags.modify',
    );
    expect(actionName({ verb: 'read', resource: 'bad resource' })).toBeUndefined();
    expect(actionName('CRM.Contact.Update')).toBe('crm.contact.update');
    expect(actionName('nodots')).toBeUndefined();
  });

  it('reads tiers from the catalog, in any case', () => {
    expect(riskTierOf('crm.contact.read')).toBe(RiskTier.LOW);
    expect(riskTierOf('crm.contact.update')).toBe(RiskTier.MEDIUM);
    expect(riskTierOf('sap.payment.execute')).toBe(RiskTier.HIGH);
    expect(riskTierOf('org.company.merge')).toBe(RiskTier.CRITICAL);
    expect(parseRiskTier('HIGH')).toBe('high');
    expect(parseRiskTier('extreme')).toBeUndefined();
  });

  it('validates SPIFFE IDs as AgentAuth does', () => {
    expect(spiffeIdProblem('spiffe://example.org/ns/default/sa/agent')).toBeUndefined();
    expect(spiffeIdProblem('spiffe://example.org')).toMatch(/form/);
    expect(spiffeIdProblem('spiffe://a..b/x')).toMatch(/\.\./);
    expect(spiffeIdProblem('spiffe://example.org/a;rm')).toMatch(/forbidden/);
    expect(spiffeIdProblem(`spiffe://example.org/${'a'.repeat(600)}`)).toMatch(/512/);
    expect(spiffeIdProblem('https://example.org/a')).toMatch(/form/);
  });

  it('checks the JSON limits', () => {
    expect(jsonLimitProblem({ a: { b: [1, 'x'] } })).toBeUndefined();
    expect(jsonLimitProblem({ a: 'x\u0000' })).toMatch(/NUL/);
    expect(jsonLimitProblem({ a: 'x'.repeat(4097) })).toMatch(/4096/);
  });
});

describe('verifyPoAToken', () => {
  const b64 = (value: unknown) => base64UrlEncode(utf8Encode(JSON.stringify(value)));
  async function setup() {
    const keys = await generateEd25519KeyPair();
    const jwks = { keys: [{ kty: 'OKP', crv: 'Ed25519', kid: 'k1', x: base64UrlEncode(keys.publicKey) }] };
    const sign = async (
      claims: Record<string, unknown>,
      header: Record<string, unknown> = { alg: 'EdDSA', kid: 'k1' },
    ) => {
      const input = `${b64(header)}.${b64(claims)}`;
      return `${input}.${base64UrlEncode(await ed25519Sign(keys.privateKey, utf8Encode(input)))}`;
    };
    return { keys, jwks, sign };
  }
  const now = 1_800_000_000;
  const claims = {
    sub: 'spiffe://example.org/a',
    act: 'a.b',
    con: {},
    leg: {},
    iat: now,
    exp: now + 300,
    jti: 'poa_x',
  };

  it('accepts a good token and decodes its claims', async () => {
    const { jwks, sign } = await setup();
    const poa = await verifyPoAToken(await sign(claims), {
      jwks,
      now: now * 1000,
      expectedSubject: claims.sub,
    });
    expect(poa).toMatchObject({ jti: 'poa_x', action: 'a.b', expiresAt: new Date((now + 300) * 1000) });
  });

  it('refuses alg none, unknown kid, other algs, bad signatures, missing claims', async () => {
    const { jwks, sign, keys } = await setup();
    const opts = { jwks, now: now * 1000 };
    await expect(verifyPoAToken(`${b64({ alg: 'none' })}.${b64(claims)}.`, opts)).rejects.toThrow(
      TokenInvalid,
    );
    await expect(verifyPoAToken(await sign(claims, { alg: 'HS256', kid: 'k1' }), opts)).rejects.toThrow(
      /HS256/,
    );
    await expect(verifyPoAToken(await sign(claims, { alg: 'EdDSA', kid: 'k2' }), opts)).rejects.toThrow(
      /no key with kid/,
    );
    const good = await sign(claims);
    await expect(verifyPoAToken(`${good.slice(0, -4)}AAAA`, opts)).rejects.toThrow(TokenInvalid);
    const { jti: _, ...noJti } = claims;
    await expect(verifyPoAToken(await sign(noJti), opts)).rejects.toThrow(/claim jti/);
    await expect(verifyPoAToken(good, { ...opts, expectedAction: 'c.d' })).rejects.toThrow(
      /authorizes a.b, not c.d/,
    );
    expect(await ed25519PublicKey(keys.privateKey)).toEqual(keys.publicKey);
  });

  it('expires from the second after exp, with no leeway', async () => {
    const { jwks, sign } = await setup();
    const token = await sign(claims);
    await expect(verifyPoAToken(token, { jwks, now: (now + 300) * 1000 + 999 })).resolves.toBeDefined();
    const error = await verifyPoAToken(token, { jwks, now: (now + 301) * 1000 }).catch((e) => e);
    expect(TokenExpired.isInstance(error)).toBe(true);
    expect(error.expiredAt).toEqual(new Date((now + 300) * 1000));
  });
});
