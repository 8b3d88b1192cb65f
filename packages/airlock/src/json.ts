/**
 * A strict JSON parser that keeps integers beyond 2^53 exact (as `bigint`), so canonicalizing a payload never
 * silently changes a large id the approver is asked about (JSON.parse would round it). Everything else reads
 * as JSON.parse reads it; the last of duplicate keys wins.
 *
 * @module
 */

const NUMBER = /-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;
const MAX_DEPTH = 512;

/** Thrown for text that is not JSON; `message` says where. */
export class JsonSyntaxError extends SyntaxError {}

/**
 * Parses JSON text. Integers outside the safe range come back as `bigint`, other numbers as `number`.
 *
 * @throws {JsonSyntaxError} when the text is not a single JSON value or nests deeper than 512 levels.
 */
export function parseJsonExact(text: string): unknown {
  let i = 0;
  const fail = (what: string): never => {
    throw new JsonSyntaxError(`${what} at position ${i}`);
  };
  const space = () => {
    for (let c = text.charCodeAt(i); c === 32 || c === 9 || c === 10 || c === 13; c = text.charCodeAt(++i));
  };
  const value = (depth: number): unknown => {
    if (depth > MAX_DEPTH) fail('JSON nested too deeply');
    space();
    const c = text[i];
    if (c === '{') {
      i++;
      const out: Record<string, unknown> = {};
      space();
      if (text[i] === '}') {
        i++;
        return out;
      }
      for (;;) {
        space();
        if (text[i] !== '"') fail('Expected a string key');
        const key = string();
        space();
        if (text[i++] !== ':') fail('Expected ":"');
        // defineProperty, so a "__proto__" key is data, not a prototype change.
        Object.defineProperty(out, key, {
          value: value(depth + 1),
          enumerable: true,
          writable: true,
          configurable: true,
        });
        space();
        const next = text[i++];
        if (next === '}') return out;
        if (next !== ',') fail('Expected "," or "}"');
      }
    }
    if (c === '[') {
      i++;
      const out: unknown[] = [];
      space();
      if (text[i] === ']') {
        i++;
        return out;
      }
      for (;;) {
        out.push(value(depth + 1));
        space();
        const next = text[i++];
        if (next === ']') return out;
        if (next !== ',') fail('Expected "," or "]"');
      }
    }
    if (c === '"') return string();
    for (const [word, literal] of [
      ['true', true],
      ['false', false],
      ['null', null],
    ] as const) {
      if (text.startsWith(word, i)) {
        i += word.length;
        return literal;
      }
    }
    NUMBER.lastIndex = i;
    const m = NUMBER.exec(text);
    if (!m) return fail('Unexpected character');
    i = NUMBER.lastIndex;
    const n = Number(m[0]);
    return m[1] === undefined && m[2] === undefined && !Number.isSafeInteger(n) ? BigInt(m[0]) : n;
  };
  const string = (): string => {
    const start = i;
    for (i++; i < text.length; i++) {
      const ch = text[i];
      if (ch === '\\') i++;
      else if (ch === '"') {
        i++;
        // JSON.parse checks escapes and refuses raw control characters for us.
        return JSON.parse(text.slice(start, i)) as string;
      }
    }
    return fail('Unterminated string');
  };
  const result = value(0);
  space();
  if (i < text.length) fail('Unexpected text after the JSON value');
  return result;
}
