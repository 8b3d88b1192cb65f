import { readFileSync } from 'node:fs';
import { createSecureServer } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArtifactGatewayError, blockedAddressReason, scopeFromRole } from '../src/index.ts';
import { ExternalProxy, type Resolver } from '../src/node/index.ts';
import { type HttpsUpstream, startHttpsUpstream, testCa } from './https-upstream.ts';

const scope = scopeFromRole('member');
let upstream: HttpsUpstream;
let proxy: ExternalProxy;
let resolved: string[];

// Test-only wiring: names resolve to loopback, and loopback (only) is allowed; production keeps both defaults.
const resolver: Resolver = async (hostname) => {
  resolved.push(hostname);
  if (hostname === 'api.test') return [{ address: '127.0.0.1', family: 4 }];
  if (hostname === 'mixed.test')
    return [
      { address: '127.0.0.1', family: 4 },
      { address: '10.0.0.5', family: 4 },
    ];
  if (hostname === 'mapped.test') return [{ address: '::ffff:169.254.169.254', family: 6 }];
  throw new Error('ENOTFOUND');
};
const allowLoopbackOnly = (address: string) =>
  address === '127.0.0.1' ? undefined : blockedAddressReason(address);

beforeAll(async () => {
  upstream = await startHttpsUpstream();
  proxy = new ExternalProxy({
    resolver,
    addressPolicy: allowLoopbackOnly,
    ca: testCa,
    timeoutMs: 1000,
    maxResponseBytes: 1000,
    maxStreamBytes: 1000,
  });
});
afterAll(async () => {
  await proxy.close();
  await upstream.close();
});

const url = (path: string, host = 'api.test') => `https://${host}:${upstream.port}${path}`;

async function refused(p: Promise<unknown>): Promise<ArtifactGatewayError> {
  const error = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(ArtifactGatewayError.isInstance(error), String(error)).toBe(true);
  return error as ArtifactGatewayError;
}

