// Credentials, headers and the smaller endpoints (echo, heartbeat, DND, consent), error bodies, quota and
// 401 handling, all against the fake gateway over real sockets.
import { afterEach, describe, expect, it } from 'vitest';
import pkg from '../package.json';
import {
  type AccessTokenProvider,
  AirlockAuthenticationError,
  AirlockBadRequestError,
  AirlockConsentError,
  AirlockError,
  AirlockGatewayClient,
  AirlockInputError,
  AirlockQuotaError,
  AirlockServerError,
  parseConsentError,
} from '../src/index.ts';
import { startFakeGateway } from '../src/testing/index.ts';
import { PAT, type Rig, rig } from './gateway-kit.ts';

let r: Rig;
afterEach(async () => {
  await r?.close();
});

describe('credentials (spec §2)', () => {
  it('sends X-PAT, Bearer, X-Client-Id and X-Client-Secret together, and removes them on request', async () => {
    r = await rig(
      { bearerTokens: ['tok-1'], apps: [{ clientId: 'app-1', clientSecret: 's3cret' }] },
      { clientId: 'app-1', clientSecret: 's3cret', bearerToken: 'tok-1' },
    );
    await r.client.checkConsent();
    let h = r.gateway.recorder.last()!.headers;
    expect(h['x-pat']).toBe(PAT);
    expect(h['authorization']).toBe('Bearer tok-1');
    expect(h['x-client-id']).toBe('app-1');
    expect(h['x-client-secret']).toBe('s3cret');
    expect(h['content-type']).toBeUndefined();
    expect(r.client.credentials).toEqual({
      pat: true,
      bearer: true,
      tokenProvider: false,
      clientId: true,
      clientSecret: true,
    });

    r.client.setPat(undefined);
    await r.client.checkConsent();
    h = r.gateway.recorder.last()!.headers;
    expect(h['x-pat']).toBeUndefined();
    expect(h['authorization']).toBe('Bearer tok-1');

    r.client.setBearerToken(undefined);
    await expect(r.client.checkConsent()).rejects.toSatisfy((e) => AirlockAuthenticationError.isInstance(e));
    expect(r.gateway.recorder.last()!.headers['authorization']).toBeUndefined();
  });

  it('identifies itself in the User-Agent with the package version', async () => {
    r = await rig();
    await r.client.echo();
    expect(r.gateway.recorder.last()!.headers['user-agent']).toMatch(
      new RegExp(`^x-airlock/${pkg.version.replace(/\./g, '\\.')} x-http-core/`),
    );
  });

  it('public app kinds send a client id and no secret', async () => {
    r = await rig({ apps: [{ clientId: 'web-app' }] }, { clientId: 'web-app' });
    await r.client.checkConsent();
    const h = r.gateway.recorder.last()!.headers;
    expect(h['x-client-id']).toBe('web-app');
    expect(h['x-client-secret']).toBeUndefined();
    r.client.setClientCredentials('other');
    await expect(r.client.checkConsent()).rejects.toSatisfy((e) => AirlockAuthenticationError.isInstance(e));
  });

  it('public app kinds are checked by Origin when the app lists allowed origins', async () => {
    r = await rig(
      { apps: [{ clientId: 'web', allowedOrigins: ['https://app.example'] }] },
      { clientId: 'web', headers: { origin: 'https://app.example' } },
    );
    expect(await r.client.checkConsent()).toBe('approved');
    const other = new AirlockGatewayClient({
      baseUrl: r.gateway.url,
      pat: PAT,
      clientId: 'web',
      headers: { origin: 'https://evil.example' },
    });
    await expect(other.checkConsent()).rejects.toSatisfy((e) => AirlockAuthenticationError.isInstance(e));
  });

  it('a wrong app secret is a 401 with an empty body', async () => {
    r = await rig(
      { apps: [{ clientId: 'a', clientSecret: 'right' }] },
      { clientId: 'a', clientSecret: 'wrong' },
    );
    const e = await r.client.checkConsent().catch((x) => x);
    expect(AirlockAuthenticationError.isInstance(e)).toBe(true);
    expect(AirlockError.isInstance(e)).toBe(true);
    expect(e.statusCode).toBe(401);
    expect(e.errorCode).toBeUndefined();
    expect(e.responseBody).toBe('');
    expect(e.message).toContain('Gateway returned 401');
  });

  it('refuses a PAT without the airpat_ prefix and credentials with control characters, before any request', async () => {
    r = await rig();
    expect(() => r.client.setPat('airlock_pat_abc')).toThrow(AirlockInputError);
    expect(() => new AirlockGatewayClient({ pat: 'nope' })).toThrow(/airpat_/);
    expect(() => r.client.setBearerToken('a\nb')).toThrow(AirlockInputError);
    expect(() => new AirlockGatewayClient({ bearerToken: 'a\rb' })).toThrow(AirlockInputError);
    expect(() => r.client.setClientCredentials('id', 'x\u0000')).toThrow(AirlockInputError);
    expect(r.gateway.recorder.requests.length).toBe(0);
  });

  it('strips a trailing slash from the base URL and escapes ids in paths', async () => {
    r = await rig();
    const client = new AirlockGatewayClient({ baseUrl: `${r.gateway.url}/`, pat: PAT });
    await client.getExchangeStatus('a b+c').catch(() => {});
    expect(r.gateway.recorder.last()!.path).toBe('/v1/exchanges/a%20b%2Bc');
  });

  it('a token provider is asked before each request and refreshes once after a 401, shared by concurrent calls', async () => {
    let valid = 'tok-1';
    let issued = 'tok-1';
    const calls = { get: 0, refresh: 0 };
    let inflight: Promise<string> | undefined;
    const provider: AccessTokenProvider = {
      async getAccessToken() {
        calls.get++;
        return issued;
      },
      refreshAccessToken() {
        // Single-flight, as AirlockAuthClient does.
        inflight ??= (async () => {
          calls.refresh++;
          await new Promise((resolve) => setTimeout(resolve, 20));
          issued = `tok-${calls.refresh + 1}`;
          valid = issued;
          inflight = undefined;
          return issued;
        })();
        return inflight;
      },
    };
    const gateway = await startFakeGateway({ pats: [], verifyBearer: (t) => t === valid });
    r = { gateway, client: new AirlockGatewayClient({ baseUrl: gateway.url }), close: () => gateway.close() };
    r.client.setTokenProvider(provider);
    expect(await r.client.checkConsent()).toBe('approved');
    expect(calls).toEqual({ get: 1, refresh: 0 });
    valid = 'rotated-elsewhere';
    const results = await Promise.all([
      r.client.checkConsent(),
      r.client.checkConsent(),
      r.client.checkConsent(),
    ]);
    expect(results).toEqual(['approved', 'approved', 'approved']);
    expect(calls.refresh).toBe(1);
    expect(gateway.recorder.last()!.headers['authorization']).toBe('Bearer tok-2');
  });

  it('a token provider whose refresh cannot help ends in AirlockAuthenticationError after one replay', async () => {
    const gateway = await startFakeGateway({ pats: [], verifyBearer: () => false });
    let refreshes = 0;
    const client = new AirlockGatewayClient({
      baseUrl: gateway.url,
      tokenProvider: {
        getAccessToken: async () => `t${refreshes}`,
        refreshAccessToken: async () => `t${++refreshes}`,
      },
    });
    r = { gateway, client, close: () => gateway.close() };
    await expect(client.echo()).resolves.toMatchObject({ timezone: 'UTC' });
    await expect(client.checkConsent()).rejects.toSatisfy((e) => AirlockAuthenticationError.isInstance(e));
    expect(refreshes).toBe(1);
    expect(gateway.recorder.requests.filter((x) => x.path === '/v1/consent/status').length).toBe(2);
  });
});

