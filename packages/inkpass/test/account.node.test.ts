// Self-service account calls against the fake over real sockets: forgot/reset password, 2FA backup codes,
// profile update and the verified email change, with the server's messages, code expiry on the fake clock,
// and sessions ended where the server ends them.
import { describe, expect, it } from 'vitest';
import { AuthenticationError, ValidationError } from '../src/index.ts';
import { totp } from '../src/testing/index.ts';
import { clientFor, freshEmail, PASSWORD, refusedByClient, useFake } from './kit.ts';

const fake = useFake();
const NEW_PASSWORD = 'AnotherPassword456!';

async function member() {
  const { client } = clientFor(fake());
  const user = fake().seed.user({ email: freshEmail('acct'), password: PASSWORD });
  const tokens = await client.login({ email: user.email, password: PASSWORD });
  return { client, user, token: tokens.accessToken };
}

describe('forgot and reset password', () => {
  it('mails a code; the reset sets the password, ends every session and uses the code up', async () => {
    const { client, user, token } = await member();
    const message = await client.forgotPassword(user.email);
    expect(message).toBe('If an account with this email exists, a password reset code has been sent');
    expect(fake().recorder.last()!.body).toBe(JSON.stringify({ email: user.email }));
    const code = fake().passwordResetCode(user.email)!;
    expect(code).toMatch(/^\d{6}$/);

    expect(await client.resetPassword({ email: user.email, code, newPassword: NEW_PASSWORD })).toBe(
      'Password reset successfully',
    );
    expect(JSON.parse(fake().recorder.last()!.body)).toEqual({
      email: user.email,
      code,
      new_password: NEW_PASSWORD,
    });
    expect(await client.validateToken(token)).toBeNull();
    await expect(client.login({ email: user.email, password: PASSWORD })).rejects.toSatisfy((e) =>
      AuthenticationError.isInstance(e),
    );
    expect((await client.login({ email: user.email, password: NEW_PASSWORD })).accessToken).toBeTruthy();
    const again = await client
      .resetPassword({ email: user.email, code, newPassword: PASSWORD })
      .catch((e: unknown) => e);
    expect(ValidationError.isInstance(again) && (again as ValidationError).status).toBe(400);
    expect((again as Error).message).toBe('Invalid or expired reset code');
  });

  it('answers the same for an unknown email; a code expires after 10 minutes; a wrong code is refused', async () => {
    const { client, user } = await member();
    const unknown = freshEmail('nobody');
    expect(await client.forgotPassword(unknown)).toBe(
      'If an account with this email exists, a password reset code has been sent',
    );
    expect(fake().passwordResetCode(unknown)).toBeUndefined();
    await expect(
      client.resetPassword({ email: unknown, code: '123456', newPassword: NEW_PASSWORD }),
    ).rejects.toThrow('Invalid or expired reset code');

    await client.forgotPassword(user.email);
    const code = fake().passwordResetCode(user.email)!;
    const wrong = code === '000000' ? '111111' : '000000';
    await expect(
      client.resetPassword({ email: user.email, code: wrong, newPassword: NEW_PASSWORD }),
    ).rejects.toThrow('Invalid or expired reset code');
    fake().clock.advance(10 * 60_000 + 1);
    await expect(
      client.resetPassword({ email: user.email, code, newPassword: NEW_PASSWORD }),
    ).rejects.toThrow('Invalid or expired reset code');
  });

  it('the server uses the code up before refusing a short password, so the client checks it first', async () => {
    const { client, user } = await member();
    await client.forgotPassword(user.email);
    const code = fake().passwordResetCode(user.email)!;
    const before = fake().recorder.requests.length;
    await expect(client.resetPassword({ email: user.email, code, newPassword: 'short' })).rejects.toSatisfy(
      refusedByClient,
    );
    await expect(
      client.resetPassword({ email: user.email, code: '12345', newPassword: NEW_PASSWORD }),
    ).rejects.toSatisfy(refusedByClient);
    await expect(client.forgotPassword('not-an-email')).rejects.toSatisfy(refusedByClient);
    expect(fake().recorder.requests.length).toBe(before);
    // Over the wire the short password costs the code, as upstream.
    const raw = await fetch(`${fake().url}/api/v1/auth/reset-password`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: user.email, code, new_password: 'short' }),
    });
    expect(raw.status).toBe(400);
    expect(await raw.json()).toEqual({ detail: 'Password must be at least 8 characters' });
    await expect(
      client.resetPassword({ email: user.email, code, newPassword: NEW_PASSWORD }),
    ).rejects.toThrow('Invalid or expired reset code');
  });
});

describe('2FA backup codes', () => {
  it('gives ten fresh XXXX-XXXX codes each time; none logs in (inkPass stores none), a TOTP code does', async () => {
    const { client, user, token } = await member();
    const first = await client.generateBackupCodes(token);
    expect(first).toHaveLength(10);
    for (const code of first) expect(code).toMatch(/^[0-9A-F]{4}-[0-9A-F]{4}$/);
    const second = await client.generateBackupCodes(token);
    expect(second).not.toEqual(first);

    const { secret } = await client.setupTwoFactor(token);
    const enabled = await client.enableTwoFactor(token, {
      secret,
      verificationCode: totp(secret, fake().clock.now()),
    });
    for (const backup of [enabled.backupCodes[0]!, (await client.generateBackupCodes(token))[0]!]) {
      const refused = await client
        .login({ email: user.email, password: PASSWORD, twoFaCode: backup })
        .catch((e: unknown) => e);
      expect(AuthenticationError.isInstance(refused)).toBe(true);
      expect((refused as Error).message).toBe('Invalid 2FA code');
    }
    const ok = await client.login({
      email: user.email,
      password: PASSWORD,
      twoFaCode: totp(secret, fake().clock.now()),
    });
    expect(ok.accessToken).toBeTruthy();
    await expect(client.generateBackupCodes('not-a-token')).rejects.toSatisfy((e) =>
      AuthenticationError.isInstance(e),
    );
  });
});

