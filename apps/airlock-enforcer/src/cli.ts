/**
 * `airlock-enforcer`: the Airlock Test Enforcer's command line (flags, environment, terminal check).
 *
 * @module
 */
import { parseArgs } from 'node:util';
import { ConfigError, ConfigStore, defaultConfigPath, type EnforcerConfig, envOverrides } from './config.ts';
import { describe, Enforcer } from './enforcer.ts';
import { EnforcerUi } from './ui.ts';

const USAGE = `Usage: airlock-enforcer [--config <file>] [--gateway <url>] [--decision-timeout <seconds>]

The Airlock Test Enforcer: sign in, pair with the Airlock mobile app, submit encrypted artifacts and wait
for signed decisions. Interactive: run it in a terminal.

  --config <file>               settings file (default ~/.airlock/test-enforcer-typescript.json; AIRLOCK_CONFIG)
  --gateway <url>               gateway URL for this run (AIRLOCK_GATEWAY_URL)
  --decision-timeout <seconds>  how long to wait for a decision before withdrawing (default 120;
                                AIRLOCK_DECISION_TIMEOUT)
  -h, --help                    this text

Environment overrides (not saved unless changed in the program): AIRLOCK_GATEWAY_URL, AIRLOCK_CLIENT_ID,
AIRLOCK_CLIENT_SECRET, AIRLOCK_ENFORCER_ID, AIRLOCK_WORKSPACE_NAME, AIRLOCK_DEVICE_ID, AIRLOCK_PAT,
AIRLOCK_SIGNER_PUBLIC_KEY.
`;

/** Runs the program with `argv` (without node and script); resolves with the exit code. */
export async function main(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  let values: { config?: string; gateway?: string; 'decision-timeout'?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        config: { type: 'string' },
        gateway: { type: 'string' },
        'decision-timeout': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }));
  } catch (error) {
    process.stderr.write(`${describe(error)}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const timeoutText = values['decision-timeout'] ?? env.AIRLOCK_DECISION_TIMEOUT;
  const timeoutSeconds = timeoutText === undefined ? 120 : Number(timeoutText);
  if (!Number.isFinite(timeoutSeconds) || timeoutSeconds < 1) {
    process.stderr.write(`The decision timeout must be a number of seconds ≥ 1, got "${timeoutText}".\n`);
    return 2;
  }
  if (!process.stdin.isTTY || !process.stdout.isTTY) {
    process.stderr.write(
      'airlock-enforcer is interactive and needs a terminal, but its ' +
        `${process.stdin.isTTY ? 'output' : 'input'} is not one. Run it in a terminal ` +
        '(for scripts and CI, use the @x/airlock SDK directly).\n',
    );
    return 2;
  }
  const overrides: Partial<EnforcerConfig> = envOverrides(env);
  if (values.gateway) overrides.gatewayUrl = values.gateway;
  const path = values.config ?? env.AIRLOCK_CONFIG ?? defaultConfigPath();
  let config: ConfigStore;
  try {
    config = await ConfigStore.open(path, overrides);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\nFix or remove the file, or pass --config <file>.\n`);
    return 1;
  }
  const enforcer = new Enforcer(config, { decisionTimeoutMs: timeoutSeconds * 1000 });
  return new EnforcerUi(enforcer).run();
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`airlock-enforcer failed: ${describe(error)}\n`);
    process.exit(1);
  },
);
