import { AukiClient, type AukiEvent } from '@x/auki';
import { startFakeAuki } from '@x/auki/testing';
import { check, type Scenario } from '../scenario.ts';

/** Login, discovery and two domains against the fake Auki service; then the clock moves and one refresh serves 50 calls. */
export const aukiScenario: Scenario = {
  title: '@x/auki: network → discovery → two domains, then one refresh for 50 concurrent calls',
  async run(say) {
    const fake = await startFakeAuki({ users: [{ email: 'ada@example.com', password: 'correct horse' }] });
    try {
      const events: AukiEvent[] = [];
      const client = new AukiClient({
        ...fake.config('demo'),
        credentials: { type: 'email', email: 'ada@example.com', password: 'correct horse' },
        now: () => fake.clock.now(),
        onEvent: (event) => events.push(event),
      });
      const network = await client.authenticate();
      say(`logged in: network token until ${new Date(network.expiresAt).toISOString()}`);
      const discovery = await client.authenticateDiscovery();
      say(`discovery token until ${new Date(discovery.expiresAt).toISOString()}`);
      const [one, two] = await Promise.all([
        client.getDomainAccess('domain-1'),
        client.getDomainAccess('domain-2'),
      ]);
      say(`domain access: ${one.id} → ${one.domainServer.url}, ${two.id} → ${two.domainServer.url}`);
      check(fake.recorder.requests.length === 4, 'login, discovery and two domain calls');

      fake.clock.advance(57 * 60_000); // 3 minutes left: inside the 5-minute refresh window
      say('clock +57 min: the network token is within the refresh threshold');
      const calls = await Promise.all(
        Array.from({ length: 50 }, (_, i) => client.getDomainAccess(i % 2 ? 'domain-1' : 'domain-2')),
      );
      const refreshed = await client.authenticate();
      check(calls.length === 50 && fake.count('/user/refresh') === 1, 'one refresh for 50 calls');
      check(
        events.filter((e) => e.type === 'NetworkTokenRefreshed').length === 1,
        'one NetworkTokenRefreshed event',
      );
      say(
        `50 concurrent getDomainAccess calls → ${fake.count('/user/refresh')} refresh, new token until ${new Date(refreshed.expiresAt).toISOString()}`,
      );
      say(`requests the fake saw: ${fake.recorder.requests.map((r) => r.path).join(', ')}`);
    } finally {
      await fake.close();
    }
  },
};
