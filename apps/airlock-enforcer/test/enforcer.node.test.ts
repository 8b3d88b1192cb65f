/**
 * The Test Enforcer driven as a person would: in a real terminal (tmux), typing answers and menu choices,
 * reading the screen, against the fake gateway and identity provider started here.
 */
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
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
  });
});

/** The request id the enforcer printed after submitting (the last one on screen). */
async function submit(terminal: Terminal, command: string): Promise<string> {
  const before = await terminal.count('Submitted req-');
  await terminal.choose(MENU, 'Submit artifact');
  await terminal.answer('Command to approve', command);
  await terminal.answer('Request label', 'Deploy');
  const screen = await terminal.waitFor('Submitted req-', { times: before + 1 });
  await terminal.waitFor(/Waiting for the decision: \d+:\d\d left/);
  return [...screen.matchAll(/Submitted (req-[0-9a-f-]+)/g)].at(-1)![1]!;
}

describe('device code sign-in', () => {
  it('shows the URL, the code and a QR code, signs in, restores the session from the refresh token and signs out', async () => {
    await saveConfig({});
    let terminal = await launch();
    await terminal.choose(MENU, 'Sign in (device code)');
    const screen = await terminal.waitFor(/enter the code [A-Z]{4}-[A-Z]{4}/);
    const userCode = /enter the code ([A-Z]{4}-[A-Z]{4})/.exec(screen)![1]!;
    expect(screen).toContain(`Open ${idp.realmUrl}`);
    // The QR code is drawn after the text lines: wait for it rather than expect it in the same frame.
    await terminal.waitFor(/[▀▄█]{10}/);
    await terminal.waitFor(`Waiting for you to approve the sign-in (code ${userCode})`);
    idp.approveDevice(userCode);
    // The provider's clock only moves when told: let the polling interval pass there.
    idp.clock.advance(60_000);
    await terminal.waitFor('Signed in.', { timeout: 90_000 });
    await terminal.waitFor('Consent: approved');
    await terminal.waitFor('signed in (OAuth, refresh token');

    const saved = await readConfig();
    expect(saved.accessToken).toMatch(/^ey/);
    expect(saved.refreshToken).not.toBe('');
    expect(saved.tokenExpiresAt).toBeGreaterThan(Date.now());
    const consent = gateway.recorder.requests.filter((r) => r.path === '/v1/consent/status').at(-1);
    expect(consent?.headers.authorization).toBe(`Bearer ${saved.accessToken}`);
    expect(await terminal.screen()).not.toContain(String(saved.refreshToken));
    await terminal.choose(MENU, 'Exit');
    expect(await terminal.exitStatus()).toBe(0);

    // Next run: the refresh token brings the session back.
    terminal = await launch();
    await terminal.waitFor('Signed in with the saved session. Consent: approved.');
    const restored = await readConfig();
    expect(restored.refreshToken).not.toBe(saved.refreshToken); // rotated and saved
    await terminal.choose(MENU, 'Sign out');
    await terminal.waitFor('Signed out: tokens and PAT removed');
    await terminal.waitFor('not signed in');
    const cleared = await readConfig();
    expect(cleared).toMatchObject({ accessToken: '', refreshToken: '', tokenExpiresAt: 0, pat: '' });
    expect(idp.isRefreshTokenActive(String(restored.refreshToken))).toBe(false);
    await terminal.choose(MENU, 'Exit');
    expect(await terminal.exitStatus()).toBe(0);
  });
});

