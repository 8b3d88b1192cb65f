import { packageTestConfig } from '../../tooling/vitest.config.ts';

export default packageTestConfig();
