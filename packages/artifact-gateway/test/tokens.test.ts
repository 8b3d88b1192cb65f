import { base64UrlDecode, base64UrlEncode, utf8Decode, utf8Encode } from '@x/crypto';
import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import {
  ArtifactGatewayError,
  CredentialVault,
  issueAppToken,
  refreshAppToken,
  SEALED_USER_JWT_CLAIM,
  scopeFromRole,
  validateAppToken,
} from '../src/index.ts';

const secretKey = 'your-service-secret-key';
const now = Date.UTC(2026, 0, 1, 12);
const base = {
  secretKey,
  userId: 'user-abc123',
  accountId: 'account-xyz789',
  context: 'lab_session:sess-001',
};

function payloadOf(token: string): Record<string, unknown> {
  return JSON.parse(utf8Decode(base64UrlDecode(token.split('.')[1]!)));
}

async function expectInvalid(token: string, code: string, at = now) {
  const error = await validateAppToken({ secretKey, token, now: at }).catch((e: unknown) => e);
  expect(ArtifactGatewayError.isInstance(error)).toBe(true);
  expect((error as ArtifactGatewayError).code).toBe(code);
  expect((error as ArtifactGatewayError).status).toBe(401);
  return error as ArtifactGatewayError;
}

describe('scopeFromRole', () => {
  it('maps the role table in upstream order, unknown roles to viewer, as fresh copies', () => {
    expect(scopeFromRole('viewer')).toEqual(['internal:read', 'db:user:read', 'db:session:read']);
    expect(scopeFromRole('member')).toEqual([
      'internal:read',
      'internal:write',
      'external:*',
      'db:user:read',
      'db:user:rw',
      'db:session:read',
      'db:session:rw',
    ]);
    for (const role of ['admin', 'system_admin', 'platform_owner'])
      expect(scopeFromRole(role)).toEqual([...scopeFromRole('member'), 'db:shared:read']);
    expect(scopeFromRole('root')).toEqual(scopeFromRole('viewer'));
    expect(scopeFromRole('__proto__')).toEqual(scopeFromRole('viewer'));
    const copy = scopeFromRole('member');
    copy.push('x');
    expect(scopeFromRole('member')).not.toContain('x');
  });
});

