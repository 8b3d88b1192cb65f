/**
 * Node-only gateway pieces: a {@link NonceJournal} persisted to a file.
 *
 * @module
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { NonceJournal, type NonceJournalOptions, type NonceJournalStore } from '../decisions.ts';

/**
 * A file store for a nonce journal: one line per nonce, `nonce<TAB>seconds` where seconds is a Unix time
 * with a fraction (the Python SDK's format; RFC 3339 times from the Go and .NET SDKs are read too). The
 * whole file is rewritten atomically (temporary file, then rename) with mode 0600 on every record.
 */
export function fileNonceJournalStore(path: string): NonceJournalStore & {
  /** Reads the file; a missing or unreadable file gives no entries and malformed lines are skipped. */
  load(): Promise<Map<string, number>>;
} {
  return {
    async load() {
      const entries = new Map<string, number>();
      let text: string;
      try {
        text = await readFile(path, 'utf8');
      } catch {
        return entries;
      }
      for (const line of text.split(/\r?\n/)) {
        const tab = line.indexOf('\t');
        if (tab <= 0) continue;
        const stamp = line.slice(tab + 1).trim();
        const ms = /^\d+(\.\d+)?$/.test(stamp) ? Number(stamp) * 1000 : Date.parse(stamp);
        if (Number.isFinite(ms)) entries.set(line.slice(0, tab), ms);
      }
      return entries;
    },
    async save(entries) {
      let text = '';
      for (const [nonce, ms] of entries) {
        // A nonce with a tab or newline could not be read back; it is not worth a corrupt file.
        if (!/[\t\r\n]/.test(nonce)) text += `${nonce}\t${(ms / 1000).toFixed(3)}\n`;
      }
      await mkdir(dirname(path), { recursive: true });
      const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
      await writeFile(tmp, text, { mode: 0o600 });
      await rename(tmp, path);
    },
  };
}

/**
 * Opens a nonce journal persisted at `path`: loads what an earlier run recorded, then saves after every
 * record. Persistence is best effort (as in every SDK): I/O errors go to `onError` and do not fail a record.
 *
 * @example
 * ```ts
 * const nonceJournal = await openFileNonceJournal(join(homedir(), '.airlock', 'nonces.tsv'));
 * const client = new AirlockGatewayClient({ pat, signerPublicKey, nonceJournal });
 * ```
 */
export async function openFileNonceJournal(
  path: string,
  options: Omit<NonceJournalOptions, 'store' | 'entries'> = {},
): Promise<NonceJournal> {
  const store = fileNonceJournalStore(path);
  return new NonceJournal({ ...options, store, entries: await store.load() });
}
