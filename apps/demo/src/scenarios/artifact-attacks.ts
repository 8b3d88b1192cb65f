import type { createClient } from '@x/artifact-gateway/client';
import type { PermissionDeniedError } from '@x/http-core';
import { check } from '../scenario.ts';

/**
 * What a generated app may try and the gateway refuses with a 4xx: the cloud metadata address, loopback
 * spelled in hex, a path out of the user's folder and a file read through SQL. Prints each refusal.
 */
export async function showRefusedAttacks(
  app: ReturnType<typeof createClient>,
  say: (line: string) => void,
): Promise<void> {
  for (const [what, attempt] of [
    ['cloud metadata', () => app.external({ url: 'https://169.254.169.254/latest/meta-data/' })],
    ['loopback in hex', () => app.external({ url: 'https://0x7f.1/admin' })],
    ['path traversal', () => app.files.read('../../../etc/passwd')],
    [
      'reading /etc/passwd via SQL',
      () => app.db.userQuery('notes', "SELECT * FROM read_text('/etc/passwd')"),
    ],
  ] as const) {
    const error = await attempt().then(
      () => undefined,
      (e: unknown) => e as PermissionDeniedError,
    );
    check(error !== undefined && (error.status ?? 500) < 500, `${what} is refused with a 4xx`);
    say(
      `refused            ${what}: ${error.status} ${(error.body as { detail: string }).detail.slice(0, 70)}`,
    );
  }
}
