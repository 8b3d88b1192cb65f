/**
 * The Test Enforcer driven as a person would: in a real terminal (tmux), typing answers and menu choices,
 * reading the screen, against the fake gateway and identity provider started here.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type FakeGateway,
  type FakeOidcProvider,
  startFakeGateway,
  startFakeOidcProvider,
} from '@x/airlock/testing';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Terminal } from './terminal.ts';

const bin = fileURLToPath(new URL('../bin/airlock-enforcer.js', import.meta.url));
const PAT = 'airpat_enforcer_test_0123456789';
const CLIENT_ID = 'enforcer-app';
const CLIENT_SECRET = 'app-secret-abcdefgh-5678';
const MENU = 'What next?';

let idp: FakeOidcProvider;
let gateway: FakeGateway;
let home: string;
let configPath: string;
const terminals: Terminal[] = [];

beforeAll(async () => {
  idp = await startFakeOidcProvider();
  gateway = await startFakeGateway({
    pats: [PAT],
    apps: [{ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET }],
    verifyBearer: async (token) => (await idp.verifyAccessToken(token)) !== undefined,
    idpBaseUrl: idp.realmUrl,
  });
});

afterAll(async () => {
  await gateway?.close();
  await idp?.close();
});

beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'enforcer-test-'));
  configPath = join(home, '.airlock', 'test-enforcer-typescript.json');
});

afterEach(async () => {
  for (const terminal of terminals.splice(0)) await terminal.close();
  await rm(home, { recursive: true, force: true });
});

/** Starts the enforcer in a terminal with a fresh HOME and the fake gateway. */
async function launch(args: string[] = [], env: Record<string, string> = {}): Promise<Terminal> {
  const terminal = await Terminal.start(['node', bin, '--config', configPath, ...args], {
    env: { HOME: home, ...env },
    cwd: home,
  });
  terminals.push(terminal);
  return terminal;
}

async function saveConfig(fields: Record<string, unknown>): Promise<void> {
  const { mkdir } = await import('node:fs/promises');
  await mkdir(join(home, '.airlock'), { recursive: true });
  await writeFile(
    configPath,
    JSON.stringify({ gatewayUrl: gateway.url, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, ...fields }),
  );
}

async function readConfig(): Promise<Record<string, unknown>> {
  return JSON.parse(await readFile(configPath, 'utf8'));
}

/** Signs in with the PAT through the menu. */
async function signInWithPat(terminal: Terminal): Promise<void> {
  await terminal.choose(MENU, 'Set Personal Access Token');
  await terminal.answer('Personal Access Token', PAT);
  await terminal.waitFor('PAT saved');
}

/** Pairs by showing a code that the fake approver enters. */
async function pair(terminal: Terminal): Promise<void> {
  await terminal.choose(MENU, 'Pair device');
  await terminal.choose('How do you want to pair?', 'Show a pairing code');
  await terminal.answer('Device ID', 'dev-test-box');
  const screen = await terminal.waitFor(/Pairing code: [A-Z0-9]+/);
  const code = /Pairing code: ([A-Z0-9]+)/.exec(screen)![1]!;
  await gateway.completePairing(code);
  await terminal.waitFor('Paired. Routing token');
}

describe('first run', () => {
  it('runs the setup wizard, saves the settings atomically with mode 0600 and signs in with a PAT', async () => {
    const terminal = await launch();
    await terminal.answer('Gateway URL', gateway.url);
    await terminal.answer('Client ID', CLIENT_ID);
    await terminal.answer('Client secret', CLIENT_SECRET);
    await terminal.answer('Enforcer ID', 'enf-wizard');
    await terminal.answer('Workspace name', '');
    await terminal.waitFor('Saved to');

    // The secret is never on screen, only masked.
    await terminal.waitForPrompt(MENU);
    let screen = await terminal.screen();
    expect(screen).not.toContain(CLIENT_SECRET);
    expect(screen).toContain('secret app-…5678');
    expect(screen).toContain('not signed in');

    const saved = await readConfig();
    expect(saved).toMatchObject({
      gatewayUrl: gateway.url,
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      enforcerId: 'enf-wizard',
      workspaceName: 'default',
      pat: '',
      tokenExpiresAt: 0,
    });
    expect((await stat(configPath)).mode & 0o777).toBe(0o600);
    expect(await readFile(configPath, 'utf8')).toContain('\n  "gatewayUrl": ');

    // A PAT without the airpat_ prefix is refused at the prompt.
    await terminal.choose(MENU, 'Set Personal Access Token');
    await terminal.waitForPrompt('Personal Access Token');
    await terminal.type('ghp_wrongkind');
    await terminal.press('Enter');
    await terminal.waitFor('A PAT starts with "airpat_"');
    for (let i = 0; i < 'ghp_wrongkind'.length; i++) await terminal.press('BSpace');
    await terminal.type(PAT);
    await terminal.press('Enter');
    await terminal.waitFor('PAT saved (airp…6789)');
    await terminal.waitFor('Consent: approved');
    await terminal.waitForPrompt(MENU);
    screen = await terminal.screen();
    expect(screen).not.toContain(PAT);
    expect((await readConfig()).pat).toBe(PAT);
    const consent = gateway.recorder.requests.filter((r) => r.path === '/v1/consent/status');
    expect(consent.at(-1)?.headers['x-pat']).toBe(PAT);
    expect(consent.at(-1)?.headers['x-client-id']).toBe(CLIENT_ID);

    await terminal.choose(MENU, 'Exit');
    await terminal.waitFor('Bye.');
    expect(await terminal.exitStatus()).toBe(0);
    if (process.env.SHOW_SCREEN) console.log(await terminal.screen());
  });
});
