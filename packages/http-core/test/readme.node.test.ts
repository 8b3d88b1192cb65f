import { runQuickStart } from '@x/tooling/readme';
import { expect, it } from 'vitest';

it('the README quick start runs and prints the retried result', async () => {
  const out = await runQuickStart(new URL('..', import.meta.url).pathname);
  expect(out.trim()).toBe('Ada (42) after 2 requests');
}, 60_000);
