import { Bench } from 'tinybench';

/** One timed function in a comparison. */
export interface BenchCase {
  name: string;
  fn: () => unknown;
}

/** A candidate measured against the baseline; `target` is the ratio it should reach (candidate ÷ baseline). */
export interface Candidate extends BenchCase {
  target?: number;
}

/** A group of cases run back to back in one process so their ratios are comparable. */
export interface Comparison {
  title: string;
  baseline: BenchCase;
  candidates: Candidate[];
  /** Milliseconds spent on each case, split over BENCH_ROUNDS rounds (default 500, or BENCH_TIME_MS). */
  timeMs?: number;
  /**
   * Milliseconds of unmeasured warm-up before the first round, the cases taking turns (default half of
   * `timeMs`, at most 2 s; each case runs at least once).
   */
  warmupMs?: number;
}

/** What one comparison measured. */
export interface ComparisonRow {
  title: string;
  name: string;
  opsPerSecond: number;
  marginPercent: number;
  ratio: number;
  target?: number;
  met?: boolean;
}

const defaultTimeMs = Number(process.env.BENCH_TIME_MS ?? 500);
const rounds = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 3));

/**
 * Runs the baseline and every candidate, then prints ops/s and each candidate's ratio to the baseline.
 * Targets are reported (met or missed), never asserted: speed belongs in benchmarks, not in tests.
 */
export async function compare(comparison: Comparison): Promise<ComparisonRow[]> {
  const timeMs = comparison.timeMs ?? defaultTimeMs;
  const cases = [comparison.baseline, ...comparison.candidates];
  // Several short rounds in rotating order, then the median per case: drift over a run (JIT warm-up, GC,
  // a server's growing state, other load on the machine) then lands on every case alike.
  const samples = new Map<string, Array<[number, number]>>(cases.map((c) => [c.name, []]));
  // Until the JIT has compiled a path, it runs several times slower: a short run would compare how fast
  // each case warms up (the longer path loses) instead of how fast it runs.
  const warmupUntil = performance.now() + (comparison.warmupMs ?? Math.min(2000, timeMs / 2));
  do {
    for (const c of cases) await c.fn();
  } while (performance.now() < warmupUntil);
  for (let round = 0; round < rounds; round++) {
    const bench = new Bench({
      time: timeMs / rounds,
      warmupTime: Math.min(100, timeMs / rounds / 2),
      throws: true,
    });
    const order = cases.map((_, i) => cases[(i + round) % cases.length]!);
    for (const c of order) bench.add(c.name, c.fn);
    await bench.run();
    for (const c of cases) {
      const result = bench.getTask(c.name)?.result;
      if (!result || !('latency' in result)) throw new Error(`benchmark ${c.name} produced no result`);
      // Operations per second from the mean time per operation: the mean of per-iteration rates would
      // weigh the fast iterations more and flatter a noisy case.
      samples.get(c.name)!.push([1000 / result.latency.mean, result.latency.rme]);
    }
  }
  const hz = (name: string): [number, number] => {
    const sorted = [...samples.get(name)!].sort((a, b) => a[0] - b[0]);
    return sorted[Math.floor(sorted.length / 2)]!;
  };
  const [baseHz, baseRme] = hz(comparison.baseline.name);
  const rows: ComparisonRow[] = [
    {
      title: comparison.title,
      name: comparison.baseline.name,
      opsPerSecond: baseHz,
      marginPercent: baseRme,
      ratio: 1,
    },
  ];
  for (const c of comparison.candidates) {
    const [ops, rme] = hz(c.name);
    const ratio = ops / baseHz;
    rows.push({
      title: comparison.title,
      name: c.name,
      opsPerSecond: ops,
      marginPercent: rme,
      ratio,
      ...(c.target === undefined ? {} : { target: c.target, met: ratio >= c.target }),
    });
  }
  printRows(comparison.title, rows);
  return rows;
}

function printRows(title: string, rows: ComparisonRow[]): void {
  const fmt = (n: number) => (n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(2));
  console.log(`\n${title}`);
  const lines = rows.map((r, i) => [
    i === 0 ? `  ${r.name} (baseline)` : `  ${r.name}`,
    `${fmt(r.opsPerSecond)} ops/s`,
    `±${r.marginPercent.toFixed(1)}%`,
    `${r.ratio.toFixed(2)}×`,
    r.target === undefined ? '' : `target ≥${r.target}× ${r.met ? 'met' : 'MISSED'}`,
  ]);
  const widths = [0, 1, 2, 3].map((col) => Math.max(...lines.map((l) => l[col]!.length)));
  for (const l of lines) {
    console.log(
      l
        .map((cell, col) => (col < 4 ? cell.padEnd(widths[col]!) : cell))
        .join('  ')
        .trimEnd(),
    );
  }
}

/** Prints a one-line summary of every target; the exit code stays 0 (benchmarks inform, tests decide). */
export function summarize(rows: ComparisonRow[]): void {
  const withTargets = rows.filter((r) => r.target !== undefined);
  const missed = withTargets.filter((r) => !r.met);
  console.log(
    `\ntargets: ${withTargets.length - missed.length}/${withTargets.length} met` +
      (missed.length ? ` (missed: ${missed.map((r) => `${r.title} / ${r.name}`).join('; ')})` : ''),
  );
}
