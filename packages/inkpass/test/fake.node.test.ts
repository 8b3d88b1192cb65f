// Behaviours of the fake itself that the client tests do not reach: server quirks kept on purpose, the
// 2FA setup flow over HTTP, rate limits, seeding of files, email-code expiry.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { FileClient, RateLimitError } from '../src/index.ts';
import { startFakeInkPass, totp } from '../src/testing/index.ts';
import { clientFor, freshEmail, PASSWORD, useFake } from './kit.ts';

const fake = useFake();

describe('fake inkPass', () => {
  it('health answers without auth', async () => {
    const response = await fetch(`${fake().url}/health`);
    expect(await response.json()).toEqual({ status: 'healthy', service: 'inkpass' });
  });

  it('follows the wall clock unless given a clock: tokens are dated now, advance still moves it', async () => {
    const wall = await startFakeInkPass();
    try {
      expect(Math.abs(wall.clock.now() - Date.now())).toBeLessThan(1_000);
      const user = wall.seed.user({ email: freshEmail('wall'), password: PASSWORD });
      const { accessToken } = await wall.issueTokens(user.id);
      const claims = JSON.parse(Buffer.from(accessToken.split('.')[1]!, 'base64url').toString()) as {
        exp: number;
      };
      // Access tokens live 30 minutes from now, not from 2026-01-01.
      expect(Math.abs(claims.exp * 1000 - (Date.now() + 30 * 60_000))).toBeLessThan(5_000);
      const { client } = clientFor(wall);
      expect((await client.validateToken(accessToken))?.email).toBe(user.email);
      wall.clock.advance(31 * 60_000);
      expect(await client.validateToken(accessToken)).toBeNull();
    } finally {
      await wall.close();
    }
  });

  it('verification codes expire after 30 minutes and a new one can be sent', async () => {
    const { client } = clientFor(fake());
    const email = freshEmail();
    await client.register({ email, password: PASSWORD, firstName: 'Ada', lastName: 'Lovelace' });
    const first = fake().verificationCode(email)!;
    fake().clock.advance(31 * 60_000);
    await expect(client.verifyEmail(email, first)).rejects.toThrow('Invalid or expired verification code');
    expect(await client.resendVerification(email)).toBe('Verification code sent');
    expect(await client.verifyEmail(email, fake().verificationCode(email)!)).toBe(
      'Email verified successfully',
    );
    expect(await client.resendVerification(email)).toBe('Email already verified');
    expect(await client.resendVerification('nobody@example.com')).toBe(
      'If the email exists and is unverified, a new code has been sent',
    );
  });

  it('upstream quirk kept: a refresh token also works as a bearer token; logout needs a bearer', async () => {
    const { client } = clientFor(fake());
    const user = fake().seed.user({ email: freshEmail(), password: PASSWORD });
    const tokens = await client.login({ email: user.email, password: PASSWORD });
    expect(await client.validateToken(tokens.refreshToken!)).toMatchObject({ id: user.id });
    const response = await fetch(`${fake().url}/api/v1/auth/logout`, { method: 'POST' });
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ detail: 'Authentication required' });
    // An access token is not a refresh token.
    await expect(client.refresh(tokens.accessToken)).rejects.toThrow('Invalid refresh token');
  });

  it('2FA setup and enable over HTTP, then login needs the code', async () => {
    const { client } = clientFor(fake());
    const user = fake().seed.user({ email: freshEmail('2fa'), password: PASSWORD });
    const { accessToken } = await client.login({ email: user.email, password: PASSWORD });
    const auth = { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' };
    const setup = await (
      await fetch(`${fake().url}/api/v1/auth/2fa/setup`, { method: 'POST', headers: auth })
    ).json();
    expect(setup.secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(setup.uri).toContain('issuer=inkPass');
    const wrong = await fetch(`${fake().url}/api/v1/auth/2fa/enable`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ secret: setup.secret, verification_code: '000000' }),
    });
    expect(await wrong.json()).toEqual({ detail: 'Invalid verification code' });
    const enabled = await fetch(`${fake().url}/api/v1/auth/2fa/enable`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({
        secret: setup.secret,
        verification_code: totp(setup.secret, fake().clock.now()),
      }),
    });
    const body = await enabled.json();
    expect(body.backup_codes).toHaveLength(10);
    expect(body.backup_codes[0]).toMatch(/^[0-9A-F]{4}-[0-9A-F]{4}$/);
    await expect(client.login({ email: user.email, password: PASSWORD })).rejects.toThrow(
      '2FA code required',
    );
    // ±1 time step is accepted.
    const previous = totp(setup.secret, fake().clock.now() - 30_000);
    await expect(
      client.login({ email: user.email, password: PASSWORD, twoFaCode: previous }),
    ).resolves.toBeTruthy();
  });

  it('rate limits (opt-in): the server message, per minute on the fake clock', async () => {
    const limited = await startFakeInkPass({ rateLimits: true });
    try {
      const { client } = clientFor(limited, { maxRetries: 0 });
      const user = limited.seed.user({ email: freshEmail('rl'), password: PASSWORD });
      for (let i = 0; i < 10; i++) await client.login({ email: user.email, password: PASSWORD });
      const error = await client.login({ email: user.email, password: PASSWORD }).catch((e) => e);
      expect(RateLimitError.isInstance(error)).toBe(true);
      expect(error.message).toBe('Rate limit exceeded: 10 requests per 60 seconds');
      limited.clock.advance(60_000);
      const { accessToken } = await client.login({ email: user.email, password: PASSWORD });
      // The 2FA endpoints allow 5 calls a minute.
      for (let i = 0; i < 5; i++) expect(await client.verifyTwoFactor(accessToken, '123456')).toBe(false);
      const limitedVerify = await client.verifyTwoFactor(accessToken, '123456').catch((e) => e);
      expect(RateLimitError.isInstance(limitedVerify)).toBe(true);
      expect(limitedVerify.message).toBe('Rate limit exceeded: 5 requests per 60 seconds');
    } finally {
      await limited.close();
    }
  });

  it('seed.file stores a file the client can read; its bytes count against the quota', async () => {
    const org = fake().seed.organization({ name: 'Seeded files' });
    const seeded = await fake().seed.file({
      organizationId: org.id,
      name: 'notes.txt',
      content: 'seeded content',
      contentType: 'text/plain',
      tags: ['seed'],
      agentId: 'seeder',
    });
    expect(org.usedBytes).toBe(14);
    const files = new FileClient({ baseUrl: fake().url, serviceApiKey: fake().serviceApiKey });
    const { body, contentType } = await files.download(org.id, seeded.id);
    expect(contentType).toBe('text/plain');
    expect(await new Response(body).text()).toBe('seeded content');
    expect((await files.getFile(org.id, seeded.id)).checksumSha256).toBe(
      createHash('sha256').update('seeded content').digest('hex'),
    );
  });
});

describe('lifecycle', () => {
  it('closes once however often close is called, and with await using (the storage directory goes)', async () => {
    const { existsSync } = await import('node:fs');
    let storage: string;
    let url: string;
    {
      await using own = await startFakeInkPass();
      storage = own.storageDir;
      url = own.url;
      expect(existsSync(storage)).toBe(true);
      expect(own.close()).toBe(own.close());
    }
    expect(existsSync(storage)).toBe(false);
    await expect(fetch(`${url}/health`)).rejects.toThrow();
  });
});
