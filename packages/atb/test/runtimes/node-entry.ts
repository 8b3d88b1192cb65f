// Runs inside Bun (bundled by @x/tooling/runtimes, driven by ../agentauth.runtimes.test.ts): `@x/atb/node`
// refuses Bun at construction, whose `undici` is a stand-in that cannot dispatch or close.
import { AtbClient } from '../../src/node/index.ts';

/** Constructs an AtbClient and reports how it failed. */
export function construct(options: ConstructorParameters<typeof AtbClient>[0]) {
  try {
    new AtbClient(options);
    return { constructed: true };
  } catch (error) {
    return {
      name: (error as Error).name,
      code: (error as { code?: string }).code,
      message: (error as Error).message,
    };
  }
}
