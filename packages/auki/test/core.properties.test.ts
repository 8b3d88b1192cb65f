// Property tests: random sequences of steps, answers (good, refused, broken), out-of-order feeds, dropped
// requests and clock jumps through the core, checking its invariants after every step.
import fc from 'fast-check';
import { expect, it } from 'vitest';
import {
  AukiCore,
  type AukiCredentials,
  AukiProtocolError,
  type HttpRequestAction,
  readJwtExpiry,
} from '../src/core/index.ts';
import { domainBody, jwtExpiringAt, T0, testConfig } from './kit.ts';

const DOMAINS = ['d1', 'd2', 'd3'] as const;
const SECRET = 'SECRET';

type Outcome = 'ok' | 'status' | 'badBody' | 'badJwt';
type Command =
  | { kind: 'authenticate' }
  | { kind: 'discovery' }
  | { kind: 'domain'; id: string }
  | { kind: 'respond'; outcome: Outcome; status: number; lifetimeMs: number; expiresIn: boolean }
  | { kind: 'outOfOrder' }
  | { kind: 'abandon'; index: number }
  | { kind: 'tick'; ms: number }
  | { kind: 'save' }
  | { kind: 'forceReauth' };

const command: fc.Arbitrary<Command> = fc.oneof(
  { arbitrary: fc.constant({ kind: 'authenticate' as const }), weight: 8 },
  { arbitrary: fc.constant({ kind: 'discovery' as const }), weight: 8 },
  { arbitrary: fc.constantFrom(...DOMAINS).map((id) => ({ kind: 'domain' as const, id })), weight: 16 },
  {
    arbitrary: fc.record({
      kind: fc.constant('respond' as const),
      outcome: fc.constantFrom<Outcome>('ok', 'ok', 'ok', 'status', 'badBody', 'badJwt'),
      status: fc.constantFrom(201, 204, 400, 401, 402, 403, 404, 408, 425, 429, 500, 503),
      lifetimeMs: fc.integer({ min: 0, max: 2 * 3_600_000 }),
      expiresIn: fc.boolean(),
    }),
    weight: 24,
  },
  { arbitrary: fc.constant({ kind: 'outOfOrder' as const }), weight: 4 },
  { arbitrary: fc.nat(5).map((index) => ({ kind: 'abandon' as const, index })), weight: 4 },
  {
    arbitrary: fc.integer({ min: 0, max: 3 * 3_600_000 }).map((ms) => ({ kind: 'tick' as const, ms })),
    weight: 8,
  },
  { arbitrary: fc.constant({ kind: 'save' as const }), weight: 4 },
  { arbitrary: fc.constant({ kind: 'forceReauth' as const }), weight: 1 },
);

const credentials = fc.constantFrom<AukiCredentials>(
  { type: 'email', email: 'ada@example.test', password: `pw-${SECRET}` },
  { type: 'appKey', appKey: 'key', appSecret: `app-${SECRET}` },
  { type: 'opaque', token: 'opaque-token', refreshToken: `ort-${SECRET}`, expiryMs: T0 + 600_000 },
  {
    type: 'opaque',
    token: 'opaque-token',
    refreshToken: `ort-${SECRET}`,
    expiryMs: T0 - 1,
    oidcClientId: 'cli',
  },
);

const expectedEvents: Record<HttpRequestAction['operation'], string[]> = {
  login: ['NetworkAuthSuccess', 'NetworkAuthFailed'],
  refresh: ['NetworkTokenRefreshed', 'NetworkTokenRefreshFailed'],
  discovery: ['DiscoveryAuthSuccess', 'DiscoveryAuthFailed'],
  domain_access: ['DomainAccessGranted', 'DomainAccessDenied'],
};

