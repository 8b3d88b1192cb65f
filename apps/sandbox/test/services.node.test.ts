// The other services in the console, driven as a person would: an SDK call waits for two approvers, two
// clicks in the console approve it and the SDK goes on through the mTLS broker; inkPass and artifact gateway
// calls show up in their panels.
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { createClient } from '@x/artifact-gateway/client';
import { AtbClient } from '@x/atb/node';
import { AukiClient } from '@x/auki';
import { InkPassClient } from '@x/inkpass';
import { type ChromiumTab, openChromium } from '@x/tooling/browser';
import type { Locator } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ATB_APPROVERS, AUKI_DEMO, type Sandbox, startSandbox } from '../src/index.ts';

const screenshots = new URL('../.screenshots/', import.meta.url).pathname;
const WAIT = { timeout: 30_000 };
let sandbox: Sandbox;
let tab: ChromiumTab;

const row = (panel: string, list: string, key: string): Locator =>
  tab.page.locator(`[id="row-${panel}/${list}/${key}"]`);
const list = (panel: string, id: string): Locator => tab.page.locator(`[id="${panel}-${id}"]`);

async function screenshot(name: string, section: string): Promise<void> {
  mkdirSync(screenshots, { recursive: true });
  const path = `${screenshots}${name}.png`;
  await tab.page.locator(`section#${section}`).screenshot({ path });
  expect(statSync(path).size).toBeGreaterThan(5_000);
}

beforeAll(async () => {
  sandbox = await startSandbox({ basePort: 0, refreshMs: 100 });
  tab = await openChromium();
  await tab.page.goto(sandbox.console.url);
  await tab.page.getByRole('status').filter({ hasText: 'live' }).waitFor(WAIT);
});

afterAll(async () => {
  await tab?.close();
  await sandbox?.close();
});

/** An ATB client on the PKI files the sandbox printed, as a user outside this process would build it. */
function atbClient(): AtbClient {
  const { fake, files } = sandbox.atb;
  return new AtbClient({
    brokerUrl: fake.brokerUrl,
    agentauthUrl: fake.agentauthUrl,
    certFile: files.certFile,
    keyFile: files.keyFile,
    caFile: files.caFile,
    logLevel: 'silent',
  });
}

describe('ATB in the console (Chromium)', () => {
  it('a high-risk authorize waits; approver 1 and approver 2 click approve; the SDK executes through the broker', async () => {
    const client = atbClient();
    try {
      const action = { verb: 'execute', resource: 'sap/payment', parameters: { amount: 2500 } };
      const pending = await client.authorize(action, { reason: 'Pay invoice 42' });
      expect(pending.allowed).toBe(false);
      expect(pending.approvalRequest?.approversNeeded).toBe(2);
      const challengeId = pending.approvalRequest!.challengeId;

      const challenge = row('atb', 'challenges', challengeId);
      await challenge.getByText('0 of 2 (dual control)').waitFor(WAIT);
      await screenshot('console-atb-challenge', 'atb');

      const [first, second] = ATB_APPROVERS;
      await challenge.getByRole('button', { name: `Approve as ${first}` }).click();
      await challenge.getByText('1 of 2 (dual control)').waitFor(WAIT);
      // The first approver's button is gone; only the second approver can still approve.
      expect(await challenge.getByRole('button', { name: `Approve as ${first}` }).count()).toBe(0);
      await challenge.getByRole('button', { name: `Approve as ${second}` }).click();

      const status = await client.waitForApproval(challengeId, {
        intervalMs: 100,
        signal: AbortSignal.timeout(30_000),
      });
      expect(status.fullyApproved).toBe(true);
      expect(status.approvers.map((a) => a.id)).toEqual([first, second]);
      await challenge.waitFor({ state: 'detached', ...WAIT });

      const approved = await client.authorize(action, { reason: 'Pay invoice 42', challengeId });
      expect(approved.allowed).toBe(true);
      const paid = await client.execute('POST', '/sap/payments', {
        poa: approved.token!,
        body: { amount: 2500 },
      });
      expect(paid.status).toBe(200);

      const jti = String(approved.token!.claims.jti);
      await row('atb', 'mandates', jti).getByText(`${first}, ${second}`).waitFor(WAIT);
      await list('atb', 'broker').getByText('POST /sap/payments').waitFor(WAIT);
      expect(await list('atb', 'broker').textContent()).toContain('allow');
      await screenshot('console-atb-approved', 'atb');
    } finally {
      await client.close();
    }
  });

  it('dual control from the keyboard: Enter approves as the first approver, focus moves to the second', async () => {
    const client = atbClient();
    try {
      const pending = await client.authorize(
        { verb: 'bank_change', resource: 'sap/vendor', parameters: { vendor: 'V-1' } },
        { reason: 'New bank account' },
      );
      const challengeId = pending.approvalRequest!.challengeId;
      const challenge = row('atb', 'challenges', challengeId);
      const [first, second] = ATB_APPROVERS;
      await challenge.getByRole('button', { name: `Approve as ${first}` }).focus();
      await tab.page.keyboard.press('Enter');
      await challenge.getByText('1 of 2').waitFor(WAIT);
      await expect
        .poll(() => tab.page.evaluate(() => document.activeElement?.getAttribute('aria-label')), WAIT)
        .toBe(`Approve as ${second} ${challengeId}`);
      await tab.page.keyboard.press('Enter');
      const status = await client.waitForApproval(challengeId, {
        intervalMs: 100,
        signal: AbortSignal.timeout(30_000),
      });
      expect(status.approvers.map((a) => a.id)).toEqual([first, second]);
    } finally {
      await client.close();
    }
  });

  it("answers a refused approval (the same approver twice) with AgentAuth's reason", async () => {
    const client = atbClient();
    try {
      const pending = await client.authorize(
        { verb: 'execute', resource: 'sap/payment', parameters: { amount: 10 } },
        { reason: 'twice' },
      );
      const approve = () =>
        fetch(`${sandbox.console.url}/api/panels/atb/actions/approve-1`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-sandbox-console': '1' },
          body: JSON.stringify({ key: pending.approvalRequest!.challengeId }),
        });
      expect((await approve()).status).toBe(200);
      const again = await approve();
      expect(again.status).toBe(400);
      expect((await again.json()).error).toMatch(/AgentAuth refused the approval: .*already approved/);
    } finally {
      await client.close();
    }
  });
});

