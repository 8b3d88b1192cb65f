import { packageBuildConfig } from '../../tooling/tsdown.config.ts';

export default packageBuildConfig({
  index: 'src/index.ts',
  node: 'src/node/index.ts',
  client: 'src/client/index.ts',
  host: 'src/host/index.ts',
  testing: 'src/testing/index.ts',
});
