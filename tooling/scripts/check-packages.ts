// For every public package: build, pack the tarball, run publint --strict and attw (esm-only) on it, then
// install the tarball alone into a scratch project outside the workspace and run its README quick start
// there. That is the proof that a user can install just the package they need.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { extractQuickStart } from '../readme.ts';
import { listPackages, type PackageManifest, repoRoot, type WorkspacePackage } from './workspace.ts';

const run = (command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env) => {
  execFileSync(command, args, { cwd, stdio: 'inherit', env });
};

const packages = listPackages();
const byName = new Map(packages.map((pkg) => [pkg.manifest.name, pkg]));
const rootManifest = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as PackageManifest;

console.log('building packages…');
run(
  'pnpm',
  ['exec', 'turbo', 'run', 'build', '--filter=./packages/*', '--output-logs=errors-only'],
  repoRoot,
);

const packDir = join(repoRoot, '.tmp', 'packs');
rmSync(packDir, { recursive: true, force: true });
mkdirSync(packDir, { recursive: true });
const tarballs = new Map<string, string>();
for (const pkg of packages) {
  const before = new Set(readdirSync(packDir));
  execFileSync('pnpm', ['pack', '--pack-destination', packDir], { cwd: pkg.dir, stdio: 'pipe' });
  const created = readdirSync(packDir).find((file) => !before.has(file));
  if (!created) throw new Error(`pnpm pack produced no tarball for ${pkg.manifest.name}`);
  tarballs.set(pkg.manifest.name, join(packDir, created));
}

let failed = 0;
const step = (label: string, action: () => void) => {
  try {
    action();
    console.log(`  ok    ${label}`);
  } catch (error) {
    failed++;
    console.error(`  FAIL  ${label}: ${(error as Error).message.split('\n')[0]}`);
  }
};

/** The workspace packages a package needs at run time, itself included, transitively. */
function workspaceClosure(name: string, seen = new Set<string>()): Set<string> {
  if (seen.has(name)) return seen;
  seen.add(name);
  for (const dep of Object.keys(byName.get(name)?.manifest.dependencies ?? {})) {
    if (byName.has(dep)) workspaceClosure(dep, seen);
  }
  return seen;
}

/** The version range to install for a third-party package the quick start imports. */
function versionOf(dep: string, pkg: WorkspacePackage): string {
  const m = pkg.manifest;
  const range =
    m.dependencies?.[dep] ??
    m.devDependencies?.[dep] ??
    m.peerDependencies?.[dep] ??
    rootManifest.devDependencies?.[dep];
  if (!range)
    throw new Error(`${m.name}: the quick start imports ${dep}, which the package does not declare`);
  return range;
}

function importedPackages(code: string): string[] {
  const specifiers = [...code.matchAll(/(?:from|import)\s*\(?\s*['"]([^'"]+)['"]/g)].map(
    (match) => match[1]!,
  );
  const names = specifiers
    .filter((s) => !s.startsWith('.') && !s.startsWith('node:'))
    .map((s) => (s.startsWith('@') ? s.split('/').slice(0, 2).join('/') : s.split('/')[0]!));
  return [...new Set(names)];
}

for (const pkg of packages) {
  const name = pkg.manifest.name;
  const tarball = tarballs.get(name)!;
  console.log(`\n${name} (${tarball.split('/').pop()})`);
  step('runtime dependencies in caret ranges', () => {
    // An exact pin makes two of our packages in one app install two copies of the same library.
    const pinned = Object.entries(pkg.manifest.dependencies ?? {}).filter(
      ([, range]) => !range.startsWith('^') && !range.startsWith('workspace:'),
    );
    if (pinned.length)
      throw new Error(`pinned: ${pinned.map(([dep, range]) => `${dep}@${range}`).join(', ')} (use ^)`);
  });
  step('publint --strict', () => run('pnpm', ['exec', 'publint', '--strict', tarball], repoRoot));
  step('attw --profile esm-only', () =>
    run('pnpm', ['exec', 'attw', tarball, '--profile', 'esm-only', '--format', 'table-flipped'], repoRoot),
  );
  step('installed alone, README quick start runs', () => {
    const code = extractQuickStart(join(pkg.dir, 'README.md'));
    const scratch = mkdtempSync(join(tmpdir(), 'x-pack-check-'));
    try {
      const dependencies: Record<string, string> = { tsx: rootManifest.devDependencies!.tsx! };
      const overrides: Record<string, string> = {};
      for (const dep of importedPackages(code)) {
        if (byName.has(dep)) {
          for (const member of workspaceClosure(dep)) {
            const spec = `file:${tarballs.get(member)}`;
            dependencies[member] = spec;
            overrides[member] = spec;
            // Optional peers (hono for ./testing) are what a user of those subpaths installs too.
            const memberPkg = byName.get(member)!;
            for (const peer of Object.keys(memberPkg.manifest.peerDependencies ?? {})) {
              dependencies[peer] ??= versionOf(peer, memberPkg);
            }
          }
        } else {
          dependencies[dep] = versionOf(dep, pkg);
        }
      }
      writeFileSync(
        join(scratch, 'package.json'),
        JSON.stringify({ name: 'scratch', private: true, type: 'module', dependencies, overrides }, null, 2),
      );
      writeFileSync(join(scratch, 'quickstart.ts'), code);
      run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], scratch);
      const env = { ...process.env };
      delete env.NODE_OPTIONS;
      run(process.execPath, ['--import', 'tsx', 'quickstart.ts'], scratch, env);
      checkConsumers(pkg, scratch, env);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });
}