describe('inkPass in the console (Chromium)', () => {
  it('shows the seeded user, the permission decisions with their context, and API keys issued', async () => {
    const { inkpass } = sandbox;
    const client = new InkPassClient({ baseUrl: inkpass.url });
    const tokens = await client.login({ email: inkpass.demo.email, password: inkpass.demo.password });
    expect(await client.checkPermission(tokens.accessToken, 'workflows', 'create')).toBe(true);

    const member = inkpass.fake.seed.user({
      email: 'bob@sandbox.example.com',
      password: 'BobPassword123!',
      organizationId: inkpass.demo.organization.id,
    });
    const edit = inkpass.fake.seed.permission({
      organizationId: inkpass.demo.organization.id,
      resource: 'projects',
      action: 'edit',
      conditions: { project_id: '123' },
    });
    inkpass.fake.seed.grant(member.id, edit.id);
    const bob = await client.login({ email: member.email, password: 'BobPassword123!' });
    expect(await client.checkPermission(bob.accessToken, 'projects', 'edit', { project_id: '999' })).toBe(
      false,
    );
    const key = await client.createApiKey(tokens.accessToken, { name: 'ci-bot', scopes: ['workflows:read'] });

    const decisions = list('inkpass', 'decisions');
    await decisions.getByText('projects:edit').waitFor(WAIT);
    const text = await decisions.textContent();
    expect(text).toContain('workflows:create');
    expect(text).toContain('allow');
    expect(text).toContain('deny');
    expect(text).toContain('{"project_id":"999"}');
    expect(text).toContain('bob@sandbox.example.com');

    const keyRow = row('inkpass', 'api-keys', key.id);
    await keyRow.waitFor(WAIT);
    expect(await keyRow.textContent()).toContain('ci-bot');
    expect(await keyRow.textContent()).toContain(inkpass.demo.email);
    // The secret is shown to its owner once, never in the console.
    expect(await tab.page.content()).not.toContain(key.apiKey);
    await row('inkpass', 'users', inkpass.demo.user.id).waitFor(WAIT);
    await screenshot('console-inkpass', 'inkpass');
  });

  it("shows a pending user's verification code on request, and the code verifies the email", async () => {
    const client = new InkPassClient({ baseUrl: sandbox.inkpass.url });
    const email = 'carol@sandbox.example.com';
    const account = await client.register({
      email,
      password: 'CarolPassword123!',
      firstName: 'Carol',
      lastName: 'Jones',
    });
    const userRow = row('inkpass', 'users', account.userId);
    await userRow.getByText('pending').waitFor(WAIT);
    await userRow.getByRole('button', { name: 'Show verification code' }).click();
    const code = sandbox.inkpass.fake.verificationCode(email)!;
    await tab.page
      .getByRole('status')
      .filter({ hasText: `Verification code for ${email}: ${code}` })
      .waitFor(WAIT);
    await client.verifyEmail(email, code);
    await userRow.getByText('active').waitFor(WAIT);
  });

  it('passes Den file uploads through unchanged', async () => {
    const { FileClient } = await import('@x/inkpass');
    const { inkpass } = sandbox;
    const files = new FileClient({ baseUrl: inkpass.url, serviceApiKey: inkpass.fake.serviceApiKey });
    const file = await files.upload({
      orgId: inkpass.demo.organization.id,
      workflowId: 'wf-1',
      agentId: 'writer',
      data: new Blob(['hello through the sandbox'], { type: 'text/plain' }),
      filename: 'hello.txt',
    });
    const { body } = await files.download(inkpass.demo.organization.id, file.id);
    expect(await new Response(body).text()).toBe('hello through the sandbox');
    await row('inkpass', 'files', file.id).waitFor(WAIT);
  });
});

