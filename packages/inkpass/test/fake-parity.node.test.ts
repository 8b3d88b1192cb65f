// The fake against what the real inkPass (FastAPI + pydantic + email-validator + python-multipart) answers:
// email normalisation and internationalised addresses, no role template for a self-registered user, Den
// file names with backslashes, and FastAPI's JSON 404 / 405 / trailing-slash redirect for unknown routes.
import { describe, expect, it } from 'vitest';
import { AuthenticationError, FileClient, ValidationError } from '../src/index.ts';
import { clientFor, PASSWORD, useFake } from './kit.ts';

const fake = useFake();

const postJson = (path: string, body: unknown) =>
  fetch(`${fake().url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

describe('emails as the server normalises them', () => {
  it('an internationalised domain is accepted; inkPass stores it lower-cased in Unicode, the local part as typed', async () => {
    const { client } = clientFor(fake());
    const registration = await client.register({
      email: 'Ada.Lovelace@XN--BCHER-KVA.DE',
      password: PASSWORD,
      firstName: 'Ada',
      lastName: 'Lovelace',
    });
    expect(registration.email).toBe('Ada.Lovelace@bücher.de');
    expect(fake().recorder.last()!.body).toContain('"email":"Ada.Lovelace@XN--BCHER-KVA.DE"');
    // Every spelling of the same domain finds the account: verify, then log in with two others.
    const code = fake().verificationCode('Ada.Lovelace@bücher.de')!;
    expect(await client.verifyEmail('Ada.Lovelace@BÜCHER.de', code)).toBe('Email verified successfully');
    const tokens = await client.login({ email: 'Ada.Lovelace@xn--bcher-kva.de', password: PASSWORD });
    expect(await client.validateToken(tokens.accessToken)).toMatchObject({ email: 'Ada.Lovelace@bücher.de' });
    // The local part keeps its case: another spelling of it is another (unknown) address.
    const other = await client.login({ email: 'ada.lovelace@bücher.de', password: PASSWORD }).catch((e) => e);
    expect(AuthenticationError.isInstance(other)).toBe(true);
    expect(other.message).toBe('Invalid email or password');
  });

  it('RFC 2142 role mailboxes are lower-cased, a display name and spaces are dropped (sent around the client)', async () => {
    const response = await postJson('/api/v1/auth/register', {
      email: '  Webmaster <Postmaster@Example.COM> ',
      password: PASSWORD,
      first_name: 'Post',
      last_name: 'Master',
    });
    expect(response.status).toBe(201);
    expect((await response.json()).email).toBe('postmaster@example.com');
    expect(fake().seed.user({ email: 'Ädä@München.DE' }).email).toBe('Ädä@münchen.de');
  });

  it.each(['ada@example.test', 'ada@printer.local', 'ada@example.123', 'a..b@example.com'])(
    'the server refuses %s with a 422',
    async (email) => {
      const response = await postJson('/api/v1/auth/login', { email, password: PASSWORD });
      expect(response.status).toBe(422);
      expect((await response.json()).detail[0]).toMatchObject({ loc: ['body', 'email'] });
    },
  );

  it.each(['ada@example.test', 'ada@printer.local', 'a..b@example.com', '.ada@example.com'])(
    'the client refuses %s before any request',
    async (email) => {
      const { client } = clientFor(fake());
      const error = await client.login({ email, password: PASSWORD }).catch((e) => e);
      expect(ValidationError.isInstance(error)).toBe(true);
      expect(error.statusCode).toBeUndefined();
      expect(fake().recorder.requests).toHaveLength(0);
    },
  );
});

describe('a self-registered user', () => {
  it('has no role template (empty role permissions) but passes every check as the owner', async () => {
    const { client } = clientFor(fake());
    const email = 'self-registered@example.com';
    await client.register({ email, password: PASSWORD, firstName: 'Ada', lastName: 'Lovelace' });
    await client.verifyEmail(email, fake().verificationCode(email)!);
    const { accessToken } = await client.login({ email, password: PASSWORD });
    expect(await client.listEffectivePermissions(accessToken)).toEqual([]);
    expect(await client.checkPermission(accessToken, 'workflows', 'create')).toBe(true);
  });
});

describe('Den file names with backslashes, as Starlette and python-multipart read them', () => {
  const upload = async (filename: string) => {
    const files = new FileClient({ baseUrl: fake().url, serviceApiKey: fake().serviceApiKey });
    const org = fake().seed.organization({ name: `Den ${Math.random()}` });
    const file = await files.upload({
      orgId: org.id,
      workflowId: 'wf',
      agentId: 'a',
      data: new TextEncoder().encode('x'),
      filename,
    });
    return { files, org, file };
  };

  it.each([
    // Sent raw (as browsers and undici do): a single backslash is no escape.
    ['reports\\2026\\q1.txt', 'reports\\2026\\q1.txt'],
    ['trailing\\', 'trailing\\'],
    // A name that looks like a Windows path keeps only its last segment.
    ['C:\\Users\\ada\\report.pdf', 'report.pdf'],
    ['\\\\\\\\server\\share\\x.txt', 'x.txt'],
    // Two backslashes unescape to one, so this UNC-looking name survives (minus one backslash).
    ['\\\\server\\share\\x.txt', '\\server\\share\\x.txt'],
  ])('%s is stored as %s', async (sent, stored) => {
    const { file } = await upload(sent);
    expect(file.name).toBe(stored);
  });

  it('the download header keeps a backslash in the ASCII fallback, non-ASCII as ?, and percent-encodes as Python', async () => {
    const { files, org, file } = await upload("dir\\Résumé (v2)!'.txt");
    const response = await fetch(`${fake().url}/api/v1/files/agent/${file.id}/download?org_id=${org.id}`, {
      headers: { 'x-service-api-key': fake().serviceApiKey },
    });
    await response.arrayBuffer();
    expect(response.headers.get('content-disposition')).toBe(
      `attachment; filename="dir\\R?sum? (v2)!'.txt"; filename*=UTF-8''dir%5CR%C3%A9sum%C3%A9%20%28v2%29%21%27.txt`,
    );
    const downloaded = await files.download(org.id, file.id);
    await downloaded.body.cancel();
    expect(downloaded.filename).toBe("dir\\Résumé (v2)!'.txt");
  });
});

describe('routes the server does not have, as FastAPI answers them', () => {
  it('an unknown path is a JSON 404', async () => {
    const response = await fetch(`${fake().url}/api/v1/nothing-here`);
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await response.json()).toEqual({ detail: 'Not Found' });
  });

  it('a known path with another method is a JSON 405 with Allow (HEAD included: FastAPI adds none)', async () => {
    const put = await fetch(`${fake().url}/api/v1/auth/login`, { method: 'PUT' });
    expect(put.status).toBe(405);
    expect(put.headers.get('allow')).toBe('POST');
    expect(await put.json()).toEqual({ detail: 'Method Not Allowed' });
    const head = await fetch(`${fake().url}/api/v1/auth/me`, { method: 'HEAD' });
    expect(head.status).toBe(405);
    expect(head.headers.get('allow')).toBe('GET');
    const options = await fetch(`${fake().url}/health`, { method: 'OPTIONS' });
    expect(options.status).toBe(405);
    expect(options.headers.get('allow')).toBe('GET');
  });

  it('a trailing slash is redirected (307) to the route without it', async () => {
    const response = await fetch(`${fake().url}/api/v1/auth/me/`, { redirect: 'manual' });
    expect(response.status).toBe(307);
    expect(response.headers.get('location')).toBe(`${fake().url}/api/v1/auth/me`);
  });
});

describe('validation before authentication, as FastAPI orders it', () => {
  it('a route that checks the caller itself answers a missing field 422 without a token; a permission-guarded one 401', async () => {
    const cases: Array<[path: string, body: unknown, status: number]> = [
      ['/api/v1/auth/check', {}, 422], // no resource/action query
      ['/api/v1/auth/2fa/enable', {}, 422],
      ['/api/v1/auth/2fa/verify', {}, 422],
      ['/api/v1/auth/email-change/confirm', {}, 422],
      ['/api/v1/organizations', {}, 422],
      ['/api/v1/groups', {}, 401], // Depends(require_permission('groups', 'create')) runs first
      ['/api/v1/invitations', {}, 401],
      ['/api/v1/users', {}, 401],
    ];
    for (const [path, body, status] of cases) {
      const response = await postJson(path, body);
      expect([path, response.status]).toEqual([path, status]);
    }
  });
});
