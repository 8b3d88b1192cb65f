/**
 * The enforcer's settings file (spec §11): `~/.airlock/test-enforcer-typescript.json`, camelCase JSON with a
 * 2-space indent, written atomically with mode 0600, plus `AIRLOCK_*` environment and flag overrides.
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, open, readFile, rename, unlink } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import type { TokenState, TokenStore } from '@x/airlock/auth';

/** Everything the enforcer keeps between runs (spec §11 fields, plus the approvers' signer key). */
export interface EnforcerConfig {
  /** The gateway, default `https://igw.airlocks.io`. */
  gatewayUrl: string;
  /** The enforcer app's id (`X-Client-Id`). */
  clientId: string;
  /** The enforcer app's secret (`X-Client-Secret`). */
  clientSecret: string;
  /** This enforcer's id. */
  enforcerId: string;
  /** The workspace shown to the approver. */
  workspaceName: string;
  /** This device's id (`dev-<hostname>` when paired without one). */
  deviceId: string;
  /** From a completed pairing: sent as `metadata.routingToken`. */
  routingToken: string;
  /** The pairing-derived AES-256 key, base64url. */
  encryptionKey: string;
  /** A Personal Access Token (`airpat_…`). */
  pat: string;
  /** The OAuth access token from the device login. */
  accessToken: string;
  /** The OAuth refresh token. */
  refreshToken: string;
  /** When the access token expires, epoch milliseconds (0 = unknown). */
  tokenExpiresAt: number;
  /** The approvers' Ed25519 public key (base64url); when set, every decision's signature is verified. */
  signerPublicKey: string;
}

/** The values of a fresh configuration (spec §11 defaults). */
export const DEFAULT_CONFIG: Readonly<EnforcerConfig> = Object.freeze({
  gatewayUrl: 'https://igw.airlocks.io',
  clientId: '',
  clientSecret: '',
  enforcerId: 'enf-test',
  workspaceName: 'default',
  deviceId: '',
  routingToken: '',
  encryptionKey: '',
  pat: '',
  accessToken: '',
  refreshToken: '',
  tokenExpiresAt: 0,
  signerPublicKey: '',
});

const KEYS = Object.keys(DEFAULT_CONFIG) as (keyof EnforcerConfig)[];

/** The environment variable that overrides each field (for CI and scripted runs). */
export const ENV_OVERRIDES: Readonly<Partial<Record<keyof EnforcerConfig, string>>> = Object.freeze({
  gatewayUrl: 'AIRLOCK_GATEWAY_URL',
  clientId: 'AIRLOCK_CLIENT_ID',
  clientSecret: 'AIRLOCK_CLIENT_SECRET',
  enforcerId: 'AIRLOCK_ENFORCER_ID',
  workspaceName: 'AIRLOCK_WORKSPACE_NAME',
  deviceId: 'AIRLOCK_DEVICE_ID',
  pat: 'AIRLOCK_PAT',
  signerPublicKey: 'AIRLOCK_SIGNER_PUBLIC_KEY',
});

/** Where the settings live unless `--config` or `AIRLOCK_CONFIG` says otherwise. */
export function defaultConfigPath(home: string = homedir()): string {
  return join(home, '.airlock', 'test-enforcer-typescript.json');
}

/** The overrides the environment gives (empty values are ignored). */
export function envOverrides(env: NodeJS.ProcessEnv): Partial<EnforcerConfig> {
  const found: Partial<Record<keyof EnforcerConfig, string>> = {};
  for (const [key, name] of Object.entries(ENV_OVERRIDES) as [keyof EnforcerConfig, string][]) {
    const value = env[name]?.trim();
    if (value) found[key] = value;
  }
  return found as Partial<EnforcerConfig>;
}

/** Shows a secret as its first and last four characters (`airp…9f2c`); short ones are fully hidden. */
export function mask(secret: string): string {
  if (!secret) return '(not set)';
  if (secret.length < 12) return '••••';
  return `${secret.slice(0, 4)}…${secret.slice(-4)}`;
}

/** Reads a settings file leniently: unknown members are dropped, wrong types fall back to the defaults. */
export function parseConfig(text: string): EnforcerConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`The settings file is not valid JSON (${(error as Error).message}).`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new ConfigError('The settings file must hold a JSON object.');
  const config = { ...DEFAULT_CONFIG } as Record<string, unknown>;
  for (const key of KEYS) {
    const value = (raw as Record<string, unknown>)[key];
    if (typeof value === typeof DEFAULT_CONFIG[key] && (typeof value !== 'number' || Number.isFinite(value)))
      config[key] = value;
  }
  return config as unknown as EnforcerConfig;
}

