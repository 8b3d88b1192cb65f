// The auth flows against the fake over real sockets: register → verify → login → me → refresh → logout,
// 2FA, API keys, and the exact wire of each call (spec §2, §5).
import { crc32, inflateSync } from 'node:zlib';
import { encode } from 'uqr';
import { describe, expect, it } from 'vitest';
import {
  AuthenticationError,
  type InkPassClient,
  InkPassError,
  PermissionDeniedError,
  ValidationError,
} from '../src/index.ts';
import { totp } from '../src/testing/index.ts';
import { clientFor, freshEmail, PASSWORD, useFake } from './kit.ts';

const fake = useFake();

/** Reads a grayscale PNG data URL (checking signature and chunk CRCs) back into QR modules, 10 px each. */
function qrModules(dataUrl: string): boolean[][] {
  const png = Buffer.from(dataUrl.slice(dataUrl.indexOf(',') + 1), 'base64');
  expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  let width = 0;
  const idat: Buffer[] = [];
  for (let at = 8; at < png.length; ) {
    const length = png.readUInt32BE(at);
    const type = png.toString('latin1', at + 4, at + 8);
    const data = png.subarray(at + 8, at + 8 + length);
    expect(png.readUInt32BE(at + 8 + length)).toBe(crc32(png.subarray(at + 4, at + 8 + length)));
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      expect([data.readUInt32BE(4), data[8], data[9]]).toEqual([width, 8, 0]);
    }
    if (type === 'IDAT') idat.push(data);
    at += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const modules: boolean[][] = [];
  for (let y = 5; y < width; y += 10) {
    const line = y * (width + 1);
    expect(raw[line]).toBe(0);
    const row: boolean[] = [];
    for (let x = 5; x < width; x += 10) row.push(raw[line + 1 + x] === 0);
    modules.push(row);
  }
  return modules;
}

async function registeredAndVerified(client: InkPassClient, email = freshEmail()) {
  const registration = await client.register({
    email,
    password: PASSWORD,
    firstName: 'Ada',
    lastName: 'Lovelace',
  });
  await client.verifyEmail(email, fake().verificationCode(email)!);
  return registration;
}

