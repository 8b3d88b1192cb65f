// Two long-running processes on one token file (two enforcers, a CLI next to a daemon) must not sign each
// other out. The fake identity provider rotates refresh tokens and revokes the whole session when a rotated
// one comes back, so a process refreshing with the copy it read at start would end the login for both.
import { type ChildProcess, fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AirlockAuthError, type TokenState } from '../src/auth/index.ts';
import { FileTokenStore } from '../src/node/index.ts';
import { type Idp, signIn, startIdp } from './auth-kit.ts';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const childScript = fileURLToPath(new URL('./fixtures/token-file-child.ts', import.meta.url));

/** What a child answers to a step (see fixtures/token-file-child.ts). */
interface Answer {
  step: number;
  tokens: string[];
  refreshes: number;
  error?: { code?: string; message: string };
}

/** A child process holding an AirlockAuthClient on the shared file, driven step by step over IPC. */
class Child {
  readonly process: ChildProcess;
  readonly #inbox: unknown[] = [];
  readonly #waiting: Array<{ resolve: (m: unknown) => void; reject: (e: Error) => void }> = [];

  constructor(
    readonly name: string,
    env: Record<string, string>,
  ) {
    this.process = fork(childScript, [], {
      cwd: packageDir,
      execArgv: ['--conditions=@x/source', '--import', 'tsx'],
      env: { ...process.env, ...env },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.process.on('message', (message) => {
      const waiter = this.#waiting.shift();
      if (waiter) waiter.resolve(message);
      else this.#inbox.push(message);
    });
    this.process.on('exit', (code) => {
      for (const waiter of this.#waiting.splice(0)) waiter.reject(new Error(`${name} exited with ${code}`));
    });
  }

  next(): Promise<unknown> {
    if (this.#inbox.length > 0) return Promise.resolve(this.#inbox.shift());
    if (this.process.exitCode !== null) return Promise.reject(new Error(`${this.name} has exited`));
    return new Promise((resolve, reject) => this.#waiting.push({ resolve, reject }));
  }

  async step(step: number, calls: number): Promise<Answer> {
    this.process.send({ step, calls });
    return (await this.next()) as Answer;
  }

  async stop(): Promise<void> {
    if (this.process.exitCode !== null || this.process.signalCode !== null) return;
    const exited = new Promise((resolve) => this.process.once('exit', resolve));
    this.process.kill();
    await exited;
  }
}

let dir: string;
let ctx: Idp | undefined;
let children: Child[] = [];
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'airlock-two-processes-'));
});
afterEach(async () => {
  await Promise.all(children.map((c) => c.stop()));
  children = [];
  await ctx?.idp.close();
  ctx = undefined;
  await rm(dir, { recursive: true, force: true });
});

async function readSession(path: string): Promise<TokenState> {
  return JSON.parse(await readFile(path, 'utf8')) as TokenState;
}

describe('two processes on one FileTokenStore', () => {
  it('stay signed in over many rotations, taking turns and refreshing at the same moment', async () => {
    ctx = await startIdp({ accessTokenTtl: 60, rotateRefreshTokens: true });
    const idp = ctx.idp;
    const file = join(dir, 'tokens.json');
    // One sign-in, as `cli login` would do it; both processes then start from the file.
    await signIn(ctx, ctx.client({ store: new FileTokenStore(file) }));
    const env = { REALM_URL: idp.realmUrl, TOKEN_FILE: file };
    const a = new Child('a', env);
    const b = new Child('b', env);
    children = [a, b];
    expect(await Promise.all([a.next(), b.next()])).toEqual(['ready', 'ready']);

    const expectSignedIn = async (answer: Answer, who: string) => {
      expect(answer.error, `${who} at step ${answer.step}`).toBeUndefined();
      expect(answer.tokens.length).toBeGreaterThan(0);
      for (const token of answer.tokens) expect(await idp.verifyAccessToken(token)).toBeTruthy();
      const saved = await readSession(file); // throws if the file was deleted
      expect(idp.isRefreshTokenActive(saved.refreshToken!), `the file after step ${answer.step}`).toBe(true);
    };

    // Taking turns: at each step one process finds its token expired, while the file already holds the
    // other's rotation. It must refresh with the file's refresh token, not the one it read at start.
    const refreshesBy = { a: 0, b: 0 };
    for (let step = 1; step <= 10; step++) {
      const child = step % 2 === 1 ? a : b;
      const answer = await child.step(step, 1);
      await expectSignedIn(answer, child.name);
      expect(answer.refreshes).toBe(1);
      refreshesBy[child.name as 'a' | 'b'] += answer.refreshes;
    }
    expect(refreshesBy).toEqual({ a: 5, b: 5 });

    // At the same moment, several callers in each: one process refreshes under the lock, the other waits
    // for it and takes the new session from the file instead of spending the same refresh token.
    for (let step = 11; step <= 16; step++) {
      const [x, y] = await Promise.all([a.step(step, 3), b.step(step, 3)]);
      await expectSignedIn(x, 'a');
      await expectSignedIn(y, 'b');
      expect(x.refreshes + y.refreshes, `refresh requests at step ${step}`).toBe(1);
      expect(new Set([...x.tokens, ...y.tokens]).size).toBe(1);
    }

    // Every refresh spent a different refresh token: none was reused, so the provider never revoked the
    // session, and the file holds a session it accepts.
    const spent = ctx
      .tokenRequests('refresh_token')
      .map((r) => new URLSearchParams(r.body).get('refresh_token'));
    expect(spent).toHaveLength(16);
    expect(new Set(spent).size).toBe(16);
    const final = await readSession(file);
    expect(await idp.verifyAccessToken(final.accessToken)).toMatchObject({ sub: 'user-1' });
    expect(idp.isRefreshTokenActive(final.refreshToken!)).toBe(true);
    expect(spent).not.toContain(final.refreshToken);
  });
});

/** True for a token request renewing a session. */
function isRefresh(init: RequestInit): boolean {
  return new URLSearchParams(String(init.body ?? '')).get('grant_type') === 'refresh_token';
}

async function failure(promise: Promise<unknown>): Promise<AirlockAuthError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(AirlockAuthError.isInstance(error), String(error)).toBe(true);
  return error as AirlockAuthError;
}