/** What a server would answer to `action` for the chosen outcome. */
function answer(
  action: HttpRequestAction,
  c: Extract<Command, { kind: 'respond' }>,
  now: number,
  serial: number,
) {
  if (c.outcome === 'status') return { status: c.status, body: `refused ${serial}` };
  if (c.outcome === 'badBody')
    return { status: 200, body: serial % 2 ? 'not json' : '{"access_token":null}' };
  const token = c.outcome === 'badJwt' ? `bad.${serial}` : jwtExpiringAt(now + c.lifetimeMs, { n: serial });
  switch (action.operation) {
    case 'login':
      return {
        status: 200,
        body: JSON.stringify({ access_token: token, refresh_token: `rt-${serial}-${SECRET}` }),
      };
    case 'refresh':
      return {
        status: 200,
        body: JSON.stringify({
          access_token: token,
          refresh_token: `rt-${serial}-${SECRET}`,
          ...(c.expiresIn && c.outcome === 'ok' ? { expires_in: Math.floor(c.lifetimeMs / 1000) } : {}),
        }),
      };
    case 'discovery':
      return { status: 200, body: JSON.stringify({ access_token: token }) };
    default:
      return { status: 200, body: JSON.stringify(domainBody(action.domainId!, token)) };
  }
}

const bearerOf = (action: HttpRequestAction) => action.headers.Authorization?.replace(/^Bearer /, '');

