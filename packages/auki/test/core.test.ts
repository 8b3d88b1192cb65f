// The sans-I/O core against spec §5–§7, step by step, with hand-made answers (no network).
import { describe, expect, it } from 'vitest';
import {
  AukiCore,
  AukiInputError,
  AukiProtocolError,
  AukiStateError,
  type HttpRequestAction,
  isExpired,
  isNearExpiry,
  parseSavedState,
  readJwtExpiry,
} from '../src/core/index.ts';
import { domainBody, jwtExpiringAt, T0, testConfig, unsignedJwt } from './kit.ts';

const HOUR = 3_600_000;
const email = { type: 'email', email: 'ada@example.test', password: 'pw-secret-1' } as const;

function only(actions: HttpRequestAction[]): HttpRequestAction {
  expect(actions).toHaveLength(1);
  return actions[0]!;
}

/** A core that went through login → discovery → one domain, at T0. */
function signedIn(domainId = 'dom-1') {
  const core = new AukiCore(testConfig, { credentials: email });
  core.getDomainAccess(domainId, T0);
  core.handleResponse(
    200,
    JSON.stringify({ access_token: jwtExpiringAt(T0 + HOUR), refresh_token: 'rt-1' }),
    T0,
  );
  core.getDomainAccess(domainId, T0);
  core.handleResponse(200, JSON.stringify({ access_token: jwtExpiringAt(T0 + HOUR) }), T0);
  core.getDomainAccess(domainId, T0);
  core.handleResponse(200, JSON.stringify(domainBody(domainId, jwtExpiringAt(T0 + HOUR))), T0);
  return core;
}

describe('expiry (spec §5)', () => {
  it('reads exp as ms and refuses malformed tokens', () => {
    expect(readJwtExpiry(unsignedJwt({ exp: 1_700_000_000 }))).toEqual({
      ok: true,
      expiresAt: 1_700_000_000_000,
    });
    for (const bad of [
      'a.b',
      'a.b.c.d',
      'x.!!!.y',
      `x.${btoa('not json').replace(/=+$/, '')}.y`,
      unsignedJwt({ exp: 1.5 }),
      unsignedJwt({ exp: -1 }),
      unsignedJwt({ exp: '1700000000' }),
      unsignedJwt({ sub: 'no exp' }),
    ]) {
      const result = readJwtExpiry(bad);
      expect(result.ok, bad).toBe(false);
      if (!result.ok) expect(result.reason).toMatch(/^JWT decode error: /);
    }
  });

  it('expiring exactly now is expired; near expiry is inclusive and true once expired', () => {
    expect(isExpired(1000, 999)).toBe(false);
    expect(isExpired(1000, 1000)).toBe(true);
    expect(isNearExpiry(1000, 700, 300)).toBe(true);
    expect(isNearExpiry(1000, 699, 300)).toBe(false);
    expect(isNearExpiry(1000, 5000, 0)).toBe(true);
  });
});