describe('endpoints', () => {
  it('echo', async () => {
    r = await rig();
    const echo = await r.client.echo();
    expect(echo).toEqual({
      utc: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
      local: expect.any(String),
      timezone: 'UTC',
      offsetMinutes: 0,
    });
  });

  it('heartbeat sends only the given members', async () => {
    r = await rig();
    await r.client.sendHeartbeat({ enforcerId: 'enf-1', workspaceName: 'ws' });
    const sent = r.gateway.recorder.last()!;
    expect(JSON.parse(sent.body)).toEqual({ enforcerId: 'enf-1', workspaceName: 'ws' });
    expect(sent.headers['content-type']).toBe('application/json');
    expect(r.gateway.heartbeats).toEqual([
      { enforcerId: 'enf-1', workspaceName: 'ws', at: expect.any(Number) },
    ]);
  });

  it('DND policies: required query members, sessionId only when non-empty', async () => {
    r = await rig();
    const policy = {
      requestId: 'req-p1',
      objectType: 'airlock.dnd.workspace',
      workspaceId: 'ws 1',
      enforcerId: 'enf-1',
      policyMode: 'approve_all',
      actionSelector: { tool: 'git' },
      expiresAt: new Date(Date.now() + 60_000).toISOString(),
    };
    r.gateway.dndPolicies.push(policy, { ...policy, requestId: 'req-p2', sessionId: 's-1' });
    const all = await r.client.getEffectiveDndPolicies({
      enforcerId: 'enf-1',
      workspaceId: 'ws 1',
      sessionId: '',
    });
    expect(r.gateway.recorder.last()!.query).toEqual({ enforcerId: 'enf-1', workspaceId: 'ws 1' });
    expect(all.msgType).toBe('dnd.policy.effective');
    expect(all.body.map((p) => p.requestId)).toEqual(['req-p1']);
    const withSession = await r.client.getEffectiveDndPolicies({
      enforcerId: 'enf-1',
      workspaceId: 'ws 1',
      sessionId: 's-1',
    });
    expect(withSession.body.map((p) => p.requestId)).toEqual(['req-p1', 'req-p2']);
    expect(withSession.body[0]!.sessionId).toBeUndefined();
    await expect(r.client.getEffectiveDndPolicies({ enforcerId: ' ', workspaceId: 'w' })).rejects.toThrow(
      AirlockInputError,
    );
    // Refused before sending: the last request is still the one above.
    expect(r.gateway.recorder.last()!.query['sessionId']).toBe('s-1');
  });

  it.each(['required', 'pending', 'denied'] as const)(
    'consent %s: a 403 with the consent URL',
    async (state) => {
      r = await rig(
        { consent: state, apps: [{ clientId: 'app-9', appName: 'My Agent' }] },
        { clientId: 'app-9' },
      );
      const e = await r.client.checkConsent().catch((x) => x);
      expect(AirlockConsentError.isInstance(e)).toBe(true);
      expect(e.status).toBe(403);
      expect(e.errorCode).toBe(`app_consent_${state}`);
      expect(e.consent).toMatchObject({
        errorCode: `app_consent_${state}`,
        appName: 'My Agent',
        appId: 'app-9',
        consentUrl: expect.stringMatching(/^https:/),
      });
      expect(parseConsentError(e.status, e.responseBody)).toEqual(e.consent);
      r.gateway.setConsent('approved');
      expect(await r.client.checkConsent()).toBe('approved');
    },
  );

  it('quota: 429 quota_exceeded with Retry-After, not retried past 60 s', async () => {
    r = await rig({ rateLimit: { limit: 2, windowMs: 120_000 } });
    await r.client.echo();
    await r.client.checkConsent();
    await r.client.checkConsent();
    const e = await r.client.checkConsent().catch((x) => x);
    expect(AirlockQuotaError.isInstance(e)).toBe(true);
    expect(e.isQuotaExceeded).toBe(true);
    expect(e.errorCode).toBe('quota_exceeded');
    expect(e.retryAfterMs).toBeGreaterThan(60_000);
    expect(e.responseBody).toContain('"msgType":"error"');
  });

  it('a 500 with a text body and a 400 in the HARP shape', async () => {
    r = await rig();
    r.gateway.faults.enqueue({ status: 500, body: 'Internal Server Error', times: 3 });
    const e = await r.client.echo().catch((x) => x);
    expect(AirlockServerError.isInstance(e)).toBe(true);
    expect(e.responseBody).toBe('Internal Server Error');
    expect(e.errorCode).toBeUndefined();
    expect(e.message).toContain('Gateway returned 500');
    r.gateway.faults.clear();
    r.gateway.faults.enqueue({
      status: 400,
      body: {
        msgType: 'error',
        requestId: 'r-outer',
        body: { code: 'bad_request', message: 'Nope', requestId: 'r-1' },
      },
    });
    const bad = await r.client.echo().catch((x) => x);
    expect(AirlockBadRequestError.isInstance(bad)).toBe(true);
    expect(bad).toMatchObject({ errorCode: 'bad_request', requestId: 'r-1' });
    expect(bad.message).toContain('Nope');
  });
});
