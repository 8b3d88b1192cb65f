// No duplicated writes: with the first answer held past the client's timeout (the server acts anyway), a
// call that is not idempotent is not sent again; a retry-safe one (login, check) still is.
import { describe, expect, it } from 'vitest';
import { clientFor, PASSWORD, useFake } from './kit.ts';

const fake = useFake();
const sent = (path: string) => fake().recorder.requests.filter((r) => r.path === path).length;

describe('writes are not repeated after a timeout', () => {
  it('register: one request, the user exists once, the caller sees the timeout (not a conflict)', async () => {
    const { client } = clientFor(fake(), { timeout: 200 });
    const email = `held-${Date.now()}@example.com`;
    fake().faults.enqueue({ delayMs: 500, match: { method: 'POST', path: '/api/v1/auth/register' } });
    const error = await client
      .register({ email, password: PASSWORD, firstName: 'Ada', lastName: 'Lovelace' })
      .catch((e: unknown) => e as { code?: string; status?: number });
    expect(error).toBeDefined();
    expect(error.status).not.toBe(409);
    await new Promise((r) => setTimeout(r, 600));
    expect(sent('/api/v1/auth/register')).toBe(1);
  });

  it('login is retry-safe and is repeated after a timeout', async () => {
    const { client } = clientFor(fake(), { timeout: 200 });
    const email = `login-${Date.now()}@example.com`;
    fake().seed.user({ email, password: PASSWORD });
    fake().recorder.clear();
    fake().faults.enqueue({ delayMs: 500, match: { method: 'POST', path: '/api/v1/auth/login' } });
    await client.login({ email, password: PASSWORD }).catch(() => undefined);
    expect(sent('/api/v1/auth/login')).toBeGreaterThanOrEqual(2);
  });
});
