import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ConfigError,
  ConfigStore,
  DEFAULT_CONFIG,
  defaultConfigPath,
  envOverrides,
  mask,
  parseConfig,
} from '../src/config.ts';

let dir: string;
let path: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'enforcer-config-'));
  path = join(dir, 'nested', 'test-enforcer-typescript.json');
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('ConfigStore', () => {
  it('starts from the spec defaults when there is no file, and writes none until a change', async () => {
    const store = await ConfigStore.open(path);
    expect(store.exists).toBe(false);
    expect(store.current).toEqual(DEFAULT_CONFIG);
    expect(store.current).toMatchObject({
      gatewayUrl: 'https://igw.airlocks.io',
      enforcerId: 'enf-test',
      workspaceName: 'default',
      tokenExpiresAt: 0,
    });
    await expect(stat(path)).rejects.toThrow();
  });

  it('saves camelCase JSON with a 2-space indent, mode 0600, leaving no temporary file', async () => {
    const store = await ConfigStore.open(path);
    await store.update({ clientId: 'app', clientSecret: 's3cret-value-1234', pat: 'airpat_x' });
    const text = await readFile(path, 'utf8');
    expect(text).toBe(
      `${JSON.stringify({ ...DEFAULT_CONFIG, clientId: 'app', clientSecret: 's3cret-value-1234', pat: 'airpat_x' }, null, 2)}\n`,
    );
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(await readdir(join(dir, 'nested'))).toEqual(['test-enforcer-typescript.json']);
    expect((await ConfigStore.open(path)).current.clientId).toBe('app');
  });

  it('tightens a file that was readable by others when it rewrites it', async () => {
    await mkdir(join(dir, 'nested'));
    await writeFile(path, '{"clientId":"app"}');
    await chmod(path, 0o644);
    const store = await ConfigStore.open(path);
    await store.update({ workspaceName: 'w' });
    expect((await stat(path)).mode & 0o777).toBe(0o600);
  });

  it('keeps the last of several quick saves', async () => {
    const store = await ConfigStore.open(path);
    await Promise.all(Array.from({ length: 20 }, (_, i) => store.update({ workspaceName: `w${i}` })));
    expect(JSON.parse(await readFile(path, 'utf8')).workspaceName).toBe('w19');
  });

  it('applies overrides without saving them; a change made in the program replaces the override', async () => {
    await mkdir(join(dir, 'nested'));
    await writeFile(path, JSON.stringify({ clientId: 'file-app', gatewayUrl: 'https://file.example' }));
    const store = await ConfigStore.open(path, { gatewayUrl: 'http://127.0.0.1:1', pat: 'airpat_env' });
    expect(store.current).toMatchObject({
      gatewayUrl: 'http://127.0.0.1:1',
      pat: 'airpat_env',
      clientId: 'file-app',
    });
    expect(store.isOverridden('pat')).toBe(true);
    await store.update({ workspaceName: 'w' });
    let saved = JSON.parse(await readFile(path, 'utf8'));
    expect(saved).toMatchObject({ gatewayUrl: 'https://file.example', pat: '', workspaceName: 'w' });
    await store.update({ pat: 'airpat_typed' });
    saved = JSON.parse(await readFile(path, 'utf8'));
    expect(saved.pat).toBe('airpat_typed');
    expect(store.current.pat).toBe('airpat_typed');
    expect(store.isOverridden('pat')).toBe(false);
  });

  it('keeps OAuth tokens for the auth client (epoch milliseconds)', async () => {
    const store = await ConfigStore.open(path);
    const tokens = store.tokenStore();
    expect(await tokens.load()).toBeUndefined();
    await tokens.save({ accessToken: 'at', refreshToken: 'rt', expiresAt: 1_800_000_000_000 });
    expect(JSON.parse(await readFile(path, 'utf8'))).toMatchObject({
      accessToken: 'at',
      refreshToken: 'rt',
      tokenExpiresAt: 1_800_000_000_000,
    });
    expect(await (await ConfigStore.open(path)).tokenStore().load()).toEqual({
      accessToken: 'at',
      refreshToken: 'rt',
      expiresAt: 1_800_000_000_000,
    });
    await tokens.clear();
    expect(JSON.parse(await readFile(path, 'utf8'))).toMatchObject({
      accessToken: '',
      refreshToken: '',
      tokenExpiresAt: 0,
    });
  });

  it('refuses a file that is not a JSON object, saying which file', async () => {
    await mkdir(join(dir, 'nested'));
    await writeFile(path, '{"clientId": ');
    await expect(ConfigStore.open(path)).rejects.toThrow(ConfigError);
    await writeFile(path, '[1, 2]');
    await expect(ConfigStore.open(path)).rejects.toThrow('must hold a JSON object');
  });

  it('reports a settings file it cannot write', async () => {
    const store = await ConfigStore.open(join(dir, 'sub', 'config.json'));
    await writeFile(join(dir, 'sub'), ''); // a file where the folder should be
    await expect(store.update({ pat: 'airpat_x' })).rejects.toThrow(
      /Cannot save the settings to .*config\.json/,
    );
  });
});

describe('parseConfig', () => {
  it('drops unknown members and values of the wrong type', () => {
    const config = parseConfig(
      JSON.stringify({
        clientId: 'app',
        tokenExpiresAt: 'soon',
        enforcerId: 7,
        extra: true,
        pat: 'airpat_1',
      }),
    );
    expect(config).toEqual({ ...DEFAULT_CONFIG, clientId: 'app', pat: 'airpat_1' });
  });
});

describe('envOverrides', () => {
  it('reads the AIRLOCK_* variables and ignores empty ones', () => {
    expect(
      envOverrides({
        AIRLOCK_GATEWAY_URL: 'http://127.0.0.1:8080',
        AIRLOCK_CLIENT_ID: 'app',
        AIRLOCK_CLIENT_SECRET: 'sec',
        AIRLOCK_ENFORCER_ID: 'enf-ci',
        AIRLOCK_WORKSPACE_NAME: 'ci',
        AIRLOCK_DEVICE_ID: 'dev-ci',
        AIRLOCK_PAT: 'airpat_ci',
        AIRLOCK_SIGNER_PUBLIC_KEY: 'key',
        AIRLOCK_OTHER: 'x',
        HOME: '/root',
      }),
    ).toEqual({
      gatewayUrl: 'http://127.0.0.1:8080',
      clientId: 'app',
      clientSecret: 'sec',
      enforcerId: 'enf-ci',
      workspaceName: 'ci',
      deviceId: 'dev-ci',
      pat: 'airpat_ci',
      signerPublicKey: 'key',
    });
    expect(envOverrides({ AIRLOCK_PAT: '  ', AIRLOCK_CLIENT_ID: '' })).toEqual({});
  });
});

describe('mask and paths', () => {
  it('shows only the first and last four characters of a secret', () => {
    expect(mask('airpat_0123456789abcdef')).toBe('airp…cdef');
    expect(mask('short')).toBe('••••');
    expect(mask('')).toBe('(not set)');
  });

  it('puts the settings under ~/.airlock', () => {
    expect(defaultConfigPath('/home/me')).toBe('/home/me/.airlock/test-enforcer-typescript.json');
  });
});