/** A settings file that cannot be read or written. */
export class ConfigError extends Error {
  /** Marks the error for `instanceof`-free checks. */
  readonly code = 'config_error';
  override readonly name = 'ConfigError';
}

function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}

/**
 * The settings as the enforcer sees them: the file's values under the overrides (environment, flags). A
 * change made in the program replaces the override of that field and is saved; overrides are never written
 * to the file on their own.
 */
export class ConfigStore {
  /** The file's path. */
  readonly path: string;
  #file: EnforcerConfig;
  #overrides: Partial<EnforcerConfig>;
  #exists: boolean;
  #writes: Promise<void> = Promise.resolve();

  private constructor(
    path: string,
    file: EnforcerConfig,
    overrides: Partial<EnforcerConfig>,
    exists: boolean,
  ) {
    this.path = path;
    this.#file = file;
    this.#overrides = overrides;
    this.#exists = exists;
  }

  /** Reads the file (a missing one gives the defaults) and applies `overrides`. */
  static async open(path: string, overrides: Partial<EnforcerConfig> = {}): Promise<ConfigStore> {
    let text: string | undefined;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      if (!isMissing(error))
        throw new ConfigError(`Cannot read ${path}: ${(error as Error).message}`, { cause: error });
    }
    const file = text === undefined ? { ...DEFAULT_CONFIG } : parseConfig(text);
    return new ConfigStore(path, file, { ...overrides }, text !== undefined);
  }

  /** Whether the file existed when opened or has been saved since. */
  get exists(): boolean {
    return this.#exists;
  }

  /** The settings in force (a copy). */
  get current(): EnforcerConfig {
    return { ...this.#file, ...this.#overrides };
  }

  /** Which fields an override holds (shown as such in the status). */
  isOverridden(key: keyof EnforcerConfig): boolean {
    return key in this.#overrides;
  }

  /** Changes fields and saves the file. */
  async update(patch: Partial<EnforcerConfig>): Promise<void> {
    for (const key of Object.keys(patch) as (keyof EnforcerConfig)[]) delete this.#overrides[key];
    this.#file = { ...this.#file, ...patch };
    await this.save();
  }

  /** Writes the file: a temporary file with mode 0600 next to it, flushed, then renamed over the old one. */
  save(): Promise<void> {
    const text = `${JSON.stringify(this.#file, null, 2)}\n`;
    const write = this.#writes.then(() => writeFileAtomic(this.path, text));
    // Saves run one after another so the last change is the one left on disk; a failure does not block later ones.
    this.#writes = write.catch(() => {});
    return write.then(() => {
      this.#exists = true;
    });
  }

  /** A {@link TokenStore} over the `accessToken`, `refreshToken` and `tokenExpiresAt` fields. */
  tokenStore(): TokenStore {
    return {
      load: (): TokenState | undefined => {
        const { accessToken, refreshToken, tokenExpiresAt } = this.current;
        if (!accessToken) return undefined;
        return {
          accessToken,
          ...(refreshToken ? { refreshToken } : {}),
          ...(tokenExpiresAt > 0 ? { expiresAt: tokenExpiresAt } : {}),
        };
      },
      save: (state: TokenState) =>
        this.update({
          accessToken: state.accessToken,
          refreshToken: state.refreshToken ?? '',
          tokenExpiresAt: state.expiresAt ?? 0,
        }),
      clear: () => this.update({ accessToken: '', refreshToken: '', tokenExpiresAt: 0 }),
    };
  }
}

async function writeFileAtomic(path: string, text: string): Promise<void> {
  const dir = dirname(path);
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const temp = join(dir, `.${randomBytes(6).toString('hex')}.tmp`);
    const handle = await open(temp, 'wx', 0o600);
    try {
      await handle.writeFile(text, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    try {
      await rename(temp, path);
    } catch (error) {
      await unlink(temp).catch(() => {});
      throw error;
    }
    // A file created earlier with wider bits keeps none of them: the new inode has 0600 already.
    await chmod(path, 0o600).catch(() => {});
  } catch (error) {
    throw new ConfigError(`Cannot save the settings to ${path}: ${(error as Error).message}`, {
      cause: error,
    });
  }
}
