import { packageBuildConfig } from '../../tooling/tsdown.config.ts';

export default packageBuildConfig({
  index: 'src/index.ts',
  hono: 'src/hono.ts',
  express: 'src/express.ts',
  node: 'src/node/index.ts',
  testing: 'src/testing/index.ts',
});
