// Runs the README quick starts as a user would (child Node processes importing '@x/auki').
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runQuickStart } from '@x/tooling/readme';
import { expect, it } from 'vitest';

const packageDir = new URL('..', import.meta.url).pathname;

/**
 * The first ```ts block after `heading`, between `before` and `after`, run like runQuickStart runs the
 * "## Quick start" one.
 */
function runSection(heading: string, before = '', after = ''): Promise<string> {
  const text = readFileSync(join(packageDir, 'README.md'), 'utf8');
  const start = text.indexOf(`\n${heading}\n`);
  expect(start).toBeGreaterThan(0);
  const code = /```ts\n([\s\S]*?)```/.exec(text.slice(start))![1]!;
  mkdirSync(join(packageDir, '.tmp'), { recursive: true });
  const file = join(packageDir, '.tmp', `${heading.replace(/\W+/g, '-')}.ts`);
  writeFileSync(file, `${before}\n${code}\n${after}`);
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

it('the "Saving state" snippet runs (with a signed-in client against the fake)', async () => {
  const before = `
import { AukiClient } from '@x/auki';
import { startFakeAuki } from '@x/auki/testing';
const fake = await startFakeAuki();
const config = { ...fake.config('my-app'), now: () => fake.clock.now() };
const client = new AukiClient({ ...config, credentials: { type: 'email', email: 'user@example.com', password: 'password' } });
await client.getDomainAccess('domain-1');`;
  const after = `
fake.clock.advance(2 * 3_600_000);
const access = await restored.getDomainAccess('domain-1');
console.log(\`restored; refreshes: \${fake.count('/user/refresh')}; logins: \${fake.count('/user/login')}; \${access.id}\`);
await fake.close();`;
  const out = await runSection('## Saving state', before, after);
  expect(out).toContain('restored; refreshes: 1; logins: 1; domain-1');
});

it('the "Testing with the fake service" snippet runs', async () => {
  await runSection('## Testing with the fake service');
});
