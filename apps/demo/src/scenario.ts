/** One chapter of the tour: a title and a function that prints what it shows. */
export interface Scenario {
  title: string;
  run(say: (line: string) => void): Promise<void>;
}

/** Fails the tour loudly when something the demo shows is not what it claims. */
export function check(condition: unknown, what: string): asserts condition {
  if (!condition) throw new Error(`demo check failed: ${what}`);
}
