// `pnpm sandbox [--port <base>]`: starts every fake service and the approver console, prints where they
// are, and runs until Ctrl-C.
import { parseArgs } from 'node:util';
import { DEFAULT_BASE_PORT, startSandbox } from './sandbox.ts';

const { values } = parseArgs({
  options: { port: { type: 'string', short: 'p' }, help: { type: 'boolean', short: 'h' } },
});
if (values.help) {
  console.log(`usage: pnpm sandbox [--port <base port, default ${DEFAULT_BASE_PORT}>]`);
  process.exit(0);
}
const basePort = values.port === undefined ? DEFAULT_BASE_PORT : Number(values.port);
if (!Number.isInteger(basePort) || basePort < 0 || basePort > 65_000) {
  console.error(`--port must be a port number, got "${values.port}".`);
  process.exit(2);
}

let sandbox: Awaited<ReturnType<typeof startSandbox>>;
try {
  sandbox = await startSandbox({ basePort });
} catch (error) {
  const busy = (error as { code?: string }).code === 'EADDRINUSE';
  console.error(
    busy
      ? `A port from ${basePort} on is taken; pick another base with --port.`
      : `The sandbox did not start: ${(error as Error).message}`,
  );
  process.exit(1);
}
const width = Math.max(...sandbox.services.map((s) => s.name.length));
console.log('sandbox running (Ctrl-C stops it)\n');
for (const service of sandbox.services) {
  console.log(`  ${service.name.padEnd(width)}  ${service.url}`);
  // Notes go on their own lines: file paths and keys are long, and a user copies them one at a time.
  for (const note of service.notes?.split('; ') ?? []) console.log(`  ${' '.repeat(width)}    ${note}`);
}
console.log(
  `\nan artifact app token for demo-user (valid 4 h):\n  ${await sandbox.artifacts.issueToken('demo-user')}`,
);
console.log(`\nopen the approver console: ${sandbox.console.url}`);

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  console.log('\nstopping…');
  await sandbox.close();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
