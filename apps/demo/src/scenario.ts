import type { Sandbox } from '@x/sandbox';

/** What every chapter of the tour can use: the sandbox with every fake service, started once. */
export interface DemoContext {
  sandbox: Sandbox;
}

/** One chapter of the tour: a title and a function that prints what it shows. */
export interface Scenario {
  title: string;
  /** Runs the chapter; may resolve with a one-line outcome (a string) for the summary table. */
  run(say: (line: string) => void, context: DemoContext): Promise<unknown>;
}

/** Fails the tour loudly when something the demo shows is not what it claims. */
export function check(condition: unknown, what: string): asserts condition {
  if (!condition) throw new Error(`demo check failed: ${what}`);
}