describe('saved sessions and overrides', () => {
  it('restores a saved PAT, and drops one the gateway refuses', async () => {
    await saveConfig({ pat: PAT });
    let terminal = await launch();
    await terminal.waitFor('Signed in with the saved Personal Access Token. Consent: approved.');
    await terminal.waitForPrompt(MENU);
    await terminal.press('C-c');
    expect(await terminal.exitStatus()).toBe(130);

    await saveConfig({ pat: 'airpat_revoked_000000000' });
    terminal = await launch();
    await terminal.waitFor('The saved PAT was refused by the gateway and has been removed.');
    expect((await readConfig()).pat).toBe('');
  });

  it('takes the gateway from --gateway and credentials from AIRLOCK_* without saving them', async () => {
    await saveConfig({
      gatewayUrl: 'http://127.0.0.1:9',
      clientId: 'file-app',
      clientSecret: 'file-secret-0000',
    });
    const terminal = await launch(['--gateway', gateway.url], {
      AIRLOCK_PAT: PAT,
      AIRLOCK_CLIENT_ID: CLIENT_ID,
      AIRLOCK_CLIENT_SECRET: CLIENT_SECRET,
      AIRLOCK_WORKSPACE_NAME: 'ci-workspace',
    });
    await terminal.waitFor('Signed in with the saved Personal Access Token.');
    await terminal.waitFor('workspace ci-workspace');
    await terminal.choose(MENU, 'Exit');
    expect(await terminal.exitStatus()).toBe(0);
    const saved = await readConfig();
    expect(saved).toMatchObject({ gatewayUrl: 'http://127.0.0.1:9', clientId: 'file-app' });
    expect(saved.pat ?? '').toBe('');
    expect(saved.workspaceName).toBeUndefined();
  });

  it('says when the sign-in is refused in the browser, and stays signed out', async () => {
    await saveConfig({});
    const terminal = await launch();
    await terminal.choose(MENU, 'Sign in (device code)');
    const screen = await terminal.waitFor(/enter the code [A-Z]{4}-[A-Z]{4}/);
    idp.denyDevice(/enter the code ([A-Z]{4}-[A-Z]{4})/.exec(screen)![1]!);
    idp.clock.advance(60_000);
    await terminal.waitFor('Sign-in was refused in the browser.', { timeout: 90_000 });
    await terminal.waitForPrompt(MENU);
    expect(await terminal.screen()).toMatch(/Auth {7}not signed in[\s\S]*◆ {2}What next\?/);
    expect((await readConfig()).accessToken ?? '').toBe('');
    await terminal.choose(MENU, 'Exit');
    expect(await terminal.exitStatus()).toBe(0);
  });

  it('hides sign-in when the gateway cannot be reached, and still offers a PAT', async () => {
    await saveConfig({ gatewayUrl: 'http://127.0.0.1:9' });
    const terminal = await launch();
    await terminal.waitFor('Sign-in unavailable (gateway discovery failed');
    await terminal.waitForPrompt(MENU);
    const menu = (await terminal.screen()).split('◆  What next?').at(-1)!;
    expect(menu).toContain('Set Personal Access Token');
    expect(menu).not.toContain('Sign in (device code)');
    await terminal.choose(MENU, 'Exit');
    expect(await terminal.exitStatus()).toBe(0);
  });

  it('answers --help and refuses bad flags before asking for a terminal', async () => {
    const run = async (...args: string[]) => {
      const child = spawn(process.execPath, [bin, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
      let output = '';
      child.stdout.on('data', (chunk) => {
        output += chunk;
      });
      child.stderr.on('data', (chunk) => {
        output += chunk;
      });
      const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
      return { code, output };
    };
    expect(await run('--help')).toMatchObject({
      code: 0,
      output: expect.stringContaining('Usage: airlock-enforcer'),
    });
    expect(await run('--decision-timeout', '0')).toMatchObject({
      code: 2,
      output: expect.stringContaining('The decision timeout must be a number of seconds'),
    });
    expect(await run('--bogus')).toMatchObject({
      code: 2,
      output: expect.stringContaining("Unknown option '--bogus'"),
    });
  });

  it('tells a non-terminal stdin to use a terminal instead of waiting for input', async () => {
    await saveConfig({});
    const child = spawn(process.execPath, [bin, '--config', configPath], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(2);
    expect(stderr).toContain('airlock-enforcer is interactive and needs a terminal');
  });
});

describe('pairing and artifacts', () => {
  it('pairs, sends heartbeats, submits → approve, submits → reject, then unpairs', async () => {
    await saveConfig({ pat: PAT, enforcerId: 'enf-pair' });
    const terminal = await launch([], { AIRLOCK_SIGNER_PUBLIC_KEY: gateway.signerPublicKey });
    await terminal.waitForPrompt(MENU);
    const beats = gateway.heartbeats.length;
    await pair(terminal);
    const saved = await readConfig();
    expect(saved.deviceId).toBe('dev-test-box');
    expect(saved.routingToken).not.toBe('');
    expect(saved.encryptionKey).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const pairing = [...gateway.pairings.values()].find((p) => p.routingToken === saved.routingToken)!;
    expect(pairing).toMatchObject({
      deviceId: 'dev-test-box',
      enforcerId: 'enf-pair',
      workspaceName: 'default',
    });
    expect(pairing.encryptionKey).toBe(saved.encryptionKey); // both ends derived the same key
    await terminal.waitFor('heartbeat on');
    await expect.poll(() => gateway.heartbeats.length, { timeout: 30_000 }).toBeGreaterThan(beats);
    expect(gateway.heartbeats.at(-1)).toMatchObject({ enforcerId: 'enf-pair', workspaceName: 'default' });

    // Submit → approve: the approver decrypts the payload; the signed decision is verified and acknowledged.
    const approvedId = await submit(terminal, 'terraform apply');
    const exchange = gateway.exchanges.get(approvedId)!;
    expect(exchange.hashMatches).toBe(true);
    expect(JSON.parse(exchange.plaintext!)).toMatchObject({
      command: 'terraform apply',
      requestLabel: 'Deploy',
    });
    expect(exchange.metadata).toEqual({
      routingToken: saved.routingToken,
      workspaceName: 'default',
      requestLabel: 'Deploy',
    });
    await gateway.decide(approvedId, { decision: 'approve', reason: 'Looks fine' });
    await terminal.waitFor(`APPROVED: ${approvedId}`);
    await terminal.waitFor('Reason: Looks fine');
    await terminal.waitFor('Signer: fake-signer-1 · signature verified');
    await expect.poll(() => gateway.exchanges.get(approvedId)!.acks.length).toBe(1);

    // Submit → reject.
    const rejectedId = await submit(terminal, 'rm -rf /');
    await gateway.decide(rejectedId, { decision: 'reject', reason: 'Too dangerous' });
    await terminal.waitFor(`REJECTED (reject): ${rejectedId}`);
    await terminal.waitFor('Reason: Too dangerous');

    // Withdrawing a decided request is refused by the gateway and said so.
    await terminal.choose(MENU, 'Withdraw last request');
    await terminal.waitFor(`Could not withdraw ${rejectedId}`);

    await terminal.choose(MENU, 'Unpair');
    await terminal.choose('Unpair this device?', 'Yes');
    await terminal.waitFor('Unpaired: routing token and key removed, heartbeat stopped.');
    expect(gateway.pairings.get(pairing.pairingNonce)!.state).toBe('Revoked');
    expect(await readConfig()).toMatchObject({ routingToken: '', encryptionKey: '', deviceId: '' });
    await terminal.waitForPrompt(MENU);
    expect(await terminal.screen()).toMatch(/What next\?\n│\s+● Pair device/);
    await terminal.choose(MENU, 'Exit');
    expect(await terminal.exitStatus()).toBe(0);
  });

  it('claims a code generated in the Airlock app', async () => {
    await saveConfig({ pat: PAT });
    const terminal = await launch();
    await terminal.choose(MENU, 'Pair device');
    await terminal.choose('How do you want to pair?', 'Enter a code generated');
    await terminal.answer('Device ID', '');
    await terminal.answer('Pairing code from the Airlock app', gateway.preGeneratePairingCode());
    await terminal.waitFor('Paired. Routing token');
    expect((await readConfig()).deviceId).toMatch(/^dev-/);
    await terminal.choose(MENU, 'Exit');
    expect(await terminal.exitStatus()).toBe(0);
  });

  it('withdraws a request nobody decided when the countdown runs out', async () => {
    await saveConfig({ pat: PAT });
    const terminal = await launch(['--decision-timeout', '3']);
    await pair(terminal);
    const requestId = await submit(terminal, 'make release');
    await terminal.waitFor('No decision within 3 s: the request was withdrawn.', { timeout: 90_000 });
    expect(gateway.exchanges.get(requestId)!.state).toBe('Withdrawn');
    await terminal.choose(MENU, 'Exit');
    expect(await terminal.exitStatus()).toBe(0);
  });

  it('leaves on Ctrl-C while waiting, withdrawing the pending request when asked', async () => {
    await saveConfig({ pat: PAT });
    const terminal = await launch();
    await pair(terminal);
    const requestId = await submit(terminal, 'npm publish');
    await terminal.press('C-c');
    await terminal.waitForPrompt(`Withdraw the pending request ${requestId} before leaving?`);
    await terminal.press('Enter');
    await terminal.waitFor(`Withdrew ${requestId}.`);
    await terminal.waitFor('Interrupted: heartbeat stopped. Bye.');
    expect(await terminal.exitStatus()).toBe(130);
    expect(gateway.exchanges.get(requestId)!.state).toBe('Withdrawn');
  });
});

describe('consent and reconfiguration', () => {
  it('says when consent was requested on the phone, and reconfigures the enforcer', async () => {
    await saveConfig({});
    gateway.setConsent('pending');
    try {
      const terminal = await launch();
      await signInWithPat(terminal);
      await terminal.waitFor('Consent request sent to your mobile device');
      await terminal.waitFor('Auth       PAT airp…6789');

      await terminal.choose(MENU, 'Reconfigure');
      await terminal.answer('Gateway URL', '');
      await terminal.answer('Client ID', '');
      await terminal.answer('Client secret (Enter keeps app-…5678)', '');
      await terminal.answer('Enforcer ID', 'enf-renamed');
      await terminal.answer('Workspace name', 'ws-renamed');
      await terminal.waitFor('Enforcer   enf-renamed · workspace ws-renamed');
      expect(await readConfig()).toMatchObject({
        gatewayUrl: gateway.url,
        clientId: CLIENT_ID,
        clientSecret: CLIENT_SECRET,
        enforcerId: 'enf-renamed',
        workspaceName: 'ws-renamed',
        pat: PAT,
      });
      await terminal.choose(MENU, 'Exit');
      expect(await terminal.exitStatus()).toBe(0);
    } finally {
      gateway.setConsent('approved');
    }
  });
});