describe('clients sharing one FileTokenStore file (one process)', () => {
  it.each([
    ['rotates', true],
    ['does not rotate', false],
  ])(
    'adopts the session another client renewed when the provider %s, without a request',
    async (_, rotate) => {
      ctx = await startIdp({ rotateRefreshTokens: rotate });
      const file = join(dir, 'tokens.json');
      const a = ctx.client({ store: new FileTokenStore(file) });
      const b = ctx.client({ store: new FileTokenStore(file) });
      await signIn(ctx, a);
      await b.loadTokens();
      ctx.idp.clock.advance(300_000);
      const renewed = await a.getAccessToken();
      expect(await b.getAccessToken()).toBe(renewed);
      expect(b.getTokenState()).toEqual(await readSession(file));
      expect(ctx.tokenRequests('refresh_token')).toHaveLength(1);
    },
  );

  it('does not clear the file when the refused refresh token is no longer the one in it', async () => {
    ctx = await startIdp();
    const file = join(dir, 'tokens.json');
    const revoked = ctx.client();
    const old = await signIn(ctx, revoked);
    let other: TokenState | undefined;
    const auth = ctx.client({
      store: new FileTokenStore(file),
      fetch: async (input, init) => {
        // While the refresh is out, a writer that takes no lock (an older version, another tool) signs
        // in again and writes its session to the file.
        if (isRefresh(init) && !other) {
          other = await signIn(ctx!, ctx!.client());
          await writeFile(file, JSON.stringify(other));
        }
        return fetch(input, init);
      },
    });
    await auth.restoreTokens(old);
    await revoked.logout(); // the provider now refuses the refresh token `auth` holds
    ctx.idp.clock.advance(300_000);

    expect(await auth.getAccessToken()).toBe(other!.accessToken);
    expect(await readSession(file)).toEqual(other);
    expect(auth.getTokenState()).toEqual(other);
    const refused = ctx.tokenRequests('refresh_token');
    expect(refused.map((r) => new URLSearchParams(r.body).get('refresh_token'))).toEqual([old.refreshToken]);
  });

  it('clears the file when it still holds the refused refresh token', async () => {
    ctx = await startIdp();
    const file = join(dir, 'tokens.json');
    const auth = ctx.client({ store: new FileTokenStore(file) });
    await signIn(ctx, auth);
    ctx.idp.revokeAll();
    expect((await failure(auth.refreshToken())).code).toBe('invalid_grant');
    expect(auth.isLoggedIn()).toBe(false);
    expect(await readdir(dir)).toEqual([]);
  });

  it('keeps the session and throws refresh_unavailable when the lock cannot be had in time', async () => {
    ctx = await startIdp();
    const file = join(dir, 'tokens.json');
    const auth = ctx.client({ store: new FileTokenStore(file, { lockTimeoutMs: 100 }) });
    const tokens = await signIn(ctx, auth);
    ctx.idp.clock.advance(300_000);

    // Another holder keeps the lock (another process in the middle of a long refresh).
    let release!: () => void;
    let entered!: () => void;
    const inside = new Promise<void>((resolve) => (entered = resolve));
    const holding = new FileTokenStore(file).withLock(async () => {
      entered();
      await new Promise<void>((resolve) => (release = resolve));
    });
    await inside;

    const error = await failure(auth.getAccessToken());
    expect(error).toMatchObject({ code: 'refresh_unavailable', retryable: true });
    expect(error.cause).toMatchObject({ code: 'token_store_locked', retryable: true });
    expect(auth.getTokenState()).toEqual(tokens);
    expect(await readSession(file)).toEqual(tokens);
    expect(ctx.tokenRequests('refresh_token')).toHaveLength(0);
    // A plain save waits for the lock too, and gives up the same way.
    const locked = new FileTokenStore(file, { lockTimeoutMs: 50 });
    expect((await failure(locked.save({ accessToken: 'x' }))).code).toBe('token_store_locked');

    release();
    await holding;
    expect(await ctx.idp.verifyAccessToken(await auth.getAccessToken())).toBeTruthy();
    expect(await readdir(dir)).toEqual(['tokens.json']);
  });

  it('takes over a lock left behind by a crashed process', async () => {
    ctx = await startIdp();
    const file = join(dir, 'tokens.json');
    const auth = ctx.client({ store: new FileTokenStore(file) });
    await signIn(ctx, auth);
    ctx.idp.clock.advance(300_000);
    // The lock directory of a process that died a minute ago, never removed.
    await mkdir(`${file}.lock`);
    const minuteAgo = new Date(Date.now() - 60_000);
    await utimes(`${file}.lock`, minuteAgo, minuteAgo);

    expect(await ctx.idp.verifyAccessToken(await auth.getAccessToken())).toBeTruthy();
    expect(existsSync(`${file}.lock`)).toBe(false);
    expect((await readSession(file)).accessToken).toBe(auth.getTokenState()!.accessToken);
  });
});
