// Shared set-up: one fake inkPass per test file and clients that never wait between retries.
import { afterAll, afterEach, beforeAll } from 'vitest';
import { InkPassClient, type InkPassConfig, ValidationError } from '../src/index.ts';
import { FakeClock, type FakeInkPass, startFakeInkPass } from '../src/testing/index.ts';

export const PASSWORD = 'SecurePassword123!';

/** A logger that keeps what it is told, for asserting that fail-safe denials say why. */
export function memoryLogger() {
  const lines: Array<{ level: string; message: string; data?: Record<string, unknown> }> = [];
  const at = (level: string) => (message: string, data?: Record<string, unknown>) =>
    lines.push({ level, message, ...(data ? { data } : {}) });
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/** Starts a fake for the file's tests; `fake()` returns it. Faults and recordings are reset after each test. */
export function useFake(): () => FakeInkPass {
  let fake: FakeInkPass | undefined;
  beforeAll(async () => {
    // A clock that stands still until a test moves it: TOTP steps and expiry are then exact.
    fake = await startFakeInkPass({ clock: new FakeClock() });
  });
  afterEach(() => {
    fake?.faults.clear();
    fake?.recorder.clear();
  });
  afterAll(async () => {
    await fake?.close();
  });
  return () => fake!;
}

/**
 * A client of the fake with zero retry waits, a memory logger and a 30 s attempt timeout (a loaded CI
 * machine must not turn a slow answer into a fail-safe `false`; timeout tests pass their own).
 */
export function clientFor(fake: FakeInkPass, config: InkPassConfig = {}) {
  const logger = memoryLogger();
  const client = new InkPassClient({
    baseUrl: fake.url,
    timeout: 30_000,
    retryMinWait: 0,
    retryMaxWait: 0,
    logger,
    ...config,
  });
  return { client, logger };
}

let counter = 0;
/** A fresh email address per call. */
export const freshEmail = (prefix = 'user') => `${prefix}${++counter}-${Date.now()}@example.com`;

/**
 * An organisation with an owner (who passes every check) and a member with the `viewer` role template,
 * both logged in.
 */
export async function ownerAndViewer(fake: FakeInkPass, prefix = 'org') {
  const owner = fake.seed.user({ email: freshEmail(`${prefix}-owner`), password: PASSWORD });
  const viewer = fake.seed.user({
    email: freshEmail(`${prefix}-viewer`),
    password: PASSWORD,
    organizationId: owner.organizationId,
    roleTemplate: 'viewer',
  });
  return {
    owner,
    viewer,
    orgId: owner.organizationId,
    ownerToken: (await fake.issueTokens(owner.id)).accessToken,
    viewerToken: (await fake.issueTokens(viewer.id)).accessToken,
  };
}

/** A refusal of bad input by the client itself, before any request. */
export const refusedByClient = (error: unknown): boolean =>
  ValidationError.isInstance(error) && error.fieldErrors?.[0]?.type === 'client';
