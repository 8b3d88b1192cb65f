// The approver console driven like a person in headless Chromium: what an SDK submits appears live, a click
// (or the keyboard) decides, and the SDK's wait resolves with the signed decision.
import { mkdirSync, statSync } from 'node:fs';
import { AirlockGatewayClient, isApproved, startPairing, verifyDecision } from '@x/airlock';
import { AirlockAuthClient } from '@x/airlock/auth';
import { type ChromiumTab, openChromium } from '@x/tooling/browser';
import type { Locator } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Sandbox, startSandbox } from '../src/index.ts';

const screenshots = new URL('../.screenshots/', import.meta.url).pathname;
let sandbox: Sandbox;
let tab: ChromiumTab;
let client: AirlockGatewayClient;
let pairingKeys: { routingToken: string; encryptionKey: string };

const row = (list: string, key: string): Locator => tab.page.locator(`[id="row-airlock/${list}/${key}"]`);

beforeAll(async () => {
  sandbox = await startSandbox({ basePort: 0, refreshMs: 100 });
  tab = await openChromium();
  const { gateway, pat } = sandbox.airlock;
  client = new AirlockGatewayClient({ baseUrl: gateway.url, pat, signerPublicKey: gateway.signerPublicKey });
  await tab.page.goto(sandbox.console.url);
  await tab.page.getByRole('status').filter({ hasText: 'live' }).waitFor({ timeout: 20_000 });
});

afterAll(async () => {
  await tab?.close();
  await sandbox?.close();
});

