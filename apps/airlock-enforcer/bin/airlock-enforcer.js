#!/usr/bin/env node
// Runs the enforcer's TypeScript sources with tsx; workspace packages resolve to their sources (@x/source),
// so nothing needs building first.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../src/cli.ts', import.meta.url));
const child = spawn(
  process.execPath,
  ['--conditions=@x/source', '--import', import.meta.resolve('tsx'), cli, ...process.argv.slice(2)],
  { stdio: 'inherit' },
);
// The terminal sends Ctrl-C to the whole process group: the program handles it, this launcher just waits.
process.on('SIGINT', () => {});
process.on('SIGTERM', () => child.kill('SIGTERM'));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
