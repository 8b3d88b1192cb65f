import { defineConfig, type TestProjectInlineConfiguration } from 'vitest/config';
import type {} from './runtimes.ts';

/** Workspace packages resolve each other's `src/` through this export condition: no build before tests. */
export const sourceCondition = '@x/source';

/** Files that run once per other runtime (Bun, Deno, workerd) through tooling/runtimes.ts. */
const runtimeTests = 'test/**/*.runtimes.test.ts';

/**
 * The shared vitest config. `node` runs every test; `edge` runs the tests of code meant for browsers and
 * edge runtimes inside the edge-runtime VM, with Node's extra globals hidden (edge-setup.ts). Files named
 * `*.node.test.ts` use Node-only features (loopback servers, files) and run only in `node`. Files named
 * `*.runtimes.test.ts` run in the projects `bun`, `deno` and `workerd`: each drives that real runtime
 * (tooling/runtimes.ts) from Node and reads which one with `inject('runtime')`.
 */
export function packageTestConfig(options: { edge?: boolean; testTimeout?: number } = {}) {
  const projects: TestProjectInlineConfiguration[] = [
    {
      extends: true,
      test: { name: 'node', environment: 'node', include: ['test/**/*.test.ts'], exclude: [runtimeTests] },
    },
  ];
  for (const runtime of ['bun', 'deno', 'workerd'] as const) {
    projects.push({
      extends: true,
      test: { name: runtime, environment: 'node', include: [runtimeTests], provide: { runtime } },
    });
  }
  if (options.edge !== false) {
    projects.push({
      extends: true,
      test: {
        name: 'edge',
        environment: 'edge-runtime',
        include: ['test/**/*.test.ts'],
        exclude: ['test/**/*.node.test.ts', runtimeTests],
        setupFiles: [new URL('./edge-setup.ts', import.meta.url).pathname],
      },
    });
  }
  return defineConfig({
    resolve: { conditions: [sourceCondition, 'module', 'browser', 'development|production'] },
    ssr: {
      resolve: {
        conditions: [sourceCondition, 'module', 'node', 'development|production'],
        externalConditions: [sourceCondition],
      },
    },
    test: {
      // Generous: CI machines have 2 cores and run every package at once; a timeout means "hung", not "slow".
      testTimeout: options.testTimeout ?? 60_000,
      hookTimeout: 60_000,
      projects,
    },
  });
}