describe('register and verify', () => {
  it('registers a pending account with the server field names and an organisation', async () => {
    const { client } = clientFor(fake());
    const email = freshEmail();
    const r = await client.register({
      email,
      password: PASSWORD,
      firstName: 'Ada',
      lastName: 'Lovelace',
      organizationName: 'Analytical Engines',
    });
    expect(r).toMatchObject({ email, status: 'pending' });
    expect(r.userId).toMatch(/^[0-9a-f-]{36}$/);
    expect(fake().organizations.get(r.organizationId)?.slug).toBe('analytical-engines');
    const sent = fake().recorder.last()!;
    expect(sent.path).toBe('/api/v1/auth/register');
    expect(JSON.parse(sent.body)).toEqual({
      email,
      password: PASSWORD,
      first_name: 'Ada',
      last_name: 'Lovelace',
      organization_name: 'Analytical Engines',
    });
    expect(sent.headers['content-type']).toBe('application/json');
    expect(sent.headers['x-api-key']).toBeUndefined();
  });

  it('a pending account cannot log in until the email is verified', async () => {
    const { client } = clientFor(fake());
    const email = freshEmail();
    await client.register({ email, password: PASSWORD, firstName: 'Ada', lastName: 'Lovelace' });
    const error = await client.login({ email, password: PASSWORD }).catch((e) => e);
    expect(AuthenticationError.isInstance(error)).toBe(true);
    expect(error.message).toBe('Email not verified. Please check your email for the verification code.');
    await expect(client.verifyEmail(email, '000000')).rejects.toThrow('Invalid or expired verification code');
    expect(await client.verifyEmail(email, fake().verificationCode(email)!)).toBe(
      'Email verified successfully',
    );
    await expect(client.login({ email, password: PASSWORD })).resolves.toMatchObject({ expiresIn: 1800 });
  });

  it('a taken email gets the server generic 400 as a ValidationError with statusCode 400', async () => {
    const { client } = clientFor(fake());
    const email = freshEmail();
    await client.register({ email, password: PASSWORD, firstName: 'Ada', lastName: 'Lovelace' });
    const error = await client
      .register({ email, password: PASSWORD, firstName: 'Ada', lastName: 'Lovelace' })
      .catch((e) => e);
    expect(ValidationError.isInstance(error)).toBe(true);
    expect(error.statusCode).toBe(400);
    expect(error.message).toBe('Registration could not be completed');
  });

  it.each([
    [{ email: 'not-an-email' }, 'email'],
    [{ password: 'short' }, 'password'],
    [{ firstName: '' }, 'firstName'],
    [{ lastName: 'X' }, 'lastName'],
    [{ firstName: 'Robert<script>' }, 'firstName'],
    [{ organizationName: 'Evil$Corp' }, 'organizationName'],
  ])('bad input %j is refused before any request (field %s)', async (override, field) => {
    const { client } = clientFor(fake());
    const input = {
      email: freshEmail(),
      password: PASSWORD,
      firstName: 'Ada',
      lastName: 'Lovelace',
      ...override,
    };
    const error = await client.register(input).catch((e) => e);
    expect(ValidationError.isInstance(error)).toBe(true);
    expect(error.fieldErrors[0].field).toBe(field);
    expect(error.message).toContain(field);
    expect(error.statusCode).toBeUndefined();
    expect(fake().recorder.requests).toHaveLength(0);
  });

  it('the server 422 field details reach the caller (sent around the client checks)', async () => {
    const response = await fetch(`${fake().url}/api/v1/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: freshEmail(), password: PASSWORD }),
    });
    expect(response.status).toBe(422);
    expect(await response.json()).toEqual({
      detail: [{ type: 'missing', loc: ['body', 'first_name'], msg: 'Field required' }],
    });
  });
});

describe('login, tokens and sessions', () => {
  it('login → validateToken → refresh → logout', async () => {
    const { client } = clientFor(fake());
    const email = freshEmail();
    const { userId, organizationId } = await registeredAndVerified(client, email);
    const tokens = await client.login({ email, password: PASSWORD });
    expect(tokens).toMatchObject({ tokenType: 'bearer', expiresIn: 1800 });
    expect(tokens.refreshToken).toBeTypeOf('string');

    const user = await client.validateToken(tokens.accessToken);
    expect(user).toMatchObject({ id: userId, email, organizationId, status: 'active', twoFaEnabled: false });
    expect(fake().recorder.last()!.headers).toMatchObject({
      authorization: `Bearer ${tokens.accessToken}`,
      'content-type': 'application/json', // on every InkPassClient call, as the Python SDK (spec §2)
    });

    const refreshed = await client.refresh(tokens.refreshToken!);
    expect(refreshed.refreshToken).toBeUndefined();
    const sent = fake().recorder.last()!;
    expect(sent.query).toEqual({ refresh_token: tokens.refreshToken });
    expect(sent.body).toBe('');
    expect(await client.validateToken(refreshed.accessToken)).toMatchObject({ id: userId });

    await client.logout(tokens.accessToken);
    // One session: every token of it stops working.
    expect(await client.validateToken(tokens.accessToken)).toBeNull();
    expect(await client.validateToken(refreshed.accessToken)).toBeNull();
    await expect(client.refresh(tokens.refreshToken!)).rejects.toThrow('Invalid refresh token');
  });

  it('access tokens expire after 30 minutes, refresh tokens after 7 days (fake clock)', async () => {
    const { client } = clientFor(fake());
    const email = freshEmail();
    await registeredAndVerified(client, email);
    const tokens = await client.login({ email, password: PASSWORD });
    fake().clock.advance(31 * 60_000);
    expect(await client.validateToken(tokens.accessToken)).toBeNull();
    const again = await client.refresh(tokens.refreshToken!);
    expect(await client.validateToken(again.accessToken)).not.toBeNull();
    fake().clock.advance(7 * 24 * 3600_000);
    await expect(client.refresh(tokens.refreshToken!)).rejects.toSatisfy((e) =>
      AuthenticationError.isInstance(e),
    );
  });

  it('wrong password → AuthenticationError with the server detail; tampered token → null', async () => {
    const { client } = clientFor(fake());
    const email = freshEmail();
    await registeredAndVerified(client, email);
    const error = await client.login({ email, password: 'WrongPassword1' }).catch((e) => e);
    expect(AuthenticationError.isInstance(error) && InkPassError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ message: 'Invalid email or password', statusCode: 401 });
    const { accessToken } = await client.login({ email, password: PASSWORD });
    const [h, p, s] = accessToken.split('.');
    const payload = JSON.parse(Buffer.from(p!, 'base64url').toString());
    const forged = `${h}.${Buffer.from(JSON.stringify({ ...payload, sub: crypto.randomUUID() })).toString('base64url')}.${s}`;
    expect(await client.validateToken(forged)).toBeNull();
    // Change a whole signature character (the last one carries padding bits a lenient decoder ignores).
    const flipped = s!.startsWith('A') ? `B${s!.slice(1)}` : `A${s!.slice(1)}`;
    expect(await client.validateToken(`${h}.${p}.${flipped}`)).toBeNull();
  });

  it('a malformed token (spaces, newlines) is a ValidationError before any request', async () => {
    const { client } = clientFor(fake());
    await expect(client.validateToken('abc\r\nX-Injected: 1')).rejects.toSatisfy((e) =>
      ValidationError.isInstance(e),
    );
    await expect(client.validateToken('')).rejects.toSatisfy((e) => ValidationError.isInstance(e));
    expect(fake().recorder.requests).toHaveLength(0);
  });

  it('2FA: login needs the TOTP code once enabled, and a wrong one is refused', async () => {
    const { client } = clientFor(fake());
    const secret = 'JBSWY3DPEHPK3PXP';
    const user = fake().seed.user({ email: freshEmail('twofa'), password: PASSWORD, twoFaSecret: secret });
    await expect(client.login({ email: user.email, password: PASSWORD })).rejects.toThrow(
      '2FA code required',
    );
    await expect(
      client.login({ email: user.email, password: PASSWORD, twoFaCode: '000000' }),
    ).rejects.toThrow('Invalid 2FA code');
    const tokens = await client.login({
      email: user.email,
      password: PASSWORD,
      twoFaCode: totp(secret, fake().clock.now()),
    });
    expect(JSON.parse(fake().recorder.last()!.body).two_fa_code).toMatch(/^\d{6}$/);
    expect(await client.validateToken(tokens.accessToken)).toMatchObject({ twoFaEnabled: true });
  });

  it('2FA through the client: setup gives an otpauth URI, enable needs a current code, verify, disable', async () => {
    const { client } = clientFor(fake());
    const user = fake().seed.user({ email: freshEmail('2fa-client'), password: PASSWORD });
    const { accessToken } = await client.login({ email: user.email, password: PASSWORD });

    const setup = await client.setupTwoFactor(accessToken);
    expect(setup.secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(setup.uri).toBe(
      `otpauth://totp/inkPass:${encodeURIComponent(user.email)}?secret=${setup.secret}&issuer=inkPass`,
    );
    expect(setup.qrCode).toMatch(/^data:image\/png;base64,/);
    expect(qrModules(setup.qrCode!)).toEqual(encode(setup.uri, { border: 4 }).data);
    // Setting up stores nothing yet: login still needs no code.
    await client.login({ email: user.email, password: PASSWORD });

    const wrong = await client
      .enableTwoFactor(accessToken, { secret: setup.secret, verificationCode: '000000' })
      .catch((e) => e);
    expect(ValidationError.isInstance(wrong)).toBe(true);
    expect(wrong).toMatchObject({ status: 400, message: 'Invalid verification code' });

    const enabled = await client.enableTwoFactor(accessToken, {
      secret: setup.secret,
      verificationCode: totp(setup.secret, fake().clock.now()),
    });
    expect(fake().recorder.last()).toMatchObject({
      path: '/api/v1/auth/2fa/enable',
      headers: { authorization: `Bearer ${accessToken}` },
    });
    expect(JSON.parse(fake().recorder.last()!.body)).toEqual({
      secret: setup.secret,
      verification_code: totp(setup.secret, fake().clock.now()),
    });
    expect(enabled.message).toBe('2FA enabled successfully');
    expect(enabled.backupCodes).toHaveLength(10);
    for (const code of enabled.backupCodes) expect(code).toMatch(/^[0-9A-F]{4}-[0-9A-F]{4}$/);
    expect(await client.validateToken(accessToken)).toMatchObject({ twoFaEnabled: true });
    await expect(client.login({ email: user.email, password: PASSWORD })).rejects.toThrow(
      '2FA code required',
    );

    expect(await client.verifyTwoFactor(accessToken, totp(setup.secret, fake().clock.now()))).toBe(true);
    expect(await client.verifyTwoFactor(accessToken, '000000')).toBe(false);

    await client.disableTwoFactor(accessToken);
    expect(await client.validateToken(accessToken)).toMatchObject({ twoFaEnabled: false });
    await client.login({ email: user.email, password: PASSWORD });
    expect(await client.verifyTwoFactor(accessToken, totp(setup.secret, fake().clock.now()))).toBe(false);
  });

  it('2FA calls check their input before sending and need a valid token', async () => {
    const { client } = clientFor(fake());
    const user = fake().seed.user({ email: freshEmail('2fa-input'), password: PASSWORD });
    const { accessToken } = await client.login({ email: user.email, password: PASSWORD });
    fake().recorder.clear();
    for (const verificationCode of ['12345', '1234567', 'abcdef']) {
      const error = await client
        .enableTwoFactor(accessToken, { secret: 'JBSWY3DPEHPK3PXP', verificationCode })
        .catch((e) => e);
      expect(ValidationError.isInstance(error)).toBe(true);
      expect(error.message).toBe('verificationCode: must be 6 digits.');
    }
    await expect(
      client.enableTwoFactor(accessToken, { secret: ' ', verificationCode: '123456' }),
    ).rejects.toThrow('secret: is required.');
    await expect(client.verifyTwoFactor(accessToken, '12')).rejects.toThrow('code: must be 6 digits.');
    expect(fake().recorder.requests).toHaveLength(0);
    for (const call of [
      () => client.setupTwoFactor('bad.token.here'),
      () => client.disableTwoFactor('bad.token.here'),
      () => client.verifyTwoFactor('bad.token.here', '123456'),
    ]) {
      const error = await call().catch((e) => e);
      expect(AuthenticationError.isInstance(error)).toBe(true);
      expect(error.message).toBe('Authentication required');
    }
  });
});

