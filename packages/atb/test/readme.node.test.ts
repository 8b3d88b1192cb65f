// Runs the README quick start as a user would (a child Node process importing '@x/atb').
import { runQuickStart } from '@x/tooling/readme';
import { expect, it } from 'vitest';

it('the README quick start runs and prints the expected results', async () => {
  const out = await runQuickStart(new URL('..', import.meta.url).pathname);
  expect(out).toContain('agent: spiffe://example.org/ns/default/sa/agent/connector');
  expect(out).toMatch(/low risk allowed: true \(low, poa_…\)/);
  expect(out).toContain('broker forwarded: 200 /logs/application');
  expect(out).toContain('high risk allowed: false, needs 2 approvers');
  expect(out).toContain('payment: 200, tier high');
});
