// Runs the README quick start as a user would (a child Node process importing '@x/artifact-gateway').
import { runQuickStart } from '@x/tooling/readme';
import { expect, it } from 'vitest';

it('the README quick start runs and prints what the README says', async () => {
  const out = await runQuickStart(new URL('..', import.meta.url).pathname);
  expect(out).toBe(
    [
      'query: {"columns":["ts","val"],"rows":[["2026-01-01",42]],"rowcount":1}',
      'file: {"path":"exports/report.csv","content":"a,b\\n1,2\\n"}',
      'state: {"ok":true,"version":1}',
      'traversal: 400 {"detail":"Path escapes the workspace boundary"}',
      '',
    ].join('\n'),
  );
});
