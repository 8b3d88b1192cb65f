// "An outage is not a refusal" in the sans-I/O core: which refresh answers end the session, which keep every
// token, the shape of their events, and what happens to requests queued behind the refresh (no network).
import { describe, expect, it } from 'vitest';
import { AukiCore, type AukiEvent, type HttpRequestAction } from '../src/core/index.ts';
import { domainBody, jwtExpiringAt, T0, testConfig } from './kit.ts';

const HOUR = 3_600_000;
const email = { type: 'email', email: 'ada@example.test', password: 'pw-secret-1' } as const;

function only(actions: HttpRequestAction[]): HttpRequestAction {
  expect(actions).toHaveLength(1);
  return actions[0]!;
}

/** A core signed in at T0 (refresh token `rt-1`) with a network token of `networkMs` and a discovery token and one domain of 3 h. */
function signedIn(networkMs = HOUR) {
  const core = new AukiCore(testConfig, { credentials: email });
  core.getDomainAccess('dom-1', T0);
  core.handleResponse(
    200,
    JSON.stringify({ access_token: jwtExpiringAt(T0 + networkMs), refresh_token: 'rt-1' }),
    T0,
  );
  core.getDomainAccess('dom-1', T0);
  core.handleResponse(200, JSON.stringify({ access_token: jwtExpiringAt(T0 + 3 * HOUR) }), T0);
  core.getDomainAccess('dom-1', T0);
  core.handleResponse(200, JSON.stringify(domainBody('dom-1', jwtExpiringAt(T0 + 3 * HOUR))), T0);
  expect(core.exportRefreshToken()).toBe('rt-1');
  expect(core.domainAccess('dom-1', T0)).toBeDefined();
  return core;
}

/** Everything the core holds, refresh token included, to compare before and after a failed refresh. */
function snapshot(core: AukiCore) {
  return {
    state: core.saveState({ sealedRefreshToken: 'sealed' }),
    refreshToken: core.exportRefreshToken(),
    domains: [...core.allDomains().keys()],
  };
}

const AFTER_EXPIRY = T0 + HOUR + 1000; // network expired; discovery and domain still valid

describe('a refresh answer that is an outage keeps every token (retryPossible, no AuthenticationRequired)', () => {
  it.each([
    [500, 'boom'],
    [502, '<html>Bad gateway</html>'],
    [503, 'maintenance'],
    [504, ''],
    [408, 'request timeout'],
    [425, 'too early'],
    [429, '{"error":"slow_down"}'],
    [204, ''],
    [302, ''],
  ])('HTTP %i', (status, body) => {
    const core = signedIn();
    const before = snapshot(core);
    const refresh = only(core.authenticate(AFTER_EXPIRY));
    expect(refresh.operation).toBe('refresh');
    const events = core.handleResponse(status, body, AFTER_EXPIRY, { requestId: refresh.requestId });
    expect(events).toEqual<AukiEvent[]>([
      {
        type: 'NetworkTokenRefreshFailed',
        reason: `HTTP ${status}: ${body}`,
        status,
        requiresReauth: false,
        retryPossible: true,
      },
    ]);
    expect(snapshot(core)).toEqual(before);
    expect(core.pendingRequests()).toEqual([]);
    // The next step tries the same refresh token again.
    expect(only(core.authenticate(AFTER_EXPIRY)).headers.Authorization).toBe('Bearer rt-1');
  });

  it.each([
    ['a body that is not JSON', '<html>captive portal</html>', /^Invalid response: the body is not JSON$/],
    [
      'a body without refresh_token',
      JSON.stringify({ access_token: jwtExpiringAt(T0 + 2 * HOUR) }),
      /^Invalid response: refresh_token/,
    ],
    [
      'an access token that is not a JWT',
      JSON.stringify({ access_token: 'not-a-jwt', refresh_token: 'rt-2' }),
      /^Failed to decode token: JWT decode error/,
    ],
    [
      'a JWT without exp',
      JSON.stringify({ access_token: 'e30.e30.sig', refresh_token: 'rt-2' }),
      /^Failed to decode token/,
    ],
    [
      'a non-finite expires_in',
      `{"access_token":"${jwtExpiringAt(T0 + 2 * HOUR)}","refresh_token":"rt-2","expires_in":1e400}`,
      /^Invalid response: expires_in/,
    ],
  ])('HTTP 200 with %s', (_name, body, reason) => {
    const core = signedIn();
    const before = snapshot(core);
    only(core.authenticate(AFTER_EXPIRY));
    const events = core.handleResponse(200, body, AFTER_EXPIRY);
    expect(events).toEqual<AukiEvent[]>([
      {
        type: 'NetworkTokenRefreshFailed',
        reason: expect.stringMatching(reason),
        requiresReauth: false,
        retryPossible: true,
      },
    ]);
    expect(events[0]).not.toHaveProperty('status');
    expect(snapshot(core)).toEqual(before);
    expect(only(core.authenticate(AFTER_EXPIRY)).headers.Authorization).toBe('Bearer rt-1');
  });

  it('after an outage a healthy answer refreshes as usual; discovery and domain are not asked again', () => {
    const core = signedIn();
    only(core.authenticate(AFTER_EXPIRY));
    core.handleResponse(503, 'down', AFTER_EXPIRY);
    const refresh = only(core.getDomainAccess('dom-1', AFTER_EXPIRY));
    expect(refresh.operation).toBe('refresh');
    const token = jwtExpiringAt(AFTER_EXPIRY + HOUR);
    expect(
      core.handleResponse(200, JSON.stringify({ access_token: token, refresh_token: 'rt-2' }), AFTER_EXPIRY),
    ).toEqual([
      { type: 'NetworkTokenRefreshed', token, expiresAt: Math.floor((AFTER_EXPIRY + HOUR) / 1000) * 1000 },
    ]);
    expect(core.getDomainAccess('dom-1', AFTER_EXPIRY)).toEqual([]);
    expect(core.domainAccess('dom-1', AFTER_EXPIRY)).toBeDefined();
  });
});

