// Runs the README quick starts as a user would (child Node processes importing '@x/auki').
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runQuickStart } from '@x/tooling/readme';
import { expect, it } from 'vitest';

const packageDir = new URL('..', import.meta.url).pathname;

/** The first ```ts block after `heading`, run like runQuickStart runs the "## Quick start" one. */
function runSection(heading: string): Promise<string> {
  const text = readFileSync(join(packageDir, 'README.md'), 'utf8');
  const start = text.indexOf(`\n${heading}\n`);
  expect(start).toBeGreaterThan(0);
  const code = /```ts\n([\s\S]*?)```/.exec(text.slice(start))![1]!;
  mkdirSync(join(packageDir, '.tmp'), { recursive: true });
  const file = join(packageDir, '.tmp', 'sans-io-quickstart.ts');
  writeFileSync(file, code);
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--conditions=@x/source', '--import', 'tsx', file],
      { cwd: packageDir, timeout: 60_000 },
      (error, stdout, stderr) => (error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout)),
    );
  });
}

it('the high-level quick start runs and prints what the README says', async () => {
  const out = await runQuickStart(packageDir);
  expect(out).toContain('domain domain-1 on https://domain-1.domains.example.test');
  expect(out).toContain('cached: true, second domain: domain-2');
  expect(out).toContain(
    'requests: /user/login, /service/domains-access-token, /api/v1/domains/domain-1/auth, /api/v1/domains/domain-2/auth',
  );
});

it('the sans-I/O quick start runs and prints what the README says', async () => {
  const out = await runSection('## Sans-I/O quick start');
  expect(out).toContain(
    'login → NetworkAuthSuccess\ndiscovery → DiscoveryAuthSuccess\ndomain_access → DomainAccessGranted\n',
  );
  expect(out).toContain('access to domain-1 until 2026-01-01T01:00:00.000Z');
});
