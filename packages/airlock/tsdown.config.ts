import { packageBuildConfig } from '../../tooling/tsdown.config.ts';

export default packageBuildConfig({
  index: 'src/index.ts',
  auth: 'src/auth/index.ts',
  node: 'src/node/index.ts',
  testing: 'src/testing/index.ts',
});