describe('app tokens', () => {
  it('issues HS256 with the six claims and validates them', async () => {
    const token = await issueAppToken({ ...base, scope: scopeFromRole('member'), ttl: 600, now });
    expect(JSON.parse(utf8Decode(base64UrlDecode(token.split('.')[0]!)))).toEqual({
      alg: 'HS256',
      typ: 'JWT',
    });
    expect(payloadOf(token)).toEqual({
      user_id: 'user-abc123',
      account_id: 'account-xyz789',
      context: 'lab_session:sess-001',
      scope: scopeFromRole('member'),
      iat: now / 1000,
      exp: now / 1000 + 600,
    });
    const claims = await validateAppToken({ secretKey, token, now: now + 1000 });
    expect(claims).toMatchObject({
      userId: 'user-abc123',
      accountId: 'account-xyz789',
      sessionId: 'sess-001',
    });
    expect(claims.scope).toContain('external:*');
  });

  it('defaults to a 4 hour lifetime', async () => {
    const token = await issueAppToken({ ...base, scope: [], now });
    expect(payloadOf(token).exp).toBe(now / 1000 + 14_400);
  });

  it('refuses alg none', async () => {
    const header = base64UrlEncode(utf8Encode(JSON.stringify({ alg: 'none', typ: 'JWT' })));
    const token = await issueAppToken({ ...base, scope: [], now });
    const error = await expectInvalid(`${header}.${token.split('.')[1]}.`, 'invalid_token');
    expect(error.message).toMatch(/^Invalid app token: /);
  });

  it('refuses HS512 even with the right secret', async () => {
    const token = await new SignJWT({ user_id: 'u', account_id: 'a', context: '', scope: [] })
      .setProtectedHeader({ alg: 'HS512' })
      .setIssuedAt(now / 1000)
      .setExpirationTime(now / 1000 + 60)
      .sign(utf8Encode(secretKey.repeat(3)));
    await expectInvalid(token, 'invalid_token');
  });

  it('refuses a token signed with another key', async () => {
    const token = await issueAppToken({ ...base, secretKey: 'another-secret', scope: [], now });
    expect((await expectInvalid(token, 'invalid_token')).message).toBe(
      'Invalid app token: signature verification failed',
    );
  });

  it('refuses a token whose user id was swapped after signing', async () => {
    const token = await issueAppToken({ ...base, scope: scopeFromRole('member'), now });
    const [h, , s] = token.split('.');
    const forged = base64UrlEncode(
      utf8Encode(JSON.stringify({ ...payloadOf(token), user_id: 'victim-user' })),
    );
    await expectInvalid(`${h}.${forged}.${s}`, 'invalid_token');
  });

  it('refuses an expired token with "App token has expired" and a token without exp', async () => {
    const token = await issueAppToken({ ...base, scope: [], ttl: 60, now });
    const error = await expectInvalid(token, 'token_expired', now + 60_000);
    expect(error.message).toBe('App token has expired');
    const noExp = await new SignJWT({ user_id: 'u', account_id: 'a', context: '', scope: [] })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setIssuedAt(now / 1000)
      .sign(utf8Encode(secretKey));
    await expectInvalid(noExp, 'invalid_token');
  });

  it('refuses an iat in the future, a non-integer exp and wrongly typed claims', async () => {
    const sign = (payload: Record<string, unknown>) =>
      new SignJWT(payload).setProtectedHeader({ alg: 'HS256' }).sign(utf8Encode(secretKey));
    const good = {
      user_id: 'u',
      account_id: 'a',
      context: '',
      scope: [],
      iat: now / 1000,
      exp: now / 1000 + 60,
    };
    await expectInvalid(await sign({ ...good, iat: now / 1000 + 30 }), 'invalid_token');
    await expectInvalid(await sign({ ...good, exp: now / 1000 + 60.5 }), 'invalid_token');
    await expectInvalid(await sign({ ...good, scope: 'external:*' }), 'invalid_token');
    await expectInvalid(await sign({ ...good, user_id: undefined }), 'invalid_token');
    await expectInvalid('not-a-jwt', 'invalid_token');
    await expectInvalid('', 'invalid_token');
  });

  it('refreshes with the same claims and a new exp; an expired token cannot be refreshed', async () => {
    const token = await issueAppToken({
      ...base,
      scope: ['db:user:rw'],
      ttl: 60,
      extraClaims: { plan: 'pro' },
      now,
    });
    const fresh = await refreshAppToken({ secretKey, token, ttl: 120, now: now + 30_000 });
    expect(payloadOf(fresh)).toEqual({ ...payloadOf(token), iat: now / 1000 + 30, exp: now / 1000 + 150 });
    const error = await refreshAppToken({ secretKey, token, now: now + 61_000 }).catch((e: unknown) => e);
    expect((error as ArtifactGatewayError).code).toBe('token_expired');
  });

  it('seals the user JWT with the vault so the artifact cannot read it, and refuses clear-text claims', async () => {
    const vault = new CredentialVault('vault-key');
    const userJwt = 'eyJplatform.user.jwt';
    const token = await issueAppToken({ ...base, scope: [], userJwt, vault, now });
    expect(token.includes('platform')).toBe(false);
    expect(JSON.stringify(payloadOf(token))).not.toContain(userJwt);
    const claims = await validateAppToken({ secretKey, token, now });
    expect(await vault.decrypt(claims.raw[SEALED_USER_JWT_CLAIM] as string)).toBe(userJwt);
    for (const name of ['_user_jwt', 'user_jwt'])
      await expect(issueAppToken({ ...base, scope: [], extraClaims: { [name]: userJwt } })).rejects.toThrow(
        /expose/,
      );
    await expect(issueAppToken({ ...base, scope: [], userJwt })).rejects.toThrow(/vault/);
  });
});

