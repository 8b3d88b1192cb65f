import { packageTestConfig } from '../../tooling/vitest.config.ts';

export default packageTestConfig({ edge: false, testTimeout: 60_000 });
