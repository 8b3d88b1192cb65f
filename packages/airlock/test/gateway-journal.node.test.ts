// The file-backed nonce journal: survives a restart, skips malformed lines, writes 0600 files.
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { fileNonceJournalStore, openFileNonceJournal } from '../src/node/index.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'airlock-journal-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

it('a nonce recorded before a restart is refused after it', async () => {
  const path = join(dir, 'sub', 'nonces.tsv');
  const first = await openFileNonceJournal(path);
  expect(await first.tryRecord('n-1')).toBe(true);
  expect(await first.tryRecord('n-2')).toBe(true);
  const text = await readFile(path, 'utf8');
  expect(text).toMatch(/^n-1\t\d+\.\d{3}\nn-2\t\d+\.\d{3}\n$/);
  expect((await stat(path)).mode & 0o777).toBe(0o600);

  const second = await openFileNonceJournal(path);
  expect(second.hasSeen('n-1')).toBe(true);
  expect(await second.tryRecord('n-1')).toBe(false);
  expect(await second.tryRecord('n-3')).toBe(true);
});

it('reads Python, Go and .NET timestamps and skips malformed lines', async () => {
  const path = join(dir, 'mixed.tsv');
  const now = Date.now();
  await writeFile(
    path,
    [
      `py\t${now / 1000}`,
      `go\t${new Date(now).toISOString().replace('Z', '123456Z')}`,
      `net\t${new Date(now).toISOString().replace('Z', '+00:00')}`,
      'no-tab-here',
      '\tempty-nonce',
      'bad\tnot-a-time',
      '',
    ].join('\n'),
  );
  const entries = await fileNonceJournalStore(path).load();
  expect([...entries.keys()]).toEqual(['py', 'go', 'net']);
  const journal = await openFileNonceJournal(path);
  expect(journal.hasSeen('go')).toBe(true);
  expect(journal.hasSeen('bad')).toBe(false);
});

it('expired entries from the file can be recorded again', async () => {
  const path = join(dir, 'old.tsv');
  await writeFile(path, `old\t${(Date.now() - 3_600_000) / 1000}\n`);
  const journal = await openFileNonceJournal(path, { ttlMs: 900_000 });
  expect(await journal.tryRecord('old')).toBe(true);
});

it('a write failure does not fail the record', async () => {
  const errors: unknown[] = [];
  // A directory where the file should be: the rename fails.
  const journal = await openFileNonceJournal(dir, { onError: (e) => errors.push(e) });
  expect(await journal.tryRecord('x')).toBe(true);
  expect(errors.length).toBe(1);
});
