import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LockedTokenStore } from '../src/auth/index.ts';
import { FileTokenStore } from '../src/node/index.ts';
import { type Idp, signIn, startIdp } from './auth-kit.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'airlock-auth-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const posix = process.platform !== 'win32';
const modeOf = async (path: string) => (await stat(path)).mode & 0o777;

describe('FileTokenStore', () => {
  it('saves JSON with mode 0600 in a 0700 directory it creates, and loads it back', async () => {
    const path = join(dir, 'nested', '.airlock', 'tokens.json');
    const store = new FileTokenStore(path);
    expect(await store.load()).toBeUndefined();
    await store.save({ accessToken: 'a', refreshToken: 'r', expiresAt: 123 });
    expect(JSON.parse(await readFile(path, 'utf8'))).toEqual({
      accessToken: 'a',
      refreshToken: 'r',
      expiresAt: 123,
    });
    expect(await store.load()).toEqual({ accessToken: 'a', refreshToken: 'r', expiresAt: 123 });
    if (posix) {
      expect(await modeOf(path)).toBe(0o600);
      expect(await modeOf(join(dir, 'nested', '.airlock'))).toBe(0o700);
    }
    expect(await readdir(join(dir, 'nested', '.airlock'))).toEqual(['tokens.json']);
  });

  it('makes the mode 0600 whatever the umask, and replaces a looser file', async () => {
    const path = join(dir, 'tokens.json');
    await writeFile(path, '{}');
    await chmod(path, 0o644);
    const previous = process.umask(0);
    try {
      await new FileTokenStore(path).save({ accessToken: 'a' });
    } finally {
      process.umask(previous);
    }
    if (posix) expect(await modeOf(path)).toBe(0o600);
  });

  it('takes another mode when asked', async () => {
    const path = join(dir, 'tokens.json');
    await new FileTokenStore(path, { mode: 0o640 }).save({ accessToken: 'a' });
    if (posix) expect(await modeOf(path)).toBe(0o640);
  });

  it('serialises concurrent saves: the last one wins, the file is always whole', async () => {
    const path = join(dir, 'tokens.json');
    const store = new FileTokenStore(path);
    await Promise.all(Array.from({ length: 20 }, (_, i) => store.save({ accessToken: `token-${i}` })));
    expect(await store.load()).toEqual({ accessToken: 'token-19' });
    expect(await readdir(dir)).toEqual(['tokens.json']);
  });

  it('loads a missing, corrupt or foreign file as no session', async () => {
    const path = join(dir, 'tokens.json');
    const store = new FileTokenStore(path);
    await writeFile(path, '{"accessToken": "a", "refreshTo');
    expect(await store.load()).toBeUndefined();
    await writeFile(path, '{"something": "else"}');
    expect(await store.load()).toBeUndefined();
  });

  it('clear deletes the file and tolerates a missing one', async () => {
    const path = join(dir, 'tokens.json');
    const store = new FileTokenStore(path);
    await store.save({ accessToken: 'a' });
    await store.clear();
    await store.clear();
    expect(await readdir(dir)).toEqual([]);
    expect(await store.load()).toBeUndefined();
  });

  it('withLock hands out a store that works inside and refuses once the lock is released', async () => {
    const path = join(dir, 'tokens.json');
    const store = new FileTokenStore(path);
    let leaked: LockedTokenStore | undefined;
    const seen = await store.withLock(async (locked) => {
      leaked = locked;
      expect(existsSync(`${path}.lock`)).toBe(true);
      await locked.save({ accessToken: 'a' });
      return locked.load();
    });
    expect(seen).toEqual({ accessToken: 'a' });
    expect(await readdir(dir)).toEqual(['tokens.json']);
    await expect(leaked!.save({ accessToken: 'late' })).rejects.toThrow(/already released/);
    expect(await store.load()).toEqual({ accessToken: 'a' });
    // A failing callback releases the lock too.
    await expect(store.withLock(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await store.clear();
    expect(await readdir(dir)).toEqual([]);
  });

  it('cleans up the temporary file when the rename fails', async () => {
    // A non-empty directory in the way makes rename fail, even for root.
    const path = join(dir, 'tokens.json');
    await mkdir(join(path, 'occupied'), { recursive: true });
    const store = new FileTokenStore(path);
    await expect(store.save({ accessToken: 'new' })).rejects.toThrow();
    expect(await readdir(dir)).toEqual(['tokens.json']);
    expect(await readdir(path)).toEqual(['occupied']);
    // The queue goes on after a failed save.
    await rm(path, { recursive: true });
    await store.save({ accessToken: 'next' });
    expect(await store.load()).toEqual({ accessToken: 'next' });
  });
});

describe('FileTokenStore with the auth client', () => {
  let ctx: Idp;
  afterEach(async () => {
    await ctx?.idp.close();
  });

  it('keeps the session across clients (processes) and follows refresh and logout', async () => {
    ctx = await startIdp();
    const path = join(dir, 'tokens.json');
    const first = ctx.client({ store: new FileTokenStore(path) });
    const tokens = await signIn(ctx, first);
    expect(JSON.parse(await readFile(path, 'utf8'))).toEqual(tokens);

    const second = ctx.client({ store: new FileTokenStore(path) });
    expect(await second.getAccessToken()).toBe(tokens.accessToken);
    ctx.idp.clock.advance(300_000);
    const renewed = await second.getAccessToken();
    expect(JSON.parse(await readFile(path, 'utf8')).accessToken).toBe(renewed);
    if (posix) expect(await modeOf(path)).toBe(0o600);

    await second.logout();
    expect(await readdir(dir)).toEqual([]);
  });
});
