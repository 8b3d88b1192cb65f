/**
 * Import cost: how long a fresh Node process takes to `import()` each published entry of a package from its
 * built `dist/` (what users load), the median of several processes (`BENCH_IMPORT_RUNS`, default 9), beside
 * an empty module imported the same way. The target (at most 30 ms) is judged on CPU time (user + system),
 * which another job on the machine barely moves; wall-clock time is shown beside it. Reported, never
 * asserted: speed belongs in benchmarks, not in tests. Needs `pnpm build` first (turbo's `bench` task
 * depends on `build`).
 *
 * Each package's `pnpm bench` runs it first, in the package's folder, for every export but `./testing`:
 *
 * @example
 * ```sh
 * tsx ../../tooling/scripts/import-time.ts
 * ```
 *
 * @module
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** What one `import()` in a fresh process cost, in ms. */
export interface ImportSample {
  /** CPU time (user + system). */
  cpuMs: number;
  /** Wall-clock time (longer than the CPU time when other work holds the cores). */
  wallMs: number;
}

/** One entry's import time: medians, and whether the CPU time is within the target. */
export interface ImportTimeRow extends ImportSample {
  entry: string;
  targetMs: number;
  met: boolean;
}

const PROBE = `const t = performance.now(); const c = process.cpuUsage(); await import(process.argv[1]);
const d = process.cpuUsage(c);
process.stdout.write(JSON.stringify({ cpuMs: (d.user + d.system) / 1000, wallMs: performance.now() - t }));`;

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/** What a fresh Node process spends in `import(url)`: the medians of `runs` processes. */
export function importTime(url: string, runs = Number(process.env.BENCH_IMPORT_RUNS ?? 9)): ImportSample {
  const samples: ImportSample[] = [];
  for (let i = 0; i < runs; i++) {
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', PROBE, url], {
      encoding: 'utf8',
    });
    samples.push(JSON.parse(out) as ImportSample);
  }
  return { cpuMs: median(samples.map((s) => s.cpuMs)), wallMs: median(samples.map((s) => s.wallMs)) };
}

const ms = (value: number) => value.toFixed(1).padStart(6);

/**
 * Measures and prints the import time of each export subpath of the package in `packageDir` (its
 * `publishConfig.exports` → `dist/` file) and returns the rows.
 */
export function reportImportTimes(
  packageDir: string | URL,
  subpaths: string[],
  targetMs = 30,
): ImportTimeRow[] {
  const dir = packageDir instanceof URL ? fileURLToPath(packageDir) : packageDir;
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  const exports = manifest.publishConfig?.exports ?? manifest.exports;
  const floor = importTime('data:text/javascript,export {}');
  const rows: ImportTimeRow[] = [];
  for (const subpath of subpaths) {
    const target = exports?.[subpath]?.default;
    const file = typeof target === 'string' ? join(dir, target) : undefined;
    if (!file || !existsSync(file)) {
      throw new Error(
        `${manifest.name}${subpath.slice(1)}: no built file (${target}); run pnpm build first.`,
      );
    }
    const sample = importTime(pathToFileURL(file).href);
    rows.push({
      entry: `${manifest.name}${subpath.slice(1)}`,
      ...sample,
      targetMs,
      met: sample.cpuMs <= targetMs,
    });
  }
  console.log(
    `\nImport time in a fresh Node ${process.version} process, medians: CPU ms (wall ms); an empty module ${ms(floor.cpuMs)} (${ms(floor.wallMs)})`,
  );
  for (const row of rows) {
    console.log(
      `  ${row.entry.padEnd(34)} ${ms(row.cpuMs)} (${ms(row.wallMs)})  target ≤ ${row.targetMs} ms  ${row.met ? 'met' : 'MISSED'}`,
    );
  }
  return rows;
}

/** The export subpaths measured by default: every one but the fakes (`./testing`) and `./package.json`. */
export function measuredSubpaths(packageDir: string): string[] {
  const manifest = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8'));
  return Object.keys(manifest.publishConfig?.exports ?? manifest.exports ?? {}).filter(
    (subpath) => subpath !== './testing' && subpath !== './package.json',
  );
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  reportImportTimes(process.cwd(), measuredSubpaths(process.cwd()));
}