describe('the email chain (spec §6.2, §6.3)', () => {
  it('login → discovery → domain, one step at a time, with the exact requests', () => {
    const core = new AukiCore(testConfig, { credentials: email });
    expect(core.checkAuthState(T0)).toBe('NeedsAuthentication');

    const login = only(core.getDomainAccess('dom-1', T0));
    expect(login).toMatchObject({
      operation: 'login',
      method: 'POST',
      url: 'https://api.example.test/user/login',
      headers: { 'Content-Type': 'application/json' },
      body: '{"email":"ada@example.test","password":"pw-secret-1"}',
    });
    const networkJwt = jwtExpiringAt(T0 + HOUR);
    expect(
      core.handleResponse(
        200,
        JSON.stringify({ access_token: networkJwt, refresh_token: 'rt-1', expires_in: 5 }),
        T0,
      ),
    ).toEqual([{ type: 'NetworkAuthSuccess', token: networkJwt, expiresAt: T0 + HOUR }]);
    expect(core.hasCredentials()).toBe(false); // a refresh token replaces the password
    expect(core.checkAuthState(T0)).toBe('Authenticated');

    const discovery = only(core.getDomainAccess('dom-1', T0));
    expect(discovery).toMatchObject({
      operation: 'discovery',
      url: 'https://api.example.test/service/domains-access-token',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${networkJwt}` },
      body: '{}',
    });
    const discoveryJwt = jwtExpiringAt(T0 + 2 * HOUR);
    expect(core.handleResponse(200, JSON.stringify({ access_token: discoveryJwt }), T0)[0]).toMatchObject({
      type: 'DiscoveryAuthSuccess',
      expiresAt: T0 + 2 * HOUR,
    });

    const domain = only(core.getDomainAccess('dom-1', T0));
    expect(domain).toMatchObject({
      operation: 'domain_access',
      domainId: 'dom-1',
      url: 'https://dds.example.test/api/v1/domains/dom-1/auth',
      headers: { Authorization: `Bearer ${discoveryJwt}`, 'posemesh-client-id': 'test-app' },
      body: '{}',
    });
    const domainJwt = jwtExpiringAt(T0 + 30 * 60_000);
    const [granted] = core.handleResponse(
      200,
      JSON.stringify({ ...domainBody('other-id', domainJwt), extra: 1 }),
      T0,
    );
    expect(granted).toMatchObject({ type: 'DomainAccessGranted', domainId: 'dom-1' });
    // Stored under the requested id, camelCase, expiry from the JWT.
    expect(core.domainAccess('dom-1', T0)).toMatchObject({
      id: 'other-id',
      accessToken: domainJwt,
      expiresAt: T0 + 30 * 60_000,
      domainServer: { url: 'https://ds-1.example.test', cloudRegion: 'us-east-1', variants: ['default'] },
    });
    expect(core.getDomainAccess('dom-1', T0)).toEqual([]);
    expect(core.pendingRequests()).toEqual([]);
    // Hard expiry only for domain tokens: at its expiry a new domain request is made.
    expect(only(core.getDomainAccess('dom-1', T0 + 30 * 60_000)).operation).toBe('domain_access');
  });

  it('refreshes a near-expiry network token with the refresh token as Bearer; expires_in uses the injected clock', () => {
    const core = signedIn();
    const at = T0 + HOUR - 299_000; // inside the 5-minute window
    expect(core.checkAuthState(at)).toBe('NeedsRefresh');
    // get_domain_access does not refresh proactively (spec §6.2); authenticate does.
    expect(core.getDomainAccess('dom-1', at)).toEqual([]);
    const refresh = only(core.authenticate(at));
    expect(refresh).toMatchObject({
      operation: 'refresh',
      url: 'https://api.example.test/user/refresh',
      headers: { Authorization: 'Bearer rt-1' },
      body: null,
    });
    const token = jwtExpiringAt(T0 + 99 * HOUR); // ignored: expires_in wins
    expect(
      core.handleResponse(
        200,
        JSON.stringify({ access_token: token, refresh_token: 'rt-2', expires_in: 600 }),
        at,
      ),
    ).toEqual([{ type: 'NetworkTokenRefreshed', token, expiresAt: at + 600_000 }]);
    expect(core.discoveryToken()).toBeDefined(); // discovery and domains survive a refresh
    expect(core.domainAccess('dom-1')).toBeDefined();
    expect(core.exportRefreshToken()).toBe('rt-2');
  });

  it('a refused refresh (4xx) drops every token and pending request', () => {
    const core = signedIn();
    const at = T0 + HOUR; // expired
    expect(core.checkAuthState(at)).toBe('NeedsCredentials'); // the password was dropped at login
    only(core.getDomainAccess('dom-1', at));
    expect(core.handleResponse(401, '{"error":"invalid_grant"}', at)).toEqual([
      {
        type: 'NetworkTokenRefreshFailed',
        reason: 'HTTP 401: {"error":"invalid_grant"}',
        status: 401,
        requiresReauth: true,
        retryPossible: false,
      },
      { type: 'AuthenticationRequired' },
    ]);
    expect(core.networkToken()).toBeUndefined();
    expect(core.discoveryToken()).toBeUndefined();
    expect(core.allDomains().size).toBe(0);
    expect(core.requiresCredentials(at)).toBe(true);
    expect(core.authenticate(at)).toEqual([]);
  });

  it('a refresh answer without refresh_token is an outage: every token kept (upstream wipes them)', () => {
    const core = signedIn();
    core.authenticate(T0 + HOUR);
    const before = core.saveState();
    const events = core.handleResponse(
      200,
      JSON.stringify({ access_token: jwtExpiringAt(T0 + 2 * HOUR) }),
      T0 + HOUR,
    );
    expect(events).toEqual([
      {
        type: 'NetworkTokenRefreshFailed',
        reason: expect.stringMatching(/^Invalid response: refresh_token/),
        requiresReauth: false,
        retryPossible: true,
      },
    ]);
    expect(core.saveState()).toBe(before);
    expect(core.exportRefreshToken()).toBe('rt-1');
  });

  it('never builds a discovery request with an expired network token', () => {
    const core = signedIn();
    core.clearAllDomainAccesses();
    const actions = core.authenticateDiscovery(T0 + 3 * HOUR);
    expect(actions.map((a) => a.operation)).toEqual(['refresh']);
  });
});

describe('failures leave state as it was (spec §6.3)', () => {
  it('login: 5xx is retryable, 4xx is not, bad bodies and bad JWTs are typed reasons', () => {
    const core = new AukiCore(testConfig, { credentials: email });
    for (const [status, body, expected] of [
      [503, 'down', { reason: 'HTTP 503: down', status: 503, retryPossible: true }],
      [
        401,
        '{"error":"bad password"}',
        { reason: 'HTTP 401: {"error":"bad password"}', status: 401, retryPossible: false },
      ],
      [201, '{}', { reason: 'HTTP 201: {}', status: 201, retryPossible: false }],
      [200, 'not json', { reason: 'Invalid response: the body is not JSON', retryPossible: false }],
      [
        200,
        '{"access_token":"a.b.c"}',
        { reason: expect.stringMatching(/^Invalid response: refresh_token/) },
      ],
      [
        200,
        '{"access_token":null,"refresh_token":""}',
        { reason: expect.stringMatching(/^Invalid response: access_token/) },
      ],
      [
        200,
        JSON.stringify({ access_token: 'not-a-jwt', refresh_token: '' }),
        { reason: expect.stringMatching(/^Failed to decode token: JWT decode error/) },
      ],
    ] as const) {
      only(core.authenticate(T0));
      const before = core.saveState();
      expect(core.handleResponse(status, body, T0)).toMatchObject([
        { type: 'NetworkAuthFailed', ...expected },
      ]);
      expect(core.saveState()).toBe(before);
      expect(core.hasCredentials()).toBe(true);
    }
  });

  it('domain: a null or missing field turns a 200 into DomainAccessDenied; the cache is unchanged', () => {
    const core = signedIn('dom-1');
    const later = T0 + 10_000;
    for (const mutate of [
      (b: any) => {
        b.domain_server.ip = null;
      },
      (b: any) => {
        delete b.owner_wallet_address;
      },
      (b: any) => {
        b.domain_server.latitude = '1.5';
      },
      (b: any) => {
        b.access_token = 'x.y';
      },
    ]) {
      only(core.getDomainAccess('dom-2', later));
      const before = core.saveState();
      const body = domainBody('dom-2', jwtExpiringAt(later + HOUR));
      mutate(body);
      const [event] = core.handleResponse(200, JSON.stringify(body), later);
      expect(event).toMatchObject({ type: 'DomainAccessDenied', domainId: 'dom-2' });
      expect(core.saveState()).toBe(before);
    }
    only(core.getDomainAccess('dom-2', later));
    expect(core.handleResponse(402, '{"error":"payment required"}', later)).toEqual([
      {
        type: 'DomainAccessDenied',
        domainId: 'dom-2',
        reason: 'HTTP 402: {"error":"payment required"}',
        status: 402,
      },
    ]);
    expect(core.domainAccess('dom-1', later)).toBeDefined();
  });

  it('discovery failure keeps the network token', () => {
    const core = new AukiCore(testConfig, { credentials: { type: 'appKey', appKey: 'k', appSecret: 's' } });
    expect(core.authenticate(T0)).toEqual([]);
    only(core.authenticateDiscovery(T0));
    expect(core.handleResponse(500, 'oops', T0)).toEqual([
      { type: 'DiscoveryAuthFailed', reason: 'HTTP 500: oops', status: 500 },
    ]);
    expect(core.isAuthenticated(T0)).toBe(true);
  });

  it('long bodies are cut in reasons', () => {
    const core = new AukiCore(testConfig, { credentials: email });
    core.authenticate(T0);
    const [event] = core.handleResponse(500, 'x'.repeat(5000), T0);
    expect((event as { reason: string }).reason.length).toBeLessThan(1100);
  });
});

describe('first-in-first-out matching (spec §6.3)', () => {
  it('answers match the oldest request; a requestId out of order is refused and changes nothing', () => {
    const core = signedIn('dom-1');
    const a = only(core.getDomainAccess('dom-a', T0));
    const b = only(core.getDomainAccess('dom-b', T0));
    const before = core.saveState();
    const bodyB = JSON.stringify(domainBody('dom-b', jwtExpiringAt(T0 + HOUR)));
    expect(() => core.handleResponse(200, bodyB, T0, { requestId: b.requestId })).toThrow(AukiProtocolError);
    expect(core.saveState()).toBe(before);
    expect(core.pendingRequests().map((p) => p.requestId)).toEqual([a.requestId, b.requestId]);
    // Without ids the first answer goes to the first request, whatever it says.
    expect(core.handleResponse(200, bodyB, T0)[0]).toMatchObject({
      type: 'DomainAccessGranted',
      domainId: 'dom-a',
    });
    expect(core.handleResponse(404, 'no', T0, { requestId: b.requestId })[0]).toMatchObject({
      domainId: 'dom-b',
      status: 404,
    });
  });

  it('an answer with nothing pending, or for a dropped request, returns [] and changes nothing', () => {
    const core = signedIn();
    const before = core.saveState();
    expect(core.handleResponse(200, '{}', T0)).toEqual([]);
    expect(core.handleResponse(200, '{}', T0, { requestId: 999 })).toEqual([]);
    const action = only(core.getDomainAccess('dom-x', T0));
    expect(core.abandonRequest(action.requestId)).toBe(true);
    expect(core.abandonRequest(action.requestId)).toBe(false);
    expect(core.handleResponse(200, '{}', T0, { requestId: action.requestId })).toEqual([]);
    expect(core.saveState()).toBe(before);
  });
});

describe('app key and opaque credentials (spec §3.2, §3.3)', () => {
  it('app key: Basic token at once, kept credentials, never saved', () => {
    const core = new AukiCore(testConfig, {
      credentials: { type: 'appKey', appKey: 'key-1', appSecret: 'sec-1' },
    });
    expect(core.authenticate(T0)).toEqual([]);
    expect(core.networkToken()).toMatchObject({ token: `Basic ${btoa('key-1:sec-1')}`, refreshable: false });
    expect(only(core.authenticateDiscovery(T0)).headers.Authorization).toBe(`Basic ${btoa('key-1:sec-1')}`);
    expect(core.hasCredentials()).toBe(true);
    const saved = core.saveState();
    expect(saved).not.toContain(btoa('key-1:sec-1'));
    expect(saved).not.toContain('sec-1');
    expect(JSON.parse(saved).network_auth).toBeNull();
  });

  it('opaque: Bearer unless already prefixed; OIDC refresh is a form post without Authorization', () => {
    const core = new AukiCore(testConfig, {
      credentials: {
        type: 'opaque',
        token: 'opaque-1',
        refreshToken: 'r&t=1',
        expiryMs: T0 + 1000,
        oidcClientId: 'cli 1',
      },
    });
    expect(core.authenticate(T0)).toEqual([]);
    expect(only(core.authenticateDiscovery(T0)).headers.Authorization).toBe('Bearer opaque-1');
    core.abandonRequest(core.pendingRequests()[0]!.requestId);
    const refresh = only(core.authenticate(T0 + 1000));
    expect(refresh.headers).toEqual({ 'Content-Type': 'application/x-www-form-urlencoded' });
    expect(new URLSearchParams(refresh.body!).get('refresh_token')).toBe('r&t=1');
    expect(refresh.body).toBe('grant_type=refresh_token&refresh_token=r%26t%3D1&client_id=cli+1');

    const prefixed = new AukiCore(testConfig, {
      credentials: { type: 'opaque', token: 'Bearer abc', expiryMs: T0 + HOUR },
    });
    prefixed.authenticate(T0);
    expect(only(prefixed.authenticateDiscovery(T0)).headers.Authorization).toBe('Bearer abc');
  });

  it('an expired opaque token without a refresh token needs new credentials', () => {
    const core = new AukiCore(testConfig, { credentials: { type: 'opaque', token: 'o', expiryMs: T0 - 1 } });
    expect(core.getDomainAccess('d', T0)).toEqual([]);
    expect(core.isAuthenticated(T0)).toBe(false);
    expect(core.checkAuthState(T0)).toBe('NeedsAuthentication');
  });
});

describe('bad input is refused before any request', () => {
  it('domain ids that would escape the URL path (path traversal, query, host tricks)', () => {
    const core = signedIn();
    for (const id of [
      '',
      '.',
      '..',
      '../admin',
      'a/b',
      'a?b=1',
      'a#b',
      '%2e%2e',
      'a b',
      'x\r\nHost: evil',
      '@evil.test',
      'x'.repeat(257),
    ]) {
      expect(() => core.getDomainAccess(id, T0), JSON.stringify(id)).toThrow(AukiInputError);
    }
    expect(core.pendingRequests()).toEqual([]);
  });

  it('config and credentials', () => {
    expect(() => new AukiCore({ ...testConfig, apiUrl: 'not a url' })).toThrow(AukiInputError);
    expect(() => new AukiCore({ ...testConfig, ddsUrl: 'file:///etc/passwd' })).toThrow(AukiInputError);
    expect(() => new AukiCore({ ...testConfig, apiUrl: 'https://user:pw@api.test' })).toThrow(AukiInputError);
    expect(() => new AukiCore({ ...testConfig, clientId: '' })).toThrow(AukiInputError);
    expect(() => new AukiCore({ ...testConfig, refreshThresholdMs: -1 })).toThrow(AukiInputError);
    expect(
      () => new AukiCore(testConfig, { credentials: { type: 'email', email: '', password: 'x' } }),
    ).toThrow(AukiInputError);
    expect(() => new AukiCore(testConfig, { credentials: { type: 'nope' } as never })).toThrow(
      AukiInputError,
    );
    const core = new AukiCore({
      ...testConfig,
      apiUrl: 'https://api.example.test/',
      refreshUrl: 'https://id.example.test/token',
    });
    core.setCredentials({ type: 'opaque', token: 't', refreshToken: 'r', expiryMs: T0 });
    core.authenticate(T0);
    expect(only(core.authenticate(T0)).url).toBe('https://id.example.test/token');
  });
});

describe('saved state (spec §7)', () => {
  it('round-trips tokens and domains, never the password or the refresh token in clear', () => {
    const core = signedIn('dom-1');
    const saved = core.saveState({ sealedRefreshToken: 'SEALED' });
    expect(saved).not.toContain('pw-secret-1');
    expect(saved).not.toContain('rt-1');
    expect(JSON.parse(saved)).toMatchObject({
      format: 'x-auki-state',
      version: 1,
      network_auth: { sealed_refresh_token: 'SEALED' },
    });
    expect(core.saveState()).not.toContain('sealed_refresh_token');

    const restored = AukiCore.fromState(saved, testConfig, { refreshToken: 'rt-1' });
    expect(restored.saveState({ sealedRefreshToken: 'SEALED' })).toBe(saved);
    expect(restored.domainAccess('dom-1', T0)).toEqual(core.domainAccess('dom-1', T0));
    expect(restored.pendingRequests()).toEqual([]);
    expect(only(restored.authenticate(T0 + HOUR)).headers.Authorization).toBe('Bearer rt-1');
    // Without the refresh token the restored token cannot be refreshed.
    const bare = AukiCore.fromState(saved, testConfig);
    expect(bare.networkToken()?.refreshable).toBe(false);
    expect(bare.authenticate(T0 + HOUR)).toEqual([]);
  });

  it('refuses bad state with a typed error', () => {
    const good = JSON.parse(signedIn().saveState());
    for (const bad of [
      'not json',
      '[]',
      JSON.stringify({ ...good, version: 2 }),
      JSON.stringify({ ...good, format: 'other' }),
      JSON.stringify({ ...good, domain_accesses: undefined }),
      JSON.stringify({ ...good, network_auth: { token: 't' } }),
      JSON.stringify({ ...good, domain_accesses: { '../x': good.domain_accesses['dom-1'] } }),
    ]) {
      expect(() => AukiCore.fromState(bad, testConfig), bad.slice(0, 60)).toThrow(
        expect.objectContaining({ code: expect.stringMatching(/^auki_(state|input)_invalid$/) }),
      );
    }
    expect(() => parseSavedState('{')).toThrow(AukiStateError);
    expect(() => parseSavedState(JSON.stringify({ ...good, version: 2 }))).toThrow(
      /version 2 is not supported/,
    );
  });

  it('validateState drops what has expired', () => {
    const saved = signedIn('dom-1').saveState();
    const a = AukiCore.fromState(saved, testConfig);
    expect(a.validateState(T0 + HOUR)).toEqual([
      { type: 'TokensInvalidated' },
      { type: 'AuthenticationRequired' },
    ]);
    expect(a.networkToken()).toBeUndefined();
    const state = JSON.parse(saved);
    state.discovery_auth.expires_at = T0 + 1000;
    const b = AukiCore.fromState(JSON.stringify(state), testConfig);
    expect(b.validateState(T0 + 1000)).toEqual([]);
    expect(b.discoveryToken()).toBeUndefined();
    expect(b.allDomains().size).toBe(0);
    expect(b.isAuthenticated(T0 + 1000)).toBe(true);
  });

  it('forceReauth keeps credentials and drops tokens and pending requests', () => {
    const core = new AukiCore(testConfig, { credentials: { type: 'appKey', appKey: 'k', appSecret: 's' } });
    core.authenticate(T0);
    core.authenticateDiscovery(T0);
    expect(core.forceReauth()).toEqual([{ type: 'TokensInvalidated' }, { type: 'AuthenticationRequired' }]);
    expect(core.pendingRequests()).toEqual([]);
    expect(core.hasCredentials()).toBe(true);
    expect(core.switchUser(email, T0)[0]!.operation).toBe('login');
  });
});
