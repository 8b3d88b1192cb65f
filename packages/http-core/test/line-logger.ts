// A logger for tests that records each call as "<level> <message>".
import type { Logger } from '../src/index.ts';

/** A logger pushing `"<level> <message>"` into `lines` for every call. */
export function lineLogger(lines: string[]): Logger {
  const at = (level: string) => (message: string) => {
    lines.push(`${level} ${message}`);
  };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}