describe('API keys', () => {
  it('creates a key (secret from api_key), validates it with X-API-Key, and refuses a bad one', async () => {
    const { client } = clientFor(fake());
    const email = freshEmail();
    const { organizationId, userId } = await registeredAndVerified(client, email);
    const { accessToken } = await client.login({ email, password: PASSWORD });
    const key = await client.createApiKey(accessToken, {
      name: 'CI',
      scopes: ['read', 'write'],
      expiresInDays: 30,
    });
    expect(key.apiKey).toMatch(/^inkpass_[A-Za-z0-9_-]{43}$/);
    expect(key).toMatchObject({ name: 'CI', scopes: ['read', 'write'] });
    expect(JSON.parse(fake().recorder.last()!.body)).toEqual({
      name: 'CI',
      scopes: ['read', 'write'],
      expires_in_days: 30,
    });

    const info = await client.validateApiKey(key.apiKey);
    expect(info).toMatchObject({ id: key.id, name: 'CI', organizationId, userId, authType: 'api_key' });
    const sent = fake().recorder.last()!;
    expect(sent.headers['x-api-key']).toBe(key.apiKey);
    expect(sent.headers['authorization']).toBeUndefined();
    expect(await client.validateApiKey('inkpass_not-a-real-key')).toBeNull();

    // After expiry the key no longer authenticates.
    fake().clock.advance(31 * 86_400_000);
    expect(await client.validateApiKey(key.apiKey)).toBeNull();
  });

  it('a configured apiKey goes out as X-API-Key on calls without a user token, never with one', async () => {
    const { client } = clientFor(fake(), { apiKey: 'inkpass_service' });
    const email = freshEmail();
    await client.register({ email, password: PASSWORD, firstName: 'Ada', lastName: 'Lovelace' });
    expect(fake().recorder.last()!.headers['x-api-key']).toBe('inkpass_service');
    await client.verifyEmail(email, fake().verificationCode(email)!);
    const { accessToken } = await client.login({ email, password: PASSWORD });
    await client.validateToken(accessToken);
    const me = fake().recorder.last()!;
    expect(me.headers['authorization']).toBe(`Bearer ${accessToken}`);
    expect(me.headers['x-api-key']).toBeUndefined();
  });

  it('creating a key without api_keys:create is a PermissionDeniedError with the server message', async () => {
    const { client } = clientFor(fake());
    const org = fake().seed.organization({ name: 'Viewers Inc' });
    const viewer = fake().seed.user({
      email: freshEmail('viewer'),
      password: PASSWORD,
      organizationId: org.id,
      roleTemplate: 'viewer',
    });
    const { accessToken } = await client.login({ email: viewer.email, password: PASSWORD });
    const error = await client.createApiKey(accessToken, { name: 'x' }).catch((e) => e);
    expect(PermissionDeniedError.isInstance(error)).toBe(true);
    expect(error.message).toBe('Permission denied: api_keys:create');
  });

  it('listUserPermissions returns the org permissions with conditions; a bad token is "Invalid token"', async () => {
    const { client } = clientFor(fake());
    const org = fake().seed.organization({ name: 'Perm Org' });
    const user = fake().seed.user({ email: freshEmail('perm'), password: PASSWORD, organizationId: org.id });
    fake().seed.permission({
      organizationId: org.id,
      resource: 'projects',
      action: 'edit',
      conditions: { team: 'a' },
    });
    const { accessToken } = await client.login({ email: user.email, password: PASSWORD });
    const list = await client.listUserPermissions(accessToken);
    expect(list).toEqual([
      expect.objectContaining({ resource: 'projects', action: 'edit', conditions: { team: 'a' } }),
    ]);
    const error = await client.listUserPermissions('bad.token.here').catch((e) => e);
    expect(AuthenticationError.isInstance(error)).toBe(true);
    expect(error.message).toBe('Invalid token');
  });

  it('listEffectivePermissions returns what the role template grants, inherited roles included', async () => {
    const { client } = clientFor(fake());
    const org = fake().seed.organization({ name: 'Role Org' });
    const viewer = fake().seed.user({
      email: freshEmail('viewer'),
      password: PASSWORD,
      organizationId: org.id,
      roleTemplate: 'viewer',
    });
    const developer = fake().seed.user({
      email: freshEmail('dev'),
      password: PASSWORD,
      organizationId: org.id,
      roleTemplate: 'developer',
    });
    const none = fake().seed.user({
      email: freshEmail('norole'),
      password: PASSWORD,
      organizationId: org.id,
    });
    const tokenOf = async (email: string) => (await client.login({ email, password: PASSWORD })).accessToken;

    const viewerPairs = await client.listEffectivePermissions(await tokenOf(viewer.email));
    expect(fake().recorder.last()).toMatchObject({
      method: 'GET',
      path: '/api/v1/roles/users/me/permissions',
    });
    expect(viewerPairs).toContainEqual({ resource: 'workflows', action: 'view' });
    expect(viewerPairs).toContainEqual({ resource: 'workspace', action: 'query' });
    expect(viewerPairs.every((p) => ['view', 'query', 'search'].includes(p.action))).toBe(true);

    const developerPairs = await client.listEffectivePermissions(await tokenOf(developer.email));
    expect(developerPairs).toContainEqual({ resource: 'workflows', action: 'create' });
    // Inherited from viewer:
    expect(developerPairs).toEqual(expect.arrayContaining(viewerPairs));
    expect(developerPairs).not.toContainEqual({ resource: 'workflows', action: 'delete' });

    expect(await client.listEffectivePermissions(await tokenOf(none.email))).toEqual([]);
    const error = await client.listEffectivePermissions('bad.token.here').catch((e) => e);
    expect(AuthenticationError.isInstance(error)).toBe(true);
    expect(error.message).toBe('Authentication required');
  });
});