/**
 * What a consumer project sees in the installed tarball: its types under `moduleResolution` `bundler`,
 * `node16` and `nodenext` (an ESM project), and `require()` of the default entry from CommonJS (Node 22's
 * `require(esm)`).
 */
function checkConsumers(pkg: WorkspacePackage, scratch: string, env: NodeJS.ProcessEnv): void {
  const name = pkg.manifest.name;
  const subpaths = Object.keys(pkg.manifest.exports ?? {}).filter((subpath) => subpath !== './package.json');
  const specifiers = subpaths.map((subpath) => (subpath === '.' ? name : `${name}/${subpath.slice(2)}`));
  writeFileSync(
    join(scratch, 'types.ts'),
    specifiers
      .map(
        (spec, i) =>
          `import type * as entry${i} from '${spec}';\nexport type Entry${i} = typeof entry${i};\n`,
      )
      .join(''),
  );
  const tsc = join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc');
  const settings: Array<[string, Record<string, string>]> = [
    ['bundler', { module: 'esnext', moduleResolution: 'bundler' }],
    ['node16', { module: 'node16', moduleResolution: 'node16' }],
    ['nodenext', { module: 'nodenext', moduleResolution: 'nodenext' }],
  ];
  for (const [label, resolution] of settings) {
    writeFileSync(
      join(scratch, `tsconfig.${label}.json`),
      JSON.stringify({
        compilerOptions: {
          ...resolution,
          target: 'es2022',
          lib: ['es2023', 'dom', 'dom.iterable'],
          strict: true,
          noEmit: true,
          skipLibCheck: true,
          types: ['node'],
          typeRoots: [join(repoRoot, 'node_modules', '@types')],
        },
        files: ['types.ts'],
      }),
    );
    run(process.execPath, [tsc, '-p', `tsconfig.${label}.json`], scratch, env);
  }
  // A CommonJS program: `require` of an ES module works on Node 22 and 24 (no top-level await in ours), and
  // TypeScript compiles a CommonJS file importing it under `module: nodenext` (TS ≥ 5.8; node16 says TS1479).
  run(process.execPath, ['--eval', `require(${JSON.stringify(name)})`], scratch, env);
  const cjs = join(scratch, 'cjs');
  mkdirSync(cjs);
  writeFileSync(join(cjs, 'package.json'), JSON.stringify({ type: 'commonjs' }));
  writeFileSync(
    join(cjs, 'index.ts'),
    `import * as entry from '${name}';\nconsole.log(Object.keys(entry).length > 0);\n`,
  );
  run(
    process.execPath,
    [
      tsc,
      '--module',
      'nodenext',
      '--moduleResolution',
      'nodenext',
      '--target',
      'es2022',
      '--skipLibCheck',
      '--types',
      'node',
      '--typeRoots',
      join(repoRoot, 'node_modules', '@types'),
      '--outDir',
      'out',
      'index.ts',
    ],
    cjs,
    env,
  );
  run(process.execPath, [join('out', 'index.js')], cjs, env);
}

if (failed) {
  console.error(`\npackage checks: ${failed} failed`);
  process.exit(1);
}
console.log('\npackage checks: all passed');