describe('Auki in the console (Chromium)', () => {
  it('shows the tokens issued and the domain grants, granted and refused, never a token', async () => {
    const { auki } = sandbox;
    const client = new AukiClient({
      ...auki.config('console-test'),
      credentials: { type: 'email', email: auki.demo.email, password: auki.demo.password },
    });
    const access = await client.getDomainAccess('domain-1');
    expect(access.id).toBe('domain-1');
    await expect(client.getDomainAccess(AUKI_DEMO.paidDomain)).rejects.toMatchObject({ status: 402 });

    const grants = list('auki', 'grants');
    await grants.getByText('402 payment_required').waitFor(WAIT);
    const text = await grants.textContent();
    expect(text).toContain('domain-1');
    expect(text).toContain('granted');
    expect(text).toContain(auki.demo.email);
    const tokens = list('auki', 'tokens');
    await tokens.getByText('discovery').first().waitFor(WAIT);
    expect(await tokens.textContent()).toContain('network');
    expect(await tab.page.content()).not.toContain(access.accessToken);
    await screenshot('console-auki', 'auki');
  });
});

describe('artifact gateway in the console (Chromium)', () => {
  it('shows each request with user, route, status and duration, and never the token', async () => {
    const { artifacts } = sandbox;
    const token = await artifacts.issueToken('ada');
    const client = createClient({ token, proxyBase: artifacts.proxyBase });
    await client.db.userExec('analytics', 'CREATE TABLE events (ts TEXT, val INT)');
    await client.db.userExec('analytics', 'INSERT INTO events VALUES (?, ?)', ['2026-01-01', 42]);
    const result = await client.db.userQuery('analytics', 'SELECT val FROM events');
    expect(JSON.stringify(result)).toContain('42');
    const bad = await fetch(`${artifacts.proxyBase}db/user/analytics/query`, {
      method: 'POST',
      headers: { authorization: 'Bearer not-a-token', 'content-type': 'application/json' },
      body: '{"sql":"SELECT 1"}',
    });
    expect(bad.status).toBe(401);

    const requests = list('artifacts', 'requests');
    await requests.getByText('(no valid token)').waitFor(WAIT);
    const text = await requests.textContent();
    expect(text).toContain('ada');
    expect(text).toContain('POST /api/app/db/:scope/:name/:op');
    expect(text).toContain('200');
    expect(text).toContain('401');
    expect(await tab.page.content()).not.toContain(token);
    await screenshot('console-artifacts', 'artifacts');
  });
});

describe('the whole console', () => {
  it('lists every service with what a client needs, and a full-page screenshot has no page errors', async () => {
    const names = sandbox.services.map((s) => s.name);
    expect(names).toEqual([
      'Approver console',
      'Airlock gateway',
      'Airlock identity provider',
      'inkPass',
      'Auki auth API',
      'Auki discovery',
      'ATB AgentAuth',
      'ATB broker (mTLS)',
      'Artifact gateway',
    ]);
    const broker = sandbox.services.find((s) => s.name === 'ATB broker (mTLS)')!;
    expect(broker.notes).toContain(sandbox.atb.files.caFile);
    expect(statSync(sandbox.atb.files.keyFile).mode & 0o777).toBe(0o600);
    await tab.page.screenshot({ path: `${screenshots}console-all.png`, fullPage: true });
    expect(tab.errors).toEqual([]);
  });
});

describe('fixed ports', () => {
  it('puts every service on its port after the base, and removes its temp dirs on close', async () => {
    // A base away from the OS's ephemeral range, varied by process so parallel runs rarely meet.
    const base = 20_000 + (process.pid % 900) * 10;
    const fixed = await startSandbox({ basePort: base });
    const { pki, workspace } = { pki: fixed.atb.files.dir, workspace: fixed.artifacts.workspace };
    try {
      const portOf = (name: string) => Number(new URL(fixed.services.find((s) => s.name === name)!.url).port);
      expect(portOf('Approver console') - base).toBe(0);
      expect(portOf('Airlock gateway') - base).toBe(1);
      expect(portOf('Airlock identity provider') - base).toBe(2);
      expect(portOf('inkPass') - base).toBe(3);
      expect(portOf('Auki auth API') - base).toBe(4);
      expect(portOf('Auki discovery') - base).toBe(5);
      expect(portOf('ATB AgentAuth') - base).toBe(6);
      expect(portOf('ATB broker (mTLS)') - base).toBe(7);
      expect(portOf('Artifact gateway') - base).toBe(8);
      expect(statSync(pki).isDirectory()).toBe(true);
    } finally {
      await fixed.close();
    }
    expect(existsSync(pki)).toBe(false);
    expect(existsSync(workspace)).toBe(false);
  });
});
