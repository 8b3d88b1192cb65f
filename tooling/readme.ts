import { readFileSync } from 'node:fs';

/**
 * Returns the code of a README's quick start: the first ```ts block after the "## Quick start" heading.
 * Tests run it in the workspace, and the package check runs it again against the packed tarball.
 */
export function extractQuickStart(readmePath: string): string {
  const text = readFileSync(readmePath, 'utf8');
  const start = text.search(/^## Quick start\s*$/m);
  if (start < 0) throw new Error(`${readmePath} has no "## Quick start" section`);
  const match = /```ts\n([\s\S]*?)```/.exec(text.slice(start));
  if (!match?.[1]) throw new Error(`${readmePath}: the quick start has no \`\`\`ts block`);
  return match[1];
}

/**
 * Writes a package's README quick start to `<package>/.tmp/quickstart.ts` and runs it in a child Node
 * process (tsx, with the workspace source condition), as a user would. Resolves with its stdout;
 * rejects with its stderr when it exits non-zero.
 */
export async function runQuickStart(packageDir: string, timeoutMs = 60_000): Promise<string> {
  const { mkdirSync, writeFileSync } = await import('node:fs');
  const { join } = await import('node:path');
  const { execFile } = await import('node:child_process');
  const code = extractQuickStart(join(packageDir, 'README.md'));
  mkdirSync(join(packageDir, '.tmp'), { recursive: true });
  const file = join(packageDir, '.tmp', 'quickstart.ts');
  writeFileSync(file, code);
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--conditions=@x/source', '--import', 'tsx', file],
      { cwd: packageDir, timeout: timeoutMs },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`quick start failed (${error.message}):\n${stderr}`));
        else resolve(stdout);
      },
    );
  });
}