describe('approver console (Chromium)', () => {
  it('shows a pairing request with its code; accepting it there completes the SDK pairing', async () => {
    const pairing = await startPairing(client, {
      enforcerId: 'enf-console',
      deviceId: 'dev-console',
      workspaceName: 'console test',
    });
    const pairingRow = row('pairings', pairing.pairingNonce);
    await pairingRow.waitFor({ timeout: 20_000 });
    expect(await pairingRow.textContent()).toContain(pairing.pairingCode);
    await pairingRow.getByRole('button', { name: /^Accept pairing/ }).click();
    const completed = await pairing.waitForCompletion({
      intervalMs: 100,
      signal: AbortSignal.timeout(30_000),
    });
    pairingKeys = { routingToken: completed.routingToken, encryptionKey: completed.encryptionKey };
    await row('pairings', pairing.pairingNonce).getByText('Completed').waitFor({ timeout: 20_000 });
  });

  it('shows a submitted artifact decrypted; a click approves it and the SDK gets the signed decision', async () => {
    const payload = { command: 'terraform apply', workspace: 'prod' };
    const { requestId, artifactHash } = await client.encryptAndSubmitArtifact({
      enforcerId: 'enf-console',
      plaintextPayload: JSON.stringify(payload),
      encryptionKey: pairingKeys.encryptionKey,
      metadata: { routingToken: pairingKeys.routingToken, requestLabel: 'Apply prod' },
    });
    const waiting = client.waitUntilDecided(requestId, { timeoutSeconds: 20, totalTimeout: 60_000 });

    const pending = row('pending', requestId);
    await pending.waitFor({ timeout: 20_000 });
    expect(await pending.textContent()).toContain('Apply prod');
    expect(await pending.textContent()).toContain('matches');
    await tab.page.getByText('"command": "terraform apply"').waitFor({ timeout: 20_000 });

    mkdirSync(screenshots, { recursive: true });
    await tab.page.screenshot({ path: `${screenshots}console-pending.png`, fullPage: true });
    expect(statSync(`${screenshots}console-pending.png`).size).toBeGreaterThan(10_000);

    await pending.getByLabel('Reason').fill('Reviewed the plan');
    await pending.getByRole('button', { name: `Approve ${requestId}` }).click();
    const decision = await waiting;
    expect(isApproved(decision)).toBe(true);
    expect(decision.body?.reason).toBe('Reviewed the plan');
    const verified = await verifyDecision(decision, artifactHash, sandbox.airlock.gateway.signerPublicKey);
    expect(verified.signed).toBe(true);

    await row('decided', requestId).waitFor({ timeout: 20_000 });
    await tab.page
      .getByRole('status')
      .filter({ hasText: `Approved ${requestId}` })
      .waitFor();
    await tab.page.screenshot({ path: `${screenshots}console-decided.png`, fullPage: true });
  });

  it('works from the keyboard: type a reason, Tab to Reject, press Enter', async () => {
    const { requestId } = await client.encryptAndSubmitArtifact({
      enforcerId: 'enf-console',
      plaintextPayload: '{"command":"rm -rf /var/lib/app"}',
      encryptionKey: pairingKeys.encryptionKey,
      metadata: { routingToken: pairingKeys.routingToken },
    });
    const waiting = client.waitUntilDecided(requestId, { timeoutSeconds: 20, totalTimeout: 60_000 });
    const pending = row('pending', requestId);
    await pending.waitFor({ timeout: 20_000 });
    await pending.getByLabel('Reason').focus();
    await tab.page.keyboard.type('Too destructive');
    await tab.page.keyboard.press('Tab'); // Approve
    await tab.page.keyboard.press('Tab'); // Reject
    expect(await tab.page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe(
      `Reject ${requestId}`,
    );
    await tab.page.keyboard.press('Enter');
    const decision = await waiting;
    expect(decision.body?.decision).toBe('reject');
    expect(decision.body?.reason).toBe('Too destructive');
  });

  it('signs a CLI in with the device flow: the code shows in the console, "Sign in" completes the login', async () => {
    // Real time on both sides, as a person runs it: the client waits the provider's 5 s before each poll, and
    // the sandbox's identity provider judges that wait (and dates its tokens) on the wall clock.
    const auth = new AirlockAuthClient({ baseUrl: sandbox.airlock.idp.realmUrl });
    let shown = '';
    const signedIn = auth.login(async (info) => {
      shown = info.userCode;
      const device = row('devices', info.userCode);
      await device.waitFor({ timeout: 20_000 });
      await device.getByRole('button', { name: /^Sign in/ }).click();
    });
    const tokens = await signedIn;
    expect(shown).not.toBe('');
    const claims = await sandbox.airlock.idp.verifyAccessToken(tokens.accessToken);
    expect(claims?.sub).toBe('sandbox-user');
    // Dated now, not at a clock that stands still.
    expect(Math.abs((claims?.iat ?? 0) * 1000 - Date.now())).toBeLessThan(60_000);
    await tab.page
      .getByRole('status')
      .filter({ hasText: `Signed in device code ${shown}` })
      .waitFor({ timeout: 20_000 });

    // The token works at the sandbox's gateway.
    const signedInClient = new AirlockGatewayClient({
      baseUrl: sandbox.airlock.gateway.url,
      tokenProvider: auth,
    });
    expect(await signedInClient.echo()).toBeDefined();
  }, 60_000);

  it('logs no errors in the page', () => {
    expect(tab.errors).toEqual([]);
  });
});

describe('approver console (HTTP)', () => {
  it('refuses actions that do not come from the console page', async () => {
    const url = `${sandbox.console.url}/api/panels/airlock/actions/approve`;
    const body = JSON.stringify({ key: 'req-x', inputs: {} });
    const plain = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(plain.status).toBe(403);
    const crossSite = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-sandbox-console': '1',
        origin: 'https://evil.example',
      },
      body,
    });
    expect(crossSite.status).toBe(403);
  });

  it('answers 400 with a message for an unknown row or action, 404 for an unknown panel', async () => {
    const post = (path: string, body: string) =>
      fetch(`${sandbox.console.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-sandbox-console': '1' },
        body,
      });
    const unknownRow = await post('/api/panels/airlock/actions/approve', '{"key":"req-missing"}');
    expect(unknownRow.status).toBe(400);
    expect((await unknownRow.json()).error).toMatch(/req-missing is not waiting/);
    expect((await post('/api/panels/airlock/actions/launch', '{"key":"x"}')).status).toBe(400);
    expect((await post('/api/panels/nope/actions/approve', '{"key":"x"}')).status).toBe(404);
    expect((await post('/api/panels/airlock/actions/approve', 'not json')).status).toBe(400);
  });
});
