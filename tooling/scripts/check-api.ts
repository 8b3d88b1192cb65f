// The public surface of every package, as API Extractor reports it from the built `.d.ts` of each entry of
// its exports map, checked in as `packages/<name>/api/<entry>.api.md`. `pnpm check:api` fails when the surface
// differs from the report (CI); `pnpm api:update` rewrites the reports after an intended change.
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Extractor, ExtractorConfig, ExtractorLogLevel, type IConfigFile } from '@microsoft/api-extractor';
import { listPackages, repoRoot } from './workspace.ts';

const update = process.argv.includes('--update');

console.log('building packages…');
execFileSync(
  'pnpm',
  ['exec', 'turbo', 'run', 'build', '--filter=./packages/*', '--output-logs=errors-only'],
  {
    cwd: repoRoot,
    stdio: 'inherit',
  },
);

/** The report's file name for an export subpath: `.` is `index`, `./node` is `node`, `./a/b` is `a-b`. */
const reportName = (subpath: string) => (subpath === '.' ? 'index' : subpath.slice(2).replaceAll('/', '-'));

let failed = 0;
let changed = 0;
for (const pkg of listPackages()) {
  const exports = pkg.manifest.exports ?? {};
  for (const [subpath, target] of Object.entries(exports)) {
    if (subpath === './package.json' || typeof target !== 'object' || target === null) continue;
    const types = (target as Record<string, string>)['types'];
    if (!types) continue;
    const label = `${pkg.manifest.name}${subpath === '.' ? '' : subpath.slice(1)}`;
    const tempFolder = join(repoRoot, '.tmp', 'api', pkg.manifest.name.replace('/', '-'));
    mkdirSync(tempFolder, { recursive: true });
    mkdirSync(join(pkg.dir, 'api'), { recursive: true });
    const configObject: IConfigFile = {
      projectFolder: pkg.dir,
      mainEntryPointFilePath: join(pkg.dir, types),
      compiler: {
        overrideTsconfig: {
          compilerOptions: {
            target: 'es2022',
            module: 'esnext',
            moduleResolution: 'bundler',
            lib: ['es2023', 'dom', 'dom.iterable', 'esnext.disposable'],
            types: ['node'],
            typeRoots: [join(repoRoot, 'node_modules', '@types')],
            strict: true,
            skipLibCheck: true,
          },
        },
      },
      apiReport: {
        enabled: true,
        reportFolder: join(pkg.dir, 'api'),
        reportTempFolder: tempFolder,
        reportFileName: `${reportName(subpath)}.api.md`,
      },
      docModel: { enabled: false },
      dtsRollup: { enabled: false },
      tsdocMetadata: { enabled: false },
      messages: {
        // TSDoc coverage is check:docs' job; release tags are not used in this repo.
        extractorMessageReporting: { default: { logLevel: ExtractorLogLevel.None } },
        tsdocMessageReporting: { default: { logLevel: ExtractorLogLevel.None } },
        compilerMessageReporting: { default: { logLevel: ExtractorLogLevel.Warning } },
      },
    };
    const config = ExtractorConfig.prepare({
      configObject,
      configObjectFullPath: undefined,
      packageJsonFullPath: join(pkg.dir, 'package.json'),
    });
    const result = Extractor.invoke(config, { localBuild: update, messageCallback: quietInfo });
    if (result.apiReportChanged) changed++;
    if (!result.succeeded || (!update && result.apiReportChanged)) {
      failed++;
      console.error(
        `  FAIL  ${label}: ${result.apiReportChanged ? 'the public API differs from api/' + reportName(subpath) + '.api.md (run pnpm api:update and commit it)' : `${result.errorCount} errors`}`,
      );
    } else console.log(`  ${result.apiReportChanged ? 'wrote' : 'ok   '} ${label}`);
  }
}

/** API Extractor's own progress lines, which say nothing the summary does not. */
function quietInfo(message: { logLevel: ExtractorLogLevel; handled: boolean }): void {
  if (message.logLevel === ExtractorLogLevel.Info || message.logLevel === ExtractorLogLevel.Verbose)
    message.handled = true;
}

if (failed) {
  console.error(`\nAPI reports: ${failed} out of date or failing`);
  process.exit(1);
}
console.log(update ? `\nAPI reports: ${changed} rewritten` : '\nAPI reports: all match the public API');
