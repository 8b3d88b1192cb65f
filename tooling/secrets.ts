/**
 * Every place a secret could leak from an error or a log line, for the "no secret in an error" tests of
 * each package: a test sends a marker secret through a real error path and asserts none of these
 * contains it.
 *
 * @module
 */
import { inspect } from 'node:util';

/** A logger (the `@x/http-core` shape) recording each call with its data as one line of text. */
export function recordingLogger(lines: string[]) {
  const at = (level: string) => (message: string, data?: unknown) => {
    lines.push(`${level} ${message} ${data === undefined ? '' : inspect(data, { depth: 10 })}`);
  };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/** The error as `util.inspect`, `JSON.stringify`, `String()`, its message and stack show it, plus `logLines`. */
export function secretExposures(error: unknown, logLines: readonly string[] = []): string[] {
  const e = error as Error;
  return [
    inspect(error, { depth: 10 }),
    JSON.stringify(error) ?? '',
    String(error),
    String(e?.message),
    String(e?.stack),
    ...logLines,
  ];
}
