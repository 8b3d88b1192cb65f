// Fails when an export of a public package has no TSDoc: typedoc validates every entry of every exports map
// (notDocumented, invalid links). With `--out <dir>` (`pnpm docs`) it also builds the API site there: one
// TypeDoc site per package and an index page linking them, with the same checks.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { listPackages, sourceEntry } from './workspace.ts';

/**
 * Drops typedoc's "has multiple declarations with a comment" warnings and the notes that follow them: a
 * valibot schema and the type inferred from it share a name, so every field comment is seen twice at the
 * same line. Everything else typedoc says is kept.
 */
function withoutSchemaNoise(output: string): string {
  const noise = [/has multiple declarations with a comment/, /The comments for .* are declared at:/, /^\t\S/];
  return output
    .split('\n')
    .filter((line) => !noise.some((pattern) => pattern.test(line)))
    .join('\n')
    .trim();
}

const outFlag = process.argv.indexOf('--out');
const outDir = outFlag > 0 ? resolve(process.argv[outFlag + 1] ?? '.tmp/api-docs') : undefined;

let failed = 0;
const built: string[] = [];
for (const pkg of listPackages()) {
  const entries = Object.keys(pkg.manifest.exports ?? {})
    .filter((subpath) => subpath !== './package.json')
    .flatMap((subpath) => ['--entryPoints', sourceEntry(pkg, subpath)]);
  try {
    execFileSync(
      'pnpm',
      [
        'exec',
        'typedoc',
        ...entries,
        '--tsconfig',
        join(pkg.dir, 'tsconfig.json'),
        ...(outDir
          ? ['--out', join(outDir, pkg.manifest.name.replace('/', '-')), '--name', pkg.manifest.name]
          : ['--emit', 'none']),
        '--disableSources',
        '--disableGit',
        '--validation.notExported',
        'false',
        '--validation.notDocumented',
        '--validation.invalidLink',
        '--treatValidationWarningsAsErrors',
        // Our prose says "the @x SDKs"; without this, typedoc reads "@x" as an unknown block tag.
        '--modifierTags',
        '@x',
        '--modifierTags',
        '@internal',
      ],
      { cwd: pkg.dir, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' },
    );
    console.log(`  ok    ${pkg.manifest.name}: every export documented`);
    built.push(pkg.manifest.name);
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    console.error(withoutSchemaNoise(stdout + stderr));
    failed++;
    console.error(`  FAIL  ${pkg.manifest.name}: undocumented exports (above)`);
  }
}
if (outDir && !failed) {
  mkdirSync(outDir, { recursive: true });
  const links = built.map((name) => `<li><a href="${name.replace('/', '-')}/index.html">${name}</a></li>`);
  writeFileSync(
    join(outDir, 'index.html'),
    `<!doctype html><meta charset="utf-8"><title>@x SDKs API</title><h1>@x SDKs API</h1><ul>${links.join('')}</ul>\n`,
  );
  console.log(`\nAPI site: ${join(outDir, 'index.html')}`);
}
if (failed) process.exit(1);
