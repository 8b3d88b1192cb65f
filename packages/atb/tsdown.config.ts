import { packageBuildConfig } from '../../tooling/tsdown.config.ts';

export default packageBuildConfig({
  index: 'src/index.ts',
  node: 'src/node/index.ts',
  testing: 'src/testing/index.ts',
});