it('no answer lost or matched to the wrong request, no expired token used, no secret saved', () => {
  fc.assert(
    fc.property(credentials, fc.array(command, { maxLength: 60 }), (creds, commands) => {
      const core = new AukiCore(testConfig, { credentials: creds });
      let now = T0;
      let serial = 0;
      let lastId = 0;
      const outstanding: HttpRequestAction[] = []; // the model of the core's FIFO queue

      const issued = (actions: HttpRequestAction[]) => {
        for (const action of actions) {
          expect(action.requestId).toBeGreaterThan(lastId);
          lastId = action.requestId;
          outstanding.push(action);
          // Tokens put into a request are valid at the moment it is built.
          if (action.operation === 'discovery') {
            const net = core.networkToken()!;
            expect(now).toBeLessThan(net.expiresAt);
            expect(action.headers.Authorization!.endsWith(net.token)).toBe(true);
          }
          if (action.operation === 'domain_access') {
            const disc = core.discoveryToken()!;
            expect(bearerOf(action)).toBe(disc.token);
            expect(now).toBeLessThan(disc.expiresAt);
            const exp = readJwtExpiry(disc.token);
            expect(exp.ok && now < exp.expiresAt).toBe(true);
            expect(core.isAuthenticated(now)).toBe(true);
          }
        }
      };

      for (const c of commands) {
        switch (c.kind) {
          case 'authenticate':
            issued(core.authenticate(now));
            break;
          case 'discovery':
            issued(core.authenticateDiscovery(now));
            break;
          case 'domain':
            issued(core.getDomainAccess(c.id, now));
            break;
          case 'respond': {
            const action = outstanding.shift();
            serial++;
            if (!action) {
              expect(core.handleResponse(200, '{}', now)).toEqual([]);
              break;
            }
            const before = core.saveState();
            const refreshTokenBefore = core.exportRefreshToken();
            const { status, body } = answer(action, c, now, serial);
            const events = core.handleResponse(status, body, now, { requestId: action.requestId });
            // The answer went to its own request: the events are of that request's kind (and domain).
            expect(events.length).toBeGreaterThan(0);
            expect(expectedEvents[action.operation]).toContain(events[0]!.type);
            if (action.operation === 'domain_access')
              expect(events[0]).toMatchObject({ domainId: action.domainId });
            const failed = events[0]!.type.endsWith('Failed') || events[0]!.type === 'DomainAccessDenied';
            // Only a refresh refused with a 4xx (not 408/425/429) ends the session; every other failure,
            // a refresh outage included, leaves the state as it was.
            const refused = events[0]!.type === 'NetworkTokenRefreshFailed' && events[0]!.requiresReauth;
            expect(refused).toBe(
              action.operation === 'refresh' &&
                c.outcome === 'status' &&
                c.status >= 400 &&
                c.status < 500 &&
                ![408, 425, 429].includes(c.status),
            );
            if (failed && !refused) {
              expect(core.saveState()).toBe(before);
              expect(core.exportRefreshToken()).toBe(refreshTokenBefore);
              if (action.operation === 'refresh') expect(events).toMatchObject([{ retryPossible: true }]);
            }
            if (refused) {
              expect(events.map((e) => e.type)).toEqual([
                'NetworkTokenRefreshFailed',
                'AuthenticationRequired',
              ]);
              expect(core.networkToken()).toBeUndefined();
              outstanding.length = 0;
            }
            if (!failed && c.outcome !== 'ok') throw new Error(`a ${c.outcome} answer was accepted`);
            break;
          }
          case 'outOfOrder': {
            if (outstanding.length < 2) break;
            const before = core.saveState();
            const pending = core.pendingRequests();
            expect(() =>
              core.handleResponse(200, '{}', now, { requestId: outstanding[1]!.requestId }),
            ).toThrow(AukiProtocolError);
            expect(core.saveState()).toBe(before);
            expect(core.pendingRequests()).toEqual(pending);
            break;
          }
          case 'abandon': {
            if (outstanding.length === 0) break;
            const [dropped] = outstanding.splice(c.index % outstanding.length, 1);
            expect(core.abandonRequest(dropped!.requestId)).toBe(true);
            break;
          }
          case 'tick':
            now += c.ms;
            break;
          case 'save': {
            const saved = core.saveState({ sealedRefreshToken: 'sealed-by-caller' });
            expect(saved).not.toContain(SECRET);
            expect(saved).not.toContain('Basic ');
            const refreshToken = core.exportRefreshToken();
            const restored = AukiCore.fromState(
              saved,
              testConfig,
              refreshToken === undefined ? {} : { refreshToken },
            );
            expect(restored.saveState({ sealedRefreshToken: 'sealed-by-caller' })).toBe(saved);
            break;
          }
          case 'forceReauth':
            core.forceReauth();
            outstanding.length = 0;
            break;
        }
        // The core's queue is exactly the model's, in order.
        expect(core.pendingRequests().map((p) => p.requestId)).toEqual(outstanding.map((a) => a.requestId));
        const net = core.networkToken();
        expect(core.isAuthenticated(now)).toBe(net !== undefined && now < net.expiresAt);
        // A cached domain access is only handed out before it expires.
        for (const id of DOMAINS) {
          const access = core.domainAccess(id, now);
          if (access) expect(now).toBeLessThan(access.expiresAt);
        }
      }
    }),
    { numRuns: 300 },
  );
});

it('the JWT expiry reader never throws and accepts exactly non-negative integer exp', () => {
  fc.assert(
    fc.property(
      fc.oneof(
        fc.string(),
        fc.jsonValue().map((v) => jwtExpiringAt(0, { x: v })),
      ),
      (token) => {
        const result = readJwtExpiry(token);
        if (result.ok) expect(Number.isSafeInteger(result.expiresAt / 1000)).toBe(true);
      },
    ),
  );
  fc.assert(
    fc.property(
      fc.oneof(fc.integer(), fc.double(), fc.constant(-0), fc.string(), fc.constant(null)),
      (exp) => {
        const token = `e30.${btoa(JSON.stringify({ exp })).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_')}.sig`;
        // What the token carries after JSON (-0 becomes 0, NaN and infinities become null).
        const sent: unknown = JSON.parse(JSON.stringify({ exp })).exp;
        const ok = typeof sent === 'number' && Number.isSafeInteger(sent) && sent >= 0;
        expect(readJwtExpiry(token)).toEqual(
          ok ? { ok: true, expiresAt: sent * 1000 } : expect.objectContaining({ ok: false }),
        );
      },
    ),
  );
});
