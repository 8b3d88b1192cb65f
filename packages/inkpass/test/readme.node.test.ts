// Runs the README quick start as a user would (a child Node process importing '@x/inkpass').
import { readFileSync } from 'node:fs';
import { runQuickStart } from '@x/tooling/readme';
import { expect, it } from 'vitest';
import { VERSION } from '../src/index.ts';

it('the README quick start runs and prints what the README says', async () => {
  const out = await runQuickStart(new URL('..', import.meta.url).pathname);
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const printed = /It prints:\n\n```text\n([\s\S]*?)```/.exec(readme)![1]!;
  expect(out).toBe(printed);
});

it('VERSION equals package.json version', () => {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
  expect(VERSION).toBe(pkg.version);
});
