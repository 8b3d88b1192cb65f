/**
 * Import cost: how long a fresh Node process takes to `import()` each published entry of a package from its
 * built `dist/` (what users load), the median of several processes (`BENCH_IMPORT_RUNS`, default 9), beside
 * an empty module imported the same way. Reported against a target (at most 30 ms), never asserted: speed
 * belongs in benchmarks, not in tests. Needs `pnpm build` first (turbo's `bench` task depends on `build`).
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

/** One entry's import time. */
export interface ImportTimeRow {
  entry: string;
  medianMs: number;
  targetMs: number;
  met: boolean;
}

const PROBE = `const t = performance.now(); await import(process.argv[1]); process.stdout.write(String(performance.now() - t));`;

/** Milliseconds a fresh Node process spends in `import(url)`, the median of `runs` processes. */
export function importTime(url: string, runs = Number(process.env.BENCH_IMPORT_RUNS ?? 9)): number {
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', PROBE, url], {
      encoding: 'utf8',
    });
    samples.push(Number(out));
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)]!;
}

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
  const empty = `data:text/javascript,export {}`;
  const floor = importTime(empty);
  const rows: ImportTimeRow[] = [];
  for (const subpath of subpaths) {
    const target = exports?.[subpath]?.default;
    const file = typeof target === 'string' ? join(dir, target) : undefined;
    if (!file || !existsSync(file)) {
      throw new Error(
        `${manifest.name}${subpath.slice(1)}: no built file (${target}); run pnpm build first.`,
      );
    }
    const medianMs = importTime(pathToFileURL(file).href);
    rows.push({
      entry: `${manifest.name}${subpath.slice(1)}`,
      medianMs,
      targetMs,
      met: medianMs <= targetMs,
    });
  }
  console.log(
    `\nImport time in a fresh Node ${process.version} process (median; an empty module: ${floor.toFixed(1)} ms)`,
  );
  for (const row of rows) {
    console.log(
      `  ${row.entry.padEnd(34)} ${row.medianMs.toFixed(1).padStart(7)} ms  target ≤ ${row.targetMs} ms  ${row.met ? 'met' : 'MISSED'}`,
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
