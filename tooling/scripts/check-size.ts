// Bundles every budgeted entry of every public package (with its dependencies), minifies and gzips it,
// and fails when one is over its budget in tooling/size-budgets.json or has no budget at all.
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { listPackages, repoRoot, sourceEntry } from './workspace.ts';

type Budgets = Record<string, Record<string, number>>;
const budgets = JSON.parse(readFileSync(join(repoRoot, 'tooling', 'size-budgets.json'), 'utf8')) as Budgets;
const nodeOnlySubpaths = new Set(['./testing', './node', './package.json']);

/**
 * Bundles an entry with code splitting and returns the gzipped bytes a user loads up front (the entry chunk
 * and every chunk it imports statically) and, apart, the chunks reached only through dynamic `import()`.
 */
async function measure(entry: string): Promise<{ loaded: number; lazy: number }> {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    splitting: true,
    outdir: join(repoRoot, '.tmp', 'size'),
    metafile: true,
    minify: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    conditions: ['@x/source', 'module', 'import', 'browser'],
    mainFields: ['module', 'main'],
    write: false,
    logLevel: 'error',
  });
  const outputs = result.metafile.outputs;
  const gzipped = new Map(
    result.outputFiles.map((file) => [
      relative(process.cwd(), file.path),
      gzipSync(file.contents, { level: 9 }).length,
    ]),
  );
  const entryOut = Object.keys(outputs).find((out) => outputs[out]!.entryPoint !== undefined)!;
  const upFront = new Set<string>();
  const visit = (out: string) => {
    if (upFront.has(out)) return;
    upFront.add(out);
    for (const imported of outputs[out]!.imports)
      if (imported.kind === 'import-statement') visit(imported.path);
  };
  visit(entryOut);
  let loaded = 0;
  let lazy = 0;
  for (const [out, bytes] of gzipped) {
    if (upFront.has(out)) loaded += bytes;
    else lazy += bytes;
  }
  return { loaded, lazy };
}

let failures = 0;
const rows: string[][] = [['package', 'entry', 'min+gz', 'budget', '']];
for (const pkg of listPackages()) {
  for (const subpath of Object.keys(pkg.manifest.exports ?? {})) {
    if (nodeOnlySubpaths.has(subpath)) continue;
    const budget = budgets[pkg.manifest.name]?.[subpath];
    const { loaded, lazy } = await measure(sourceEntry(pkg, subpath));
    const bytes = loaded;
    const ok = budget !== undefined && bytes <= budget;
    if (!ok) failures++;
    rows.push([
      pkg.manifest.name,
      subpath,
      `${(bytes / 1024).toFixed(2)} KB`,
      budget === undefined ? 'none' : `${(budget / 1024).toFixed(2)} KB`,
      budget === undefined ? 'NO BUDGET' : ok ? 'ok' : 'OVER',
    ]);
    if (lazy > 0)
      rows.push(['', `${subpath} lazy chunks`, `${(lazy / 1024).toFixed(2)} KB`, '-', 'loaded on demand']);
  }
}
const widths = rows[0]!.map((_, col) => Math.max(...rows.map((r) => r[col]!.length)));
for (const r of rows)
  console.log(
    r
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd(),
  );
if (failures) {
  console.error(`\nsize budgets: ${failures} entr${failures === 1 ? 'y' : 'ies'} over budget or without one`);
  process.exit(1);
}
console.log('\nsize budgets: all entries within budget');
