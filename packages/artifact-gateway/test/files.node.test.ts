import { mkdir, mkdtemp, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArtifactGatewayError } from '../src/index.ts';
import { FilesHandler } from '../src/node/index.ts';

let root: string;
let files: FilesHandler;
const user = { scope: 'user', userId: 'user-abc123' } as const;
const session = { scope: 'session', userId: 'user-abc123', sessionId: 'sess-001' } as const;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'ag-files-'));
  files = new FilesHandler({ root, maxFileBytes: 1024 });
});
afterAll(() => rm(root, { recursive: true, force: true }));

async function codeOf(p: Promise<unknown>): Promise<string> {
  const error = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(ArtifactGatewayError.isInstance(error), String(error)).toBe(true);
  return (error as ArtifactGatewayError).code;
}

describe('FilesHandler', () => {
  it('writes, reads, lists and deletes under {root}/{user}/files', async () => {
    expect(await files.write(user, 'exports/report.csv', 'a,b\n1,2\n')).toEqual({
      path: 'exports/report.csv',
      bytes: 8,
    });
    expect(await readFile(join(root, 'user-abc123', 'files', 'exports', 'report.csv'), 'utf8')).toBe(
      'a,b\n1,2\n',
    );
    expect(await files.read(user, 'exports/report.csv')).toEqual({
      path: 'exports/report.csv',
      content: 'a,b\n1,2\n',
    });
    expect(await files.list(user, 'exports')).toEqual({
      entries: [{ name: 'report.csv', is_dir: false, bytes: 8 }],
    });
    expect(await files.list(user)).toEqual({ entries: [{ name: 'exports', is_dir: true, bytes: null }] });
    expect(await files.list(user, 'nothing-here')).toEqual({ entries: [] });
    expect(await files.delete(user, 'exports/report.csv')).toEqual({ deleted: true });
    expect(await files.delete(user, 'exports/report.csv')).toEqual({ deleted: false });
  });

  it('keeps sessions apart from user files and hides the session db/ folder', async () => {
    await files.write(session, 'scratch.txt', 'session data');
    expect(await readFile(join(root, 'user-abc123', 'sessions', 'sess-001', 'scratch.txt'), 'utf8')).toBe(
      'session data',
    );
    expect(await codeOf(files.read(user, 'scratch.txt'))).toBe('not_found');
    expect(await codeOf(files.write(session, 'db/x.duckdb', 'junk'))).toBe('invalid_request');
    expect(await codeOf(files.write({ scope: 'session', userId: 'user-abc123' }, 'a.txt', 'x'))).toBe(
      'invalid_request',
    );
  });

  it('refuses traversal, absolute paths, backslashes and NUL bytes', async () => {
    for (const path of [
      '../x',
      'a/../../x',
      '/etc/passwd',
      '..',
      'a/..',
      'a\\..\\b',
      'x\u0000.txt',
      'C:/x',
      'a/\n',
    ])
      expect(await codeOf(files.write(user, path, 'x')), JSON.stringify(path)).toBe('path_escape');
    expect(await codeOf(files.read(user, '../../../../etc/passwd'))).toBe('path_escape');
    await expect(stat(join(root, 'user-abc123', 'x'))).rejects.toThrow();
  });

  it('refuses symlinks that lead out, as a folder and as the file itself', async () => {
    const outside = join(root, 'outside');
    await mkdir(outside, { recursive: true });
    await writeFile(join(outside, 'secret.txt'), 'top secret');
    const userRoot = await files.rootOf(user);
    await symlink(outside, join(userRoot, 'escape-dir'));
    await symlink(join(outside, 'secret.txt'), join(userRoot, 'escape-file'));
    expect(await codeOf(files.read(user, 'escape-dir/secret.txt'))).toBe('path_escape');
    expect(await codeOf(files.write(user, 'escape-dir/new.txt', 'x'))).toBe('path_escape');
    expect(await codeOf(files.read(user, 'escape-file'))).toBe('path_escape');
    expect(await codeOf(files.write(user, 'escape-file', 'overwrite'))).toBe('path_escape');
    expect(await readFile(join(outside, 'secret.txt'), 'utf8')).toBe('top secret');
    expect(await files.delete(user, 'escape-dir')).toEqual({ deleted: true });
    expect(await readFile(join(outside, 'secret.txt'), 'utf8')).toBe('top secret');
  });

  it('refuses to delete the root and enforces the size limit', async () => {
    for (const path of ['', '.', './', '/'])
      expect(await codeOf(files.delete(user, path)), path).not.toBe('ok');
    expect(await codeOf(files.delete(user, ''))).toBe('invalid_request');
    expect(await codeOf(files.write(user, 'big.txt', 'x'.repeat(1025)))).toBe('payload_too_large');
    await writeFile(join(await files.rootOf(user), 'huge.txt'), 'y'.repeat(2000));
    expect(await codeOf(files.read(user, 'huge.txt'))).toBe('payload_too_large');
  });

  it('refuses ids that would share a folder', async () => {
    expect(await codeOf(files.write({ scope: 'user', userId: '../other' }, 'a.txt', 'x'))).toBe(
      'invalid_request',
    );
    expect(await codeOf(files.write({ scope: 'user', userId: 'a.b' }, 'a.txt', 'x'))).toBe('invalid_request');
  });
});
