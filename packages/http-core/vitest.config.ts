import { packageTestConfig } from '../../tooling/vitest.config.ts';

const config = packageTestConfig();
// One shared loopback server for the tests that also run in the edge VM (see test/global-setup.ts).
config.test = { ...config.test, globalSetup: ['test/global-setup.ts'] };

export default config;
