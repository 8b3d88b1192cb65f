import { packageTestConfig } from '../../tooling/vitest.config.ts';

export default packageTestConfig({ edge: false, testTimeout: 180_000 });
