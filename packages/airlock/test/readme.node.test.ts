// Runs the README quick start as a user would (a child Node process importing '@x/airlock').
import { runQuickStart } from '@x/tooling/readme';
import { expect, it } from 'vitest';

it('the README quick start runs and prints the expected results', async () => {
  const out = await runQuickStart(new URL('..', import.meta.url).pathname);
  expect(out).toMatch(/gateway time: \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ \(UTC\)/);
  expect(out).toMatch(/pairing code: [A-Z0-9]{6}/);
  expect(out).toContain('approver read: {"command":"git push --force","cwd":"/repo"}');
  expect(out).toContain('decision: approve (Looks safe), signed: true');
});
