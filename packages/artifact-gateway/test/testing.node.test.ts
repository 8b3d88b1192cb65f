import { afterAll, beforeAll, expect, it } from 'vitest';
import { createClient } from '../src/client/index.ts';
import { startTestGateway, type TestGateway } from '../src/testing/index.ts';

let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway();
});
afterAll(() => gw.close());

it('startTestGateway serves the SDK base with tokens it issues, per user', async () => {
  expect(gw.proxyBase).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/app\/$/);
  const alice = createClient({ token: await gw.issueToken('alice'), proxyBase: gw.proxyBase });
  const bob = createClient({ token: await gw.issueToken('bob'), proxyBase: gw.proxyBase });
  await alice.files.write('a.txt', 'alice only');
  expect(await alice.files.list()).toEqual({ entries: [{ name: 'a.txt', is_dir: false, bytes: 10 }] });
  expect(await bob.files.list()).toEqual({ entries: [] });
});
