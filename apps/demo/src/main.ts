// `pnpm demo`: runs every scenario in order and exits non-zero on the first failure.
import type { Scenario } from './scenario.ts';
import { airlockScenario } from './scenarios/airlock.ts';
import { aukiScenario } from './scenarios/auki.ts';
import { cryptoScenario } from './scenarios/crypto.ts';
import { httpScenario } from './scenarios/http.ts';

const scenarios: Scenario[] = [cryptoScenario, httpScenario, airlockScenario, aukiScenario];

let index = 0;
for (const scenario of scenarios) {
  index++;
  console.log(`\n${index}. ${scenario.title}`);
  await scenario.run((line) => console.log(`   ${line}`));
}
console.log(`\nDone: ${scenarios.length} scenarios ran.`);