describe('a refresh answer that is a refusal ends the session', () => {
  it.each([400, 401, 403, 404, 410, 422])('HTTP %i: every token and pending request dropped', (status) => {
    const core = signedIn();
    only(core.authenticate(AFTER_EXPIRY));
    expect(core.handleResponse(status, '{"error":"invalid_grant"}', AFTER_EXPIRY)).toEqual<AukiEvent[]>([
      {
        type: 'NetworkTokenRefreshFailed',
        reason: `HTTP ${status}: {"error":"invalid_grant"}`,
        status,
        requiresReauth: true,
        retryPossible: false,
      },
      { type: 'AuthenticationRequired' },
    ]);
    expect(core.networkToken()).toBeUndefined();
    expect(core.exportRefreshToken()).toBeUndefined();
    expect(core.discoveryToken()).toBeUndefined();
    expect(core.allDomains().size).toBe(0);
    expect(core.requiresCredentials(AFTER_EXPIRY)).toBe(true);
  });
});

describe('requests queued behind the refresh', () => {
  it('after an outage a discovery request issued in the same batch is answered normally; after a refusal it is dropped', () => {
    for (const outcome of ['outage', 'refusal'] as const) {
      // Network token valid for 2 more minutes (inside the refresh window), no discovery token yet.
      const core = new AukiCore(testConfig, { credentials: email });
      only(core.authenticate(T0));
      core.handleResponse(
        200,
        JSON.stringify({ access_token: jwtExpiringAt(T0 + HOUR), refresh_token: 'rt-1' }),
        T0,
      );
      const at = T0 + HOUR - 120_000;
      const refresh = only(core.authenticate(at));
      const discovery = only(core.authenticateDiscovery(at)); // built with the still-valid network token
      expect([refresh.operation, discovery.operation]).toEqual(['refresh', 'discovery']);
      const networkBefore = core.networkToken();

      const refreshEvents = core.handleResponse(outcome === 'outage' ? 503 : 401, 'x', at, {
        requestId: refresh.requestId,
      });
      const discoveryToken = jwtExpiringAt(at + HOUR);
      const discoveryEvents = core.handleResponse(200, JSON.stringify({ access_token: discoveryToken }), at, {
        requestId: discovery.requestId,
      });
      if (outcome === 'outage') {
        expect(refreshEvents).toMatchObject([{ requiresReauth: false, retryPossible: true }]);
        expect(core.pendingRequests().map((p) => p.requestId)).toEqual([]);
        expect(discoveryEvents).toMatchObject([{ type: 'DiscoveryAuthSuccess', token: discoveryToken }]);
        expect(core.networkToken()).toEqual(networkBefore);
        expect(core.discoveryToken()?.token).toBe(discoveryToken);
      } else {
        expect(refreshEvents.map((e) => e.type)).toEqual([
          'NetworkTokenRefreshFailed',
          'AuthenticationRequired',
        ]);
        // The refusal dropped it with every token: its answer is matched to nothing.
        expect(discoveryEvents).toEqual([]);
        expect(core.discoveryToken()).toBeUndefined();
      }
    }
  });
});

describe('saved state after an outage', () => {
  it('holds every token; restored with its refresh token, an expired network token is kept and refreshed', () => {
    const core = signedIn();
    only(core.authenticate(AFTER_EXPIRY));
    core.handleResponse(502, 'bad gateway', AFTER_EXPIRY);
    const saved = core.saveState({ sealedRefreshToken: 'sealed' });
    expect(JSON.parse(saved)).toMatchObject({
      network_auth: { sealed_refresh_token: 'sealed' },
      discovery_auth: { token: expect.any(String) },
      domain_accesses: { 'dom-1': expect.any(Object) },
    });
    const restored = AukiCore.fromState(saved, testConfig, { refreshToken: core.exportRefreshToken()! });
    expect(restored.validateState(AFTER_EXPIRY)).toEqual([]);
    expect(restored.saveState({ sealedRefreshToken: 'sealed' })).toBe(saved);
    expect(only(restored.getDomainAccess('dom-1', AFTER_EXPIRY)).headers.Authorization).toBe('Bearer rt-1');
    // Without its refresh token an expired network token cannot be renewed: dropped as before.
    const bare = AukiCore.fromState(saved, testConfig);
    expect(bare.validateState(AFTER_EXPIRY)).toEqual([
      { type: 'TokensInvalidated' },
      { type: 'AuthenticationRequired' },
    ]);
    expect(bare.networkToken()).toBeUndefined();
  });
});
