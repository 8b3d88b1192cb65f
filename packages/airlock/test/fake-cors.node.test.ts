// CORS on the fakes, as a browser sees it: preflights from allowed origins answered (and not recorded),
// responses readable cross-origin with their non-safelisted headers exposed, other origins left without headers.
import { afterEach, describe, expect, it } from 'vitest';
import {
  type FakeGateway,
  type FakeOidcProvider,
  isLoopbackOrigin,
  startFakeGateway,
  startFakeOidcProvider,
} from '../src/testing/index.ts';

const PAGE = 'http://127.0.0.1:5173';

let gateway: FakeGateway | undefined;
let idp: FakeOidcProvider | undefined;
afterEach(async () => {
  await gateway?.close();
  await idp?.close();
  gateway = idp = undefined;
});

const preflight = (url: string, origin: string, method = 'POST', headers = 'content-type,x-pat') =>
  fetch(url, {
    method: 'OPTIONS',
    headers: {
      origin,
      'access-control-request-method': method,
      'access-control-request-headers': headers,
    },
  });

describe('the fake gateway', () => {
  it('answers a preflight from a loopback origin with the method and headers asked for, unrecorded', async () => {
    gateway = await startFakeGateway();
    const response = await preflight(
      `${gateway.url}/v1/artifacts`,
      PAGE,
      'POST',
      'content-type,idempotency-key,x-pat',
    );
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe(PAGE);
    expect(response.headers.get('access-control-allow-methods')).toBe('POST');
    expect(response.headers.get('access-control-allow-headers')).toBe('content-type,idempotency-key,x-pat');
    expect(response.headers.get('access-control-max-age')).toBe('600');
    expect(response.headers.get('vary')).toContain('Origin');
    expect(gateway.recorder.requests).toEqual([]);
    // A private-network preflight is allowed too.
    const pna = await fetch(`${gateway.url}/echo`, {
      method: 'OPTIONS',
      headers: {
        origin: 'http://localhost:3000',
        'access-control-request-method': 'GET',
        'access-control-request-private-network': 'true',
      },
    });
    expect(pna.headers.get('access-control-allow-private-network')).toBe('true');
  });

  it('makes responses readable by the origin, a 401 and a 429 with Retry-After included', async () => {
    gateway = await startFakeGateway({ rateLimit: { limit: 1, windowMs: 60_000 } });
    const echo = await fetch(`${gateway.url}/echo`, { headers: { origin: PAGE } });
    expect(echo.status).toBe(200);
    expect(echo.headers.get('access-control-allow-origin')).toBe(PAGE);
    const unauthorized = await fetch(`${gateway.url}/v1/consent/status`, { headers: { origin: PAGE } });
    expect(unauthorized.status).toBe(401);
    expect(unauthorized.headers.get('access-control-allow-origin')).toBe(PAGE);
    const headers = { origin: PAGE, 'x-pat': 'airpat_test' };
    expect((await fetch(`${gateway.url}/v1/consent/status`, { headers })).status).toBe(200);
    const limited = await fetch(`${gateway.url}/v1/consent/status`, { headers });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('access-control-allow-origin')).toBe(PAGE);
    expect(limited.headers.get('access-control-expose-headers')?.split(', ')).toContain('retry-after');
    // The recorder saw the actual requests (no preflights were sent here).
    expect(gateway.recorder.requests).toHaveLength(4);
  });

  it('gives other origins, and requests without an Origin, no CORS headers', async () => {
    gateway = await startFakeGateway();
    const foreign = await preflight(`${gateway.url}/v1/artifacts`, 'https://evil.example');
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
    expect(foreign.status).not.toBe(204); // handled as without CORS: here the /v1 identity check's 401
    const read = await fetch(`${gateway.url}/echo`, { headers: { origin: 'http://192.168.1.2:8080' } });
    expect(read.headers.get('access-control-allow-origin')).toBeNull();
    const node = await fetch(`${gateway.url}/echo`);
    expect(node.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('allows exactly the configured origins, or none with cors: false', async () => {
    gateway = await startFakeGateway({ cors: { origins: ['https://app.example'] } });
    const app = await preflight(`${gateway.url}/v1/artifacts`, 'https://app.example');
    expect(app.headers.get('access-control-allow-origin')).toBe('https://app.example');
    const loopback = await fetch(`${gateway.url}/echo`, { headers: { origin: PAGE } });
    expect(loopback.headers.get('access-control-allow-origin')).toBeNull();
    await gateway.close();

    gateway = await startFakeGateway({ cors: false });
    const off = await preflight(`${gateway.url}/v1/artifacts`, PAGE);
    expect(off.headers.get('access-control-allow-origin')).toBeNull();
    expect((await fetch(`${gateway.url}/echo`, { headers: { origin: PAGE } })).headers.has('vary')).toBe(
      false,
    );

    await gateway.close();
    gateway = await startFakeGateway({ cors: { origins: (origin) => origin.endsWith('.test') } });
    const predicate = await fetch(`${gateway.url}/echo`, { headers: { origin: 'https://web.test' } });
    expect(predicate.headers.get('access-control-allow-origin')).toBe('https://web.test');
  });
});

describe('the fake identity provider', () => {
  it('answers preflights and makes discovery and token responses readable by a loopback page', async () => {
    idp = await startFakeOidcProvider();
    const discovery = await fetch(`${idp.realmUrl}/.well-known/openid-configuration`, {
      headers: { origin: PAGE },
    });
    expect(discovery.status).toBe(200);
    expect(discovery.headers.get('access-control-allow-origin')).toBe(PAGE);
    const token = `${idp.realmUrl}/protocol/openid-connect/token`;
    const response = await preflight(token, PAGE, 'POST', 'content-type');
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe(PAGE);
    const refused = await fetch(token, {
      method: 'POST',
      headers: { origin: PAGE, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=refresh_token&refresh_token=nope&client_id=airlock-integrations',
    });
    expect(refused.status).toBe(400);
    expect(refused.headers.get('access-control-allow-origin')).toBe(PAGE);
    expect(idp.recorder.requests).toHaveLength(2);
  });

  it('sends no CORS headers with cors: false', async () => {
    idp = await startFakeOidcProvider({ cors: false });
    const discovery = await fetch(`${idp.realmUrl}/.well-known/openid-configuration`, {
      headers: { origin: PAGE },
    });
    expect(discovery.headers.get('access-control-allow-origin')).toBeNull();
  });
});

it('isLoopbackOrigin accepts http origins on loopback hosts only', () => {
  for (const origin of [
    'http://127.0.0.1:5173',
    'http://localhost:3000',
    'http://[::1]:8080',
    'http://localhost',
  ]) {
    expect(isLoopbackOrigin(origin), origin).toBe(true);
  }
  for (const origin of [
    'https://127.0.0.1:5173',
    'http://127.0.0.2:80',
    'http://localhost.evil.example',
    'http://192.168.0.1',
    'http://127.0.0.1:5173/path',
    'null',
    '',
  ]) {
    expect(isLoopbackOrigin(origin), origin).toBe(false);
  }
});