describe('validateAppToken refuses headers and claims it does not understand', () => {
  // Each token is re-signed with the same key through jose: same claims as an issued token, only the
  // property under test differs. The control (`typ: JWT`, nothing else) must pass.
  const key = utf8Encode(secretKey);
  async function resign(header: Record<string, unknown>, extra: Record<string, unknown> = {}) {
    const claims = payloadOf(await issueAppToken({ ...base, scope: ['db:user:read'], now }));
    return new SignJWT({ ...claims, ...extra })
      .setProtectedHeader({ alg: 'HS256', ...header } as { alg: string })
      .sign(key);
  }

  it('accepts the control token re-signed with the same header as issued', async () => {
    const claims = await validateAppToken({ secretKey, token: await resign({ typ: 'JWT' }), now });
    expect(claims.userId).toBe('user-abc123');
  });

  it('refuses an unknown critical header parameter', async () => {
    // jose will not sign a crit it does not know, so this one is signed by hand (same key, same claims).
    const control = await resign({ typ: 'JWT' });
    const header = base64UrlEncode(
      utf8Encode(JSON.stringify({ alg: 'HS256', typ: 'JWT', crit: ['x-binding'], 'x-binding': 'device-1' })),
    );
    const input = `${header}.${control.split('.')[1]}`;
    const hmac = await crypto.subtle.importKey(
      'raw',
      new Uint8Array(key),
      { name: 'HMAC', hash: 'SHA-256' },
      false,
      ['sign'],
    );
    const signature = new Uint8Array(
      await crypto.subtle.sign('HMAC', hmac, new Uint8Array(utf8Encode(input))),
    );
    const token = `${input}.${base64UrlEncode(signature)}`;
    expect((await expectInvalid(token, 'invalid_token')).message).toBe(
      'Invalid app token: critical header parameters (crit) are not supported',
    );
  });

  it('refuses a critical header parameter even when jose implements it (b64)', async () => {
    // jose accepts `crit: ["b64"]` with `b64: true` on its own; app tokens never carry crit.
    const token = await resign({ typ: 'JWT', crit: ['b64'], b64: true });
    expect((await expectInvalid(token, 'invalid_token')).message).toBe(
      'Invalid app token: critical header parameters (crit) are not supported',
    );
  });

  it('refuses a token whose nbf lies in the future, with no leeway, and accepts a past or present nbf', async () => {
    const nowSeconds = Math.floor(now / 1000);
    for (const ahead of [1, 30, 3600]) {
      const token = await resign({ typ: 'JWT' }, { nbf: nowSeconds + ahead });
      expect((await expectInvalid(token, 'invalid_token')).message).toBe(
        'Invalid app token: token is not yet valid (nbf)',
      );
    }
    for (const at of [nowSeconds, nowSeconds - 60]) {
      const token = await resign({ typ: 'JWT' }, { nbf: at });
      expect((await validateAppToken({ secretKey, token, now })).userId).toBe('user-abc123');
    }
  });

  it('refuses a typ other than JWT, and a token without typ', async () => {
    for (const header of [{ typ: 'at+jwt' }, { typ: 'logout+jwt' }, { typ: 'JWS' }, {}]) {
      expect((await expectInvalid(await resign(header), 'invalid_token')).message).toBe(
        'Invalid app token: the token type (typ) must be JWT',
      );
    }
    // RFC 7515 media types are case-insensitive and may carry `application/`.
    for (const typ of ['jwt', 'application/jwt']) {
      expect((await validateAppToken({ secretKey, token: await resign({ typ }), now })).userId).toBe(
        'user-abc123',
      );
    }
  });

  it('does not carry nbf past a refresh into a token it cannot validate', async () => {
    const nowSeconds = Math.floor(now / 1000);
    const token = await resign({ typ: 'JWT' }, { nbf: nowSeconds });
    const refreshed = await refreshAppToken({ secretKey, token, now });
    expect((await validateAppToken({ secretKey, token: refreshed, now })).userId).toBe('user-abc123');
  });
});
