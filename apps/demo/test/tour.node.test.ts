// `pnpm demo` as CI runs it: the tour's main module in its own process, exit code and printed summary checked;
// then `--keep`, whose console must show what the tour did.
import { type ChildProcess, spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { driveConsole } from '../src/console.ts';

const main = new URL('../src/main.ts', import.meta.url).pathname;
/** The tour's chapters, in the order (crypto and http-core first). */
const CHAPTERS = [
  '@x/crypto',
  '@x/http-core',
  '@x/airlock',
  '@x/inkpass',
  '@x/auki',
  '@x/atb',
  '@x/artifact-gateway',
  '@x/artifact-studio',
];

interface Run {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exit: Promise<number | null>;
}

function startTour(...args: string[]): Run {
  // tsx as a loader in the tour's own process, not its CLI: the CLI relays SIGTERM to a child process and, when the
  // child's acknowledgement takes more than 30 ms (a loaded machine), kills it and exits 143.
  const child = spawn(process.execPath, ['--conditions=@x/source', '--import', 'tsx', main, ...args], {
    cwd: new URL('..', import.meta.url).pathname,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const exit = new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve(code));
  });
  return { child, stdout: () => stdout, stderr: () => stderr, exit };
}

/** The summary table's rows: title, status and outcome of each chapter. */
function summaryOf(stdout: string): { title: string; status: string; outcome: string }[] {
  const table = stdout.split('\nsummary\n')[1] ?? '';
  return [...table.matchAll(/^ {2}(@x\/\S+)\s+\d+ ms {2}(ok|FAILED)\s+(.*)$/gm)].map((m) => ({
    title: m[1]!,
    status: m[2]!,
    outcome: m[3]!.trim(),
  }));
}

function expectEveryChapterOk(stdout: string): void {
  const rows = summaryOf(stdout);
  expect(rows.map((r) => r.title)).toEqual(CHAPTERS);
  for (const row of rows) {
    expect(row.status, row.title).toBe('ok');
    expect(row.outcome, `${row.title} states its outcome`).not.toBe('');
  }
  expect(stdout).toContain(`Done: ${CHAPTERS.length} chapters ran.`);
}

describe('pnpm demo', () => {
  it('runs every chapter against the sandbox, prints the summary and exits 0', async () => {
    const tour = startTour();
    const code = await tour.exit;
    expect(code, tour.stderr()).toBe(0);
    expectEveryChapterOk(tour.stdout());
    expect(tour.stdout()).not.toContain('FAILED');
  });

  it('--keep leaves the sandbox running with the tour in its console, until SIGTERM', async () => {
    const tour = startTour('--keep');
    try {
      const url = await new Promise<string>((resolve, reject) => {
        const look = () => {
          const found = /open the console: (http:\/\/\S+)/.exec(tour.stdout());
          if (found) resolve(found[1]!);
        };
        tour.child.stdout!.on('data', look);
        tour.exit.then((code) => reject(new Error(`the tour exited (${code}): ${tour.stderr()}`)), reject);
      });
      expectEveryChapterOk(tour.stdout());
      const console = driveConsole(url);
      const rows = async (panel: string, list: string) => (await console.list(panel, list)).rows;
      const cells = async (panel: string, list: string, column: string) =>
        (await rows(panel, list)).map((r) => r.cells[column]);

      expect(await cells('airlock', 'decided', 'decision')).toContain('approve');
      expect(await cells('inkpass', 'users', 'email')).toContain('grace@example.com');
      const decisions = await cells('inkpass', 'decisions', 'outcome');
      expect(decisions).toEqual(expect.arrayContaining(['allow', 'deny', 'error 500']));
      expect(await cells('inkpass', 'files', 'status')).toContain('deleted');
      expect(await cells('auki', 'tokens', 'kind')).toEqual(
        expect.arrayContaining(['network', 'discovery', 'network (refresh)']),
      );
      expect(await cells('auki', 'grants', 'outcome')).toContain('granted');
      expect((await rows('atb', 'mandates')).length).toBeGreaterThanOrEqual(3);
      expect(await cells('atb', 'broker', 'decision')).toEqual(expect.arrayContaining(['allow', 'deny']));
      expect(await cells('artifacts', 'requests', 'user')).toContain('demo-user');

      tour.child.kill('SIGTERM');
      expect(await tour.exit).toBe(0);
    } finally {
      if (tour.child.exitCode === null) tour.child.kill('SIGKILL');
    }
  });
});
