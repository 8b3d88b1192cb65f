import { describe, expect, it } from 'vitest';
import {
  AbortError,
  type AuthStrategy,
  apiKey,
  bearer,
  bearerFrom,
  clientCredentials,
  combineAuth,
  noAuth,
  refreshingBearer,
} from '../src/index.ts';
import { failure } from './failure.ts';

async function headersOf(strategy: AuthStrategy, signal = new AbortController().signal) {
  const headers = new Headers();
  await strategy.apply({ headers, method: 'GET', url: 'http://x/', signal });
  return Object.fromEntries(headers);
}

describe('auth strategies', () => {
  it('set their headers', async () => {
    expect(await headersOf(noAuth())).toEqual({});
    expect(await headersOf(bearer('t1'))).toEqual({ authorization: 'Bearer t1' });
    expect(await headersOf(bearerFrom(async () => 't2'))).toEqual({ authorization: 'Bearer t2' });
    expect(await headersOf(bearerFrom(() => undefined))).toEqual({});
    expect(await headersOf(apiKey('k'))).toEqual({ 'x-api-key': 'k' });
    expect(await headersOf(apiKey('airpat_1', { header: 'X-PAT' }))).toEqual({ 'x-pat': 'airpat_1' });
    expect(await headersOf(clientCredentials('id', 'secret'))).toEqual({
      'x-client-id': 'id',
      'x-client-secret': 'secret',
    });
    expect(
      await headersOf(clientCredentials('id', 's', { idHeader: 'X-App-Id', secretHeader: 'X-App-Secret' })),
    ).toEqual({ 'x-app-id': 'id', 'x-app-secret': 's' });
  });

  it('compose: PAT + bearer + client id at once', async () => {
    const strategy = combineAuth(
      apiKey('airpat_1', { header: 'X-PAT' }),
      bearer('tok'),
      clientCredentials('app', 'sec'),
    );
    expect(await headersOf(strategy)).toEqual({
      'x-pat': 'airpat_1',
      authorization: 'Bearer tok',
      'x-client-id': 'app',
      'x-client-secret': 'sec',
    });
  });
});

describe('refreshingBearer', () => {
  it('fetches a token before the first request when it has none, once for concurrent callers', async () => {
    let refreshes = 0;
    const strategy = refreshingBearer({ refresh: async () => `t${++refreshes}` });
    const all = await Promise.all(Array.from({ length: 5 }, () => headersOf(strategy)));
    expect(refreshes).toBe(1);
    expect(all.every((h) => h.authorization === 'Bearer t1')).toBe(true);
  });

  it('refreshes once for many 401s sent with the same token, and not for ones sent with an old token', async () => {
    let refreshes = 0;
    const seen: string[] = [];
    const strategy = refreshingBearer({
      token: 'old',
      refresh: async () => `new${++refreshes}`,
      onToken: (t) => seen.push(t),
    });
    const sent = new Headers({ authorization: 'Bearer old' });
    const signal = new AbortController().signal;
    const answers = await Promise.all(
      Array.from({ length: 10 }, () =>
        strategy.onUnauthorized!({ headers: sent, method: 'GET', url: 'x', signal }),
      ),
    );
    expect(answers).toEqual(Array(10).fill(true));
    expect(refreshes).toBe(1);
    // A late 401 for a request that still carried the old token replays without refreshing again.
    await strategy.onUnauthorized!({ headers: sent, method: 'GET', url: 'x', signal });
    expect(refreshes).toBe(1);
    expect(strategy.token).toBe('new1');
    expect(seen).toEqual(['new1']);
  });

  it("stops a caller's wait for a shared refresh when that caller aborts, without failing the others", async () => {
    let release!: (t: string) => void;
    const strategy = refreshingBearer({ refresh: () => new Promise((r) => (release = r)) });
    const ctl = new AbortController();
    const aborted = failure(headersOf(strategy, ctl.signal));
    const other = headersOf(strategy);
    ctl.abort();
    expect(AbortError.isInstance(await aborted)).toBe(true);
    release('fresh');
    expect(await other).toEqual({ authorization: 'Bearer fresh' });
  });
});
