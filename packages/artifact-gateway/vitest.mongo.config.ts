import { packageTestConfig } from '../../tooling/vitest.config.ts';

// Only the live MongoDB tests (see test/mongo.live.ts); `pnpm test:mongo` with MONGODB_URL set. The shared
// config's projects are replaced, not merged (mergeConfig would append them and run the whole suite).
const config = packageTestConfig({ edge: false });
config.test!.projects = [{ extends: true, test: { name: 'mongo', include: ['test/mongo.live.ts'] } }];
export default config;
