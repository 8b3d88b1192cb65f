// `pnpm demo [--keep]`: starts the sandbox (every fake service and the approver console) in-process, runs the
// tour (crypto and http-core, then each service's chapter against the sandbox), prints a summary table with
// each chapter's outcome, and exits non-zero on the first failure.
// With --keep the sandbox and its console stay up afterwards (Ctrl-C stops them).
import { parseArgs } from 'node:util';
import { DEFAULT_BASE_PORT, type Sandbox, startSandbox } from '@x/sandbox';
import type { Scenario } from './scenario.ts';
import { airlockScenario } from './scenarios/airlock.ts';
import { artifactGatewayScenario } from './scenarios/artifact-gateway.ts';
import { artifactStudioScenario } from './scenarios/artifact-studio.ts';
import { atbScenario } from './scenarios/atb.ts';
import { aukiScenario } from './scenarios/auki.ts';
import { cryptoScenario } from './scenarios/crypto.ts';
import { httpScenario } from './scenarios/http.ts';
import { inkpassScenario } from './scenarios/inkpass.ts';

const scenarios: Scenario[] = [
  cryptoScenario,
  httpScenario,
  airlockScenario,
  inkpassScenario,
  aukiScenario,
  atbScenario,
  artifactGatewayScenario,
  artifactStudioScenario,
];

const { values } = parseArgs({ options: { keep: { type: 'boolean' } } });
const keep = values.keep === true;

async function start(): Promise<Sandbox> {
  // Kept sandboxes get the documented fixed ports when they are free; a plain tour takes any free ports.
  if (!keep) return startSandbox({ basePort: 0 });
  try {
    return await startSandbox({ basePort: DEFAULT_BASE_PORT });
  } catch {
    return startSandbox({ basePort: 0 });
  }
}

const sandbox = await start();
console.log(`sandbox: ${sandbox.services.length} services, approver console at ${sandbox.console.url}`);
const summary: { title: string; ms: number; ok: boolean; outcome: string }[] = [];
let failed = false;
let index = 0;
for (const scenario of scenarios) {
  index++;
  console.log(`\n${index}. ${scenario.title}`);
  const started = performance.now();
  try {
    const outcome = await scenario.run((line) => console.log(`   ${line}`), { sandbox });
    summary.push({
      title: scenario.title.split(':')[0]!,
      ms: performance.now() - started,
      ok: true,
      outcome: typeof outcome === 'string' ? outcome : '',
    });
  } catch (error) {
    console.error(`   FAILED: ${(error as Error).stack ?? error}`);
    summary.push({
      title: scenario.title.split(':')[0]!,
      ms: performance.now() - started,
      ok: false,
      outcome: String((error as Error)?.message ?? error).split('\n')[0]!,
    });
    failed = true;
    break;
  }
}

const width = Math.max(...summary.map((row) => row.title.length));
console.log('\nsummary');
for (const row of summary)
  console.log(
    `  ${row.title.padEnd(width)}  ${`${Math.round(row.ms)} ms`.padStart(8)}  ${row.ok ? 'ok    ' : 'FAILED'}  ${row.outcome}`,
  );
console.log(failed ? '\nThe tour stopped at a failure.' : `\nDone: ${summary.length} chapters ran.`);

if (keep && !failed) {
  console.log(`\nThe sandbox keeps running; open the console: ${sandbox.console.url} (Ctrl-C stops it)`);
  for (const service of sandbox.services)
    console.log(`  ${service.name}: ${service.url}${service.notes ? `  (${service.notes})` : ''}`);
  const stop = () => void sandbox.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
} else {
  await sandbox.close();
  process.exit(failed ? 1 : 0);
}
