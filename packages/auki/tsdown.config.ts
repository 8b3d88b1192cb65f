import { packageBuildConfig } from '../../tooling/tsdown.config.ts';

export default packageBuildConfig({
  index: 'src/index.ts',
  core: 'src/core/index.ts',
  testing: 'src/testing/index.ts',
});
