import { defineConfig, type UserConfig } from 'tsdown';

/**
 * The one build config of every published package: ESM only, with `.d.ts`, neutral platform so the
 * output is `.js` / `.d.ts` (the names each package's `exports` map points at).
 */
export function packageBuildConfig(entry: Record<string, string>, overrides: UserConfig = {}): UserConfig {
  return defineConfig({
    entry,
    format: ['esm'],
    platform: 'neutral',
    target: 'es2022',
    dts: true,
    clean: true,
    sourcemap: false,
    treeshake: true,
    ...overrides,
  });
}
