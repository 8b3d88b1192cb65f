import { packageTestConfig } from '../../tooling/vitest.config.ts';

// The tests drive the program in a real terminal (tmux) against the fakes: Node only, and slow under load.
export default packageTestConfig({ edge: false, testTimeout: 120_000 });
