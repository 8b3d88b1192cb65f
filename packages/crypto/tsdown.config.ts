import { packageBuildConfig } from '../../tooling/tsdown.config.ts';

export default packageBuildConfig(
  {
    index: 'src/index.ts',
    // The two targets of the `#node-crypto-backend` import (package.json `imports`), which stays an import so
    // that the consumer's conditions pick one: node:crypto, or nothing of it in browser bundles.
    'backend-node-crypto': 'src/backend-node-crypto.ts',
    'backend-node-crypto.browser': 'src/backend-node-crypto.browser.ts',
  },
  { deps: { neverBundle: ['#node-crypto-backend'] } },
);
