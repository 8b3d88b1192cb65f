import { defineConfig } from 'vitest/config';

/** Workspace packages resolve each other's `src/` through this export condition: no build before tests. */
export const sourceCondition = '@x/source';

/**
 * The shared vitest config: two projects. `node` runs every test; `edge` runs the tests of code meant for
 * browsers and edge runtimes inside the edge-runtime VM, proving it needs no Node built-ins.
 * Files named `*.node.test.ts` use Node-only features (loopback servers, files) and run only in `node`.
 */
export function packageTestConfig(options: { edge?: boolean; testTimeout?: number } = {}) {
  const conditions = [sourceCondition, 'module', 'browser', 'development|production'];
  const nodeConditions = [sourceCondition, 'module', 'node', 'development|production'];
  const projects = [
    {
      extends: true as const,
      test: { name: 'node', environment: 'node' as const, include: ['test/**/*.test.ts'] },
    },
  ];
  if (options.edge !== false) {
    projects.push({
      extends: true as const,
      test: {
        name: 'edge',
        environment: 'edge-runtime' as never,
        include: ['test/**/*.test.ts'],
        exclude: ['test/**/*.node.test.ts'],
        setupFiles: [new URL('./edge-setup.ts', import.meta.url).pathname],
      } as never,
    });
  }
  return defineConfig({
    resolve: { conditions },
    ssr: { resolve: { conditions: nodeConditions, externalConditions: [sourceCondition] } },
    test: {
      testTimeout: options.testTimeout ?? 20_000,
      hookTimeout: 20_000,
      projects,
    },
  });
}
