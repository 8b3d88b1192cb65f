// Fails when an export of a public package has no TSDoc: typedoc validates every entry of every exports map
// (notDocumented, invalid links) and emits nothing.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { listPackages, sourceEntry } from './workspace.ts';

let failed = 0;
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
        '--emit',
        'none',
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
      { cwd: pkg.dir, stdio: 'inherit' },
    );
    console.log(`  ok    ${pkg.manifest.name}: every export documented`);
  } catch {
    failed++;
    console.error(`  FAIL  ${pkg.manifest.name}: undocumented exports (above)`);
  }
}
if (failed) process.exit(1);