describe('ExternalProxy', () => {
  it('forwards a call over TLS to the checked address and returns status, headers and JSON body', async () => {
    resolved = [];
    const result = await proxy.call({
      scope,
      method: 'post',
      url: url('/v1/data?x=1'),
      body: { n: 1 },
      headers: { 'X-Api-Key': 'k' },
    });
    expect(result.status).toBe(200);
    expect(result.body).toEqual({ ok: true, method: 'POST', url: '/v1/data?x=1', body: '{"n":1}' });
    expect(result.headers['x-upstream']).toBe('yes');
    expect(result.headers['set-cookie']).toBeUndefined();
    expect(resolved).toEqual(['api.test']);
    const seen = upstream.seen.at(-1)!;
    expect(seen.headers['x-api-key']).toBe('k');
    expect(seen.headers['content-type']).toBe('application/json');
    expect(seen.headers.host).toBe(`api.test:${upstream.port}`);
  });

  it('drops hop-by-hop and credential headers the artifact sets, keeps host credentials', async () => {
    await proxy.call({
      scope,
      url: url('/h'),
      headers: {
        Cookie: 's=1',
        Authorization: 'Bearer stolen',
        'Proxy-Authorization': 'x',
        'X-Forwarded-For': '10.0.0.1',
        Connection: 'close',
        'X-Keep': 'yes',
      },
      credentialHeaders: { Authorization: 'Bearer vault-secret' },
    });
    const headers = upstream.seen.at(-1)!.headers;
    expect(headers.cookie).toBeUndefined();
    expect(headers['proxy-authorization']).toBeUndefined();
    expect(headers['x-forwarded-for']).toBeUndefined();
    expect(headers.authorization).toBe('Bearer vault-secret');
    expect(headers['x-keep']).toBe('yes');
  });

  it('returns redirects as data and does not follow them', async () => {
    const count = upstream.seen.length;
    const result = await proxy.call({ scope, url: url('/redirect') });
    expect(result.status).toBe(302);
    expect(result.headers.location).toBe('https://169.254.169.254/latest/meta-data/');
    expect(upstream.seen.length).toBe(count + 1);
  });

  it('returns error statuses and text bodies as data', async () => {
    expect(await proxy.call({ scope, url: url('/text') })).toMatchObject({ status: 404, body: 'nope' });
  });

  it('refuses without external:* scope, non-https URLs and URLs with credentials', async () => {
    expect((await refused(proxy.call({ scope: scopeFromRole('viewer'), url: url('/') }))).message).toBe(
      "Scope 'external:*' is required for external proxy calls",
    );
    for (const bad of ['http://api.test/', 'ftp://api.test/', 'file:///etc/passwd', '//api.test/'])
      expect((await refused(proxy.call({ scope, url: bad }))).code).toBe('blocked_destination');
    expect(
      (await refused(proxy.call({ scope, url: `https://user:pw@api.test:${upstream.port}/` }))).code,
    ).toBe('invalid_request');
    expect((await refused(proxy.call({ scope, method: 'TRACE', url: url('/') }))).code).toBe(
      'invalid_request',
    );
  });

  it('refuses hosts that resolve to any internal address, and IP literals in every spelling', async () => {
    expect((await refused(proxy.call({ scope, url: url('/', 'mixed.test') }))).code).toBe(
      'blocked_destination',
    );
    expect((await refused(proxy.call({ scope, url: url('/', 'mapped.test') }))).code).toBe(
      'blocked_destination',
    );
    for (const host of [
      '169.254.169.254',
      '2852039166',
      '0xa9.0xfe.0xa9.0xfe',
      '0251.0376.0251.0376',
      '[::ffff:169.254.169.254]',
      '[::1]',
      '10.1.1.1',
      '0.0.0.0',
    ])
      expect((await refused(proxy.call({ scope, url: `https://${host}/latest` }))).code, host).toBe(
        'blocked_destination',
      );
  });

  it('with the production defaults, refuses loopback even for a name that resolves to it', async () => {
    const strict = new ExternalProxy({ resolver, ca: testCa });
    try {
      const error = await refused(strict.call({ scope, url: url('/') }));
      expect(error.code).toBe('blocked_destination');
      expect(error.message).toMatch(/loopback/);
      expect((await refused(strict.call({ scope, url: `https://127.0.0.1:${upstream.port}/` }))).code).toBe(
        'blocked_destination',
      );
    } finally {
      await strict.close();
    }
  });

  it('refuses an untrusted certificate without the test CA', async () => {
    const noCa = new ExternalProxy({ resolver, addressPolicy: allowLoopbackOnly });
    try {
      expect((await refused(noCa.call({ scope, url: url('/') }))).code).toBe('upstream_error');
    } finally {
      await noCa.close();
    }
  });

  it('caps the response size, times out, and reports unknown hosts', async () => {
    const big = await refused(proxy.call({ scope, url: url('/big') }));
    expect(big.code).toBe('payload_too_large');
    expect(big.status).toBe(502);
    expect((await refused(proxy.call({ scope, url: url('/slow') }))).code).toBe('upstream_timeout');
    expect((await refused(proxy.call({ scope, url: url('/', 'nowhere.test') }))).code).toBe('upstream_error');
  });

  it('streams the raw body and caps streams', async () => {
    const stream = await proxy.stream({ scope, url: url('/stream') });
    expect(stream.status).toBe(200);
    expect(await new Response(stream.body).text()).toBe('data: one\n\ndata: two\n\n');
    const big = await proxy.stream({ scope, url: url('/big') });
    await expect(new Response(big.body).text()).rejects.toThrow();
    expect((await refused(proxy.stream({ scope, url: url('/', 'mixed.test') }))).code).toBe(
      'blocked_destination',
    );
  });
  it('speaks HTTP/1.1 to an upstream that also offers HTTP/2 (undici 8 would otherwise negotiate h2)', async () => {
    const key = readFileSync(new URL('./fixtures/test-key.pem', import.meta.url), 'utf8');
    const h2 = createSecureServer({ key, cert: testCa, allowHTTP1: true }, (req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ v: req.httpVersion }));
    });
    await new Promise<void>((resolve) => h2.listen(0, '127.0.0.1', resolve));
    const own = new ExternalProxy({
      resolver,
      addressPolicy: allowLoopbackOnly,
      ca: testCa,
      timeoutMs: 1000,
    });
    try {
      const { port } = h2.address() as AddressInfo;
      const result = await own.call({ scope, method: 'GET', url: `https://api.test:${port}/version` });
      expect(result).toMatchObject({ status: 200, body: { v: '1.1' } });
    } finally {
      await own.close();
      await new Promise<void>((resolve) => h2.close(() => resolve()));
    }
  });
});
