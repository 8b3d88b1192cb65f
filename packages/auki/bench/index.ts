// `pnpm bench` for @x/auki:
// 1. getDomainAccess on a warm cache vs an async Map lookup with an expiry check (target ≥0.5×);
// 2. core steps per second: a full login → discovery → domain chain fed with canned answers, vs building the
//    same three requests' JSON bodies by hand (a floor, not a target).
import { compare, summarize } from '@x/tooling/bench';
import { AukiCore } from '../src/core/index.ts';
import { AukiClient } from '../src/index.ts';
import { startFakeAuki } from '../src/testing/index.ts';
import { domainBody, jwtExpiringAt } from '../test/kit.ts';

const timeMs = Number(process.env.BENCH_TIME_MS ?? 1000);

async function warmCache() {
  const fake = await startFakeAuki({ users: [{ email: 'b@example.test', password: 'pw' }] });
  try {
    const client = new AukiClient({
      ...fake.config('bench'),
      credentials: { type: 'email', email: 'b@example.test', password: 'pw' },
      now: () => fake.clock.now(),
    });
    const access = await client.getDomainAccess('domain-1');
    const map = new Map([['domain-1', access]]);
    const now = () => fake.clock.now();
    return await compare({
      title: 'getDomainAccess on a warm cache vs an async Map lookup',
      timeMs,
      baseline: {
        name: 'async Map.get + expiry check',
        fn: async () => {
          const hit = map.get('domain-1');
          if (!hit || now() >= hit.expiresAt) throw new Error('miss');
          return hit;
        },
      },
      candidates: [
        {
          name: "client.getDomainAccess('domain-1')",
          target: 0.5,
          fn: () => client.getDomainAccess('domain-1'),
        },
      ],
    });
  } finally {
    await fake.close();
  }
}

async function coreSteps() {
  const T0 = Date.UTC(2026, 0, 1);
  const login = JSON.stringify({ access_token: jwtExpiringAt(T0 + 3_600_000), refresh_token: 'rt' });
  const discovery = JSON.stringify({ access_token: jwtExpiringAt(T0 + 3_600_000) });
  const domain = JSON.stringify(domainBody('domain-1', jwtExpiringAt(T0 + 3_600_000)));
  const config = {
    apiUrl: 'https://api.example.test',
    ddsUrl: 'https://dds.example.test',
    clientId: 'bench',
  };
  const credentials = { type: 'email', email: 'b@example.test', password: 'pw' } as const;
  return compare({
    title: 'core: a full chain (3 actions + 3 answers) vs parsing the same 3 answers with JSON.parse',
    timeMs,
    baseline: {
      name: 'JSON.parse of the 3 answers',
      fn: () => [JSON.parse(login), JSON.parse(discovery), JSON.parse(domain)],
    },
    candidates: [
      {
        name: 'AukiCore chain (new core, 3 steps, 3 answers validated)',
        fn: () => {
          const core = new AukiCore(config, { credentials });
          for (const body of [login, discovery, domain]) {
            const [action] = core.getDomainAccess('domain-1', T0);
            core.handleResponse(200, body, T0, { requestId: action!.requestId });
          }
          if (!core.domainAccess('domain-1', T0)) throw new Error('no access');
        },
      },
    ],
  });
}

const rows = [...(await warmCache()), ...(await coreSteps())];
summarize(rows);
