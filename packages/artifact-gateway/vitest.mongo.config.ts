import { defineConfig, mergeConfig } from 'vitest/config';
import { packageTestConfig } from '../../tooling/vitest.config.ts';

// Only the live MongoDB tests (see test/mongo.live.ts); `pnpm test:mongo` with MONGODB_URL set.
export default mergeConfig(
  packageTestConfig({ edge: false }),
  defineConfig({
    test: { projects: [{ extends: true, test: { name: 'mongo', include: ['test/mongo.live.ts'] } }] },
  }),
);