describe('profile', () => {
  it('updates first and/or last name (trimmed) and validateToken reads them back', async () => {
    const { client, user, token } = await member();
    const updated = await client.updateProfile(token, { firstName: '  Ada ', lastName: "O'Brien-Smith" });
    expect(JSON.parse(fake().recorder.last()!.body)).toEqual({
      first_name: 'Ada',
      last_name: "O'Brien-Smith",
    });
    expect(fake().recorder.last()!.method).toBe('PATCH');
    expect(updated).toEqual({
      id: user.id,
      email: user.email,
      firstName: 'Ada',
      lastName: "O'Brien-Smith",
      organizationId: user.organizationId,
    });
    const only = await client.updateProfile(token, { lastName: 'Byron' });
    expect(only).toMatchObject({ firstName: 'Ada', lastName: 'Byron' });
    expect(await client.validateToken(token)).toMatchObject({ firstName: 'Ada', lastName: 'Byron' });
  });

  it('refuses bad names before sending; the server answers them with its own 422', async () => {
    const { client, token } = await member();
    const before = fake().recorder.requests.length;
    for (const firstName of ['A', 'x'.repeat(51), 'Ada<script>'])
      await expect(client.updateProfile(token, { firstName })).rejects.toSatisfy(refusedByClient);
    expect(fake().recorder.requests.length).toBe(before);
    const raw = await fetch(`${fake().url}/api/v1/auth/profile`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ first_name: 'A' }),
    });
    expect(raw.status).toBe(422);
    expect(await raw.json()).toMatchObject({
      detail: [{ loc: ['body', 'first_name'], msg: 'Value error, First name must be at least 2 characters' }],
    });
    const anonymous = await fetch(`${fake().url}/api/v1/auth/profile`, { method: 'PATCH', body: '{}' });
    expect(anonymous.status).toBe(401);
    // No permission dependency guards this route: FastAPI validates the body before the route asks for a user.
    const invalidAnonymous = await fetch(`${fake().url}/api/v1/auth/profile`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ last_name: 'B' }),
    });
    expect(invalidAnonymous.status).toBe(422);
  });
});

describe('email change', () => {
  it('mails a code to the new address; confirming stores it lower-cased and ends every session', async () => {
    const { client, user, token } = await member();
    const oldEmail = user.email; // `user` is the fake's record: it changes with the confirmation
    const newEmail = `Ada.New${Date.now()}@Example.COM`;
    expect(await client.initiateEmailChange(token, newEmail)).toBe(
      'Verification code sent to new email address',
    );
    expect(JSON.parse(fake().recorder.last()!.body)).toEqual({ new_email: newEmail });
    const code = fake().emailChangeCode(newEmail)!;
    expect(code).toMatch(/^\d{6}$/);
    expect(fake().users.get(user.id)!.email).toBe(oldEmail); // nothing changes before the confirmation
    expect(await client.confirmEmailChange(token, code)).toBe(
      'Email updated successfully. Please sign in again.',
    );
    expect(fake().users.get(user.id)!.email).toBe(newEmail.toLowerCase());
    expect(await client.validateToken(token)).toBeNull();
    await expect(client.login({ email: oldEmail, password: PASSWORD })).rejects.toThrow(
      'Invalid email or password',
    );
    const again = await client.login({ email: newEmail.toLowerCase(), password: PASSWORD });
    expect((await client.validateToken(again.accessToken))?.email).toBe(newEmail.toLowerCase());
  });

  it('an address in use is refused; a wrong or expired code is refused; the code is the user’s own', async () => {
    const { client, user, token } = await member();
    const other = await member();
    await expect(client.initiateEmailChange(token, other.user.email)).rejects.toThrow('Email already in use');
    const target = freshEmail('target');
    await client.initiateEmailChange(token, target);
    const code = fake().emailChangeCode(target)!;
    // Another user cannot confirm with it.
    await expect(other.client.confirmEmailChange(other.token, code)).rejects.toThrow(
      'Invalid or expired verification code',
    );
    const wrong = code === '000000' ? '111111' : '000000';
    const refused = await client.confirmEmailChange(token, wrong).catch((e: unknown) => e);
    expect(ValidationError.isInstance(refused) && (refused as ValidationError).status).toBe(400);
    expect((refused as Error).message).toBe('Invalid or expired verification code');
    fake().clock.advance(30 * 60_000 + 1);
    // The access token has expired too: log in again, the code has not come back.
    const email = fake().users.get(user.id)!.email;
    const fresh = await client.login({ email, password: PASSWORD });
    await expect(client.confirmEmailChange(fresh.accessToken, code)).rejects.toThrow(
      'Invalid or expired verification code',
    );
  });

  it('someone taking the address before the confirmation makes it fail; bad input is refused before sending', async () => {
    const { client, token } = await member();
    const target = freshEmail('race');
    await client.initiateEmailChange(token, target);
    const code = fake().emailChangeCode(target)!;
    fake().seed.user({ email: target });
    await expect(client.confirmEmailChange(token, code)).rejects.toThrow('Email already in use');
    const before = fake().recorder.requests.length;
    await expect(client.initiateEmailChange(token, 'nope')).rejects.toSatisfy(refusedByClient);
    await expect(client.confirmEmailChange(token, 'abc')).rejects.toSatisfy(refusedByClient);
    await expect(client.initiateEmailChange('', target)).rejects.toSatisfy(refusedByClient);
    expect(fake().recorder.requests.length).toBe(before);
  });
});
