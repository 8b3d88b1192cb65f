import { AukiClient, AukiDomainAccessDeniedError, type AukiEvent } from '@x/auki';
import { AUKI_DEMO } from '@x/sandbox';
import { check, type Scenario } from '../scenario.ts';

const MINUTE = 60_000;

/**
 * Login, discovery and two domains with the sandbox's demo account; then the client's clock jumps past the
 * refresh threshold and one refresh request serves 50 concurrent calls.
 */
export const aukiScenario: Scenario = {
  title: '@x/auki: network → discovery → two domains, then one refresh for 50 concurrent calls',
  async run(say, { sandbox }) {
    const { auki } = sandbox;
    const config = auki.config('demo');
    // The sandbox's fakes follow the wall clock, so time is moved on the client's side: `now` is the wall
    // clock plus a skew the chapter turns forward, as if this process had been running for an hour.
    let skew = 0;
    const events: AukiEvent[] = [];
    const client = new AukiClient({
      ...config,
      credentials: { type: 'email', email: auki.demo.email, password: auki.demo.password },
      now: () => Date.now() + skew,
      onEvent: (event) => events.push(event),
    });
    const tokensBefore = auki.tokens.length;
    const grantsBefore = auki.grants.length;
    const refreshesBefore = auki.fake.count('/user/refresh');
    try {
      say(`sandbox Auki: auth API ${config.apiUrl}, discovery ${config.ddsUrl}, account ${auki.demo.email}`);
      const network = await client.authenticate();
      say(`logged in: network token until ${new Date(network.expiresAt).toISOString()}`);
      const discovery = await client.authenticateDiscovery();
      say(`discovery token until ${new Date(discovery.expiresAt).toISOString()}`);
      const [first, second] = AUKI_DEMO.domains;
      const [one, two] = await Promise.all([client.getDomainAccess(first), client.getDomainAccess(second)]);
      check(one.id === first && two.id === second, 'access to both demo domains');
      say(`domain access: ${one.id} → ${one.domainServer.url}, ${two.id} → ${two.domainServer.url}`);
      const paid = await client.getDomainAccess(AUKI_DEMO.paidDomain).catch((error: unknown) => error);
      check(
        AukiDomainAccessDeniedError.isInstance(paid) && paid.isPaymentRequired,
        `${AUKI_DEMO.paidDomain} is refused with 402`,
      );
      say(`${AUKI_DEMO.paidDomain}: refused with ${paid.name}, isPaymentRequired (HTTP 402)`);
      const issued = auki.tokens.slice(tokensBefore).map((t) => t.kind);
      const granted = auki.grants.slice(grantsBefore).map((g) => `${g.domain} ${g.outcome}`);
      check(
        issued.join() === 'network,discovery' &&
          granted.length === 3 &&
          granted.includes(`${first} granted`) &&
          granted.includes(`${second} granted`),
        'the sandbox recorded one login, one discovery token and three domain requests',
      );
      say(`the sandbox recorded: tokens ${issued.join(', ')}; domains ${granted.join(', ')}`);

      const threshold = 5 * MINUTE; // the client's default refresh threshold
      skew = network.expiresAt - Date.now() - threshold + 2 * MINUTE;
      const left = Math.round((network.expiresAt - Date.now() - skew) / MINUTE);
      check(left < 5 && left > 0, 'the network token is inside the refresh window');
      say(
        `client clock +${Math.round(skew / MINUTE)} min: ${left} min left on the network token, inside the 5-min refresh window`,
      );
      const domainRequests = () => auki.fake.count(/^\/api\/v1\/domains\/[^/]+\/auth$/);
      const domainRequestsBefore = domainRequests();
      const calls = await Promise.all(
        Array.from({ length: 50 }, (_, i) => client.getDomainAccess(i % 2 ? first : second)),
      );
      const refreshed = await client.authenticate();
      const refreshes = auki.fake.count('/user/refresh') - refreshesBefore;
      const refreshEvents = events.filter((e) => e.type === 'NetworkTokenRefreshed').length;
      const recordedRefreshes = auki.tokens.slice(tokensBefore).filter((t) => t.kind === 'network (refresh)');
      check(calls.length === 50 && refreshes === 1, 'one refresh request for 50 calls');
      check(domainRequests() === domainRequestsBefore, 'the still-valid domain tokens came from the cache');
      check(refreshEvents === 1, 'one NetworkTokenRefreshed event');
      check(recordedRefreshes.length === 1, 'the sandbox recorded one refreshed token');
      check(refreshed.expiresAt >= network.expiresAt, 'the refreshed token lives at least as long');
      say(
        `50 concurrent getDomainAccess calls → ${refreshes} POST /user/refresh, 1 NetworkTokenRefreshed event; new token until ${new Date(refreshed.expiresAt).toISOString()}`,
      );
      say('the domain tokens were still valid: all 50 calls were answered from the cache during the refresh');
      say(
        `requests the sandbox's Auki saw: ${auki.fake.recorder.requests.map((r) => `${r.method} ${r.path}`).join(', ')}`,
      );
      return `2 domains granted, 402 refused, 1 refresh for 50 calls`;
    } finally {
      client.close();
    }
  },
};
