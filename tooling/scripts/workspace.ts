import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The repository root (two levels above this file). */
export const repoRoot = resolve(import.meta.dirname, '..', '..');

/** A package.json as far as the checks read it. */
export interface PackageManifest {
  name: string;
  version: string;
  private?: boolean;
  exports?: Record<string, unknown>;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}

/** A workspace package with its folder. */
export interface WorkspacePackage {
  dir: string;
  manifest: PackageManifest;
}

/** Every package under packages/, public ones only unless `includePrivate`. */
export function listPackages(includePrivate = false): WorkspacePackage[] {
  const root = join(repoRoot, 'packages');
  return readdirSync(root, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => {
      const dir = join(root, entry.name);
      const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as PackageManifest;
      return { dir, manifest };
    })
    .filter((pkg) => includePrivate || !pkg.manifest.private)
    .sort((a, b) => a.manifest.name.localeCompare(b.manifest.name));
}

/** The source file behind an export subpath (its `@x/source` condition). */
export function sourceEntry(pkg: WorkspacePackage, subpath: string): string {
  const target = pkg.manifest.exports?.[subpath];
  const source =
    target && typeof target === 'object' ? (target as Record<string, string>)['@x/source'] : undefined;
  if (!source) throw new Error(`${pkg.manifest.name}: export "${subpath}" has no @x/source condition`);
  return join(pkg.dir, source);
}
