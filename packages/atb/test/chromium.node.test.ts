// AgentAuthClient in real headless Chromium against the fake AgentAuth on another loopback origin: preflights
// are answered before the approver-JWT check (and never reach `requests`), the fake's plain-text 401 is
// readable by the page, the mandate verifies in the page, configured origins are honoured, and a fake with
// CORS off (or for another origin) is unusable from the page.
import { type BrowserPage, openBrowserPage } from '@x/tooling/browser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeAtb, startFakeAtb } from '../src/testing/index.ts';
import type * as Page from './chromium/agentauth.page.ts';

type Result<K extends keyof typeof Page> = Awaited<ReturnType<(typeof Page)[K]>>;

let page: BrowserPage;
let atb: FakeAtb;

beforeAll(async () => {
  page = await openBrowserPage(new URL('./chromium/agentauth.page.ts', import.meta.url));
  atb = await startFakeAtb({ agentAuth: { requireJwtAuth: true } });
}, 60_000);

afterAll(async () => {
  await page?.close();
  await atb?.close();
});

describe('AgentAuth client in Chromium', () => {
  it('creates, approves by JWT and collects a mandate across origins; preflights are not requests', async () => {
    expect(await page.call('setup', atb.agentauthUrl)).toContain('HeadlessChrome/');
    const created = await page.call<Result<'challenge'>>('challenge', atb.agentSpiffeId);
    expect(created.ok).toBe(true);
    const challengeId = (created as { challengeId: string }).challengeId;
    const approved = await page.call<Result<'approve'>>(
      'approve',
      challengeId,
      await atb.signApproverToken('alice@example.com'),
    );
    expect(approved).toEqual({
      // The 401 (plain text) crossed origins: a typed refusal, not a network error.
      withoutToken: expect.objectContaining({ code: 'approver_authentication_failed' }),
      fullyApproved: true,
      approvers: ['alice@example.com'],
    });
    expect(await page.call<Result<'mandate'>>('mandate', challengeId, atb.agentSpiffeId)).toEqual({
      issued: true,
      action: 'crm.contact.update',
      sub: atb.agentSpiffeId,
      con: { contact_id: 'c-1' },
    });
    expect(atb.agentAuth.requests.some((r) => r.startsWith('OPTIONS'))).toBe(false);
    expect(atb.agentAuth.requests.map((r) => r.replace(/chal_[\w-]+/, 'chal_…'))).toEqual([
      'POST /v1/challenge',
      'POST /v1/approve',
      'POST /v1/approve',
      'GET /v1/challenge/chal_…',
      'POST /v1/mandate',
      'GET /.well-known/jwks.json',
    ]);
  });
});

describe('configured origins', () => {
  it('a fake that lists the page origin serves it; one for another origin, or with CORS off, does not', async () => {
    const listed = await startFakeAtb({ agentAuth: { cors: [page.origin] } });
    const elsewhere = await startFakeAtb({ agentAuth: { cors: { origins: () => false } } });
    const off = await startFakeAtb({ agentAuth: { cors: false } });
    try {
      await page.call('setup', listed.agentauthUrl);
      expect(await page.call<Result<'challenge'>>('challenge', listed.agentSpiffeId)).toMatchObject({
        ok: true,
      });
      for (const closed of [elsewhere, off]) {
        await page.call('setup', closed.agentauthUrl);
        const refused = await page.call<Result<'challenge'>>('challenge', closed.agentSpiffeId);
        expect(refused).toMatchObject({ ok: false, error: { name: 'NetworkError' } });
        // Only the preflight reached the fake (a 405 without CORS headers): the POST was never sent.
        expect(closed.agentAuth.requests).toEqual(['OPTIONS /v1/challenge']);
        expect(closed.agentAuth.challenges.size).toBe(0);
      }
      // And the page logged no errors other than those refusals.
      const others = page.errors.filter(
        (message) => !/CORS|Failed to fetch|ERR_FAILED|status of 401/i.test(message),
      );
      expect(others).toEqual([]);
    } finally {
      await Promise.all([listed.close(), elsewhere.close(), off.close()]);
    }
  });
});
