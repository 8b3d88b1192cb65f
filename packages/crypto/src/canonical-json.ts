/**
 * Canonical JSON per RFC 8785 (JSON Canonicalization Scheme).
 *
 * @module
 */
import { isWellFormedString } from './codecs.ts';
import { CanonicalizationError } from './errors.ts';

// Escaped keys are cached across calls: documents repeat the same member names many times.
const keyCache = new Map<string, string>();
const KEY_CACHE_LIMIT = 4096;

// The output is built in one string (V8 ropes make `+=` cheap); both are swapped for re-entrant calls.
let out = '';
let ancestors: object[] = [];

/** Thrown inside the walk; each object level on the way out prepends its key, so the happy path pays nothing. */
class Failure {
  readonly path: (string | number)[] = [];
  constructor(readonly reason: string) {}
}

function quote(text: string): string {
  // JSON.stringify gives exactly the RFC 8785 string escapes, but writes a lone surrogate as `\udxxx` where
  // JCS has no answer; only then can `\ud` appear in its output after a non-escaped backslash.
  const quoted = JSON.stringify(text);
  if (quoted.includes('\\ud') && !isWellFormedString(text)) throw new Failure('string with a lone surrogate');
  return quoted;
}

function quoteKey(key: string): string {
  let quoted = keyCache.get(key);
  if (quoted === undefined) {
    quoted = `${quote(key)}:`;
    if (keyCache.size >= KEY_CACHE_LIMIT) keyCache.clear();
    keyCache.set(key, quoted);
  }
  return quoted;
}

function write(value: unknown, key: string): void {
  switch (typeof value) {
    case 'string':
      out += quote(value);
      return;
    case 'number':
      // Number#toString is exactly the ECMAScript serialisation RFC 8785 prescribes; String(-0) is '0'.
      if (value - value !== 0) throw new Failure(`non-finite number ${value}`);
      out += '' + value;
      return;
    case 'boolean':
      out += value ? 'true' : 'false';
      return;
    case 'bigint':
      // Exact integer digits (like the Python SDK), never rounded through a double.
      out += value.toString();
      return;
    case 'object':
      if (value === null) out += 'null';
      else writeObject(value, key);
      return;
    default:
      throw new Failure(`${typeof value} has no JSON form`);
  }
}

function writeObject(value: object, key: string): void {
  const toJSON = (value as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === 'function') {
    // Same contract as JSON.stringify (Date → ISO string); the result is canonicalized in turn.
    const replaced = toJSON.call(value, key);
    if (replaced === undefined) throw new Failure('toJSON returned undefined');
    write(replaced, key);
    return;
  }
  for (let i = 0; i < ancestors.length; i++) {
    if (ancestors[i] === value) throw new Failure('cycle');
  }
  if (Array.isArray(value)) {
    ancestors.push(value);
    out += '[';
    let i = 0;
    try {
      for (; i < value.length; i++) {
        if (i > 0) out += ',';
        const item = value[i];
        // JSON.stringify would write null here and change the value; refuse instead.
        if (item === undefined) throw new Failure('undefined array element');
        write(item, String(i));
      }
    } catch (error) {
      if (error instanceof Failure) error.path.unshift(i);
      throw error;
    }
    out += ']';
    ancestors.pop();
    return;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) {
    const unboxed = unbox(value);
    if (unboxed !== value) {
      write(unboxed, key);
      return;
    }
  }
  ancestors.push(value);
  const keys = Object.keys(value).sort();
  out += '{';
  let first = true;
  let k = '';
  try {
    for (let i = 0; i < keys.length; i++) {
      k = keys[i]!;
      const member = (value as Record<string, unknown>)[k];
      // Like JSON.stringify: an undefined member is the same as an absent one.
      if (member === undefined) continue;
      if (first) first = false;
      else out += ',';
      out += quoteKey(k);
      write(member, k);
    }
  } catch (error) {
    if (error instanceof Failure) error.path.unshift(k);
    throw error;
  }
  out += '}';
  ancestors.pop();
}

/** Unwraps boxed primitives; refuses objects JSON.stringify would silently turn into `{}`. */
function unbox(value: object): unknown {
  const tag = Object.prototype.toString.call(value);
  switch (tag) {
    case '[object Number]':
    case '[object String]':
    case '[object Boolean]':
    case '[object BigInt]':
      return (value as { valueOf(): unknown }).valueOf();
    case '[object Map]':
    case '[object Set]':
    case '[object WeakMap]':
    case '[object WeakSet]':
    case '[object ArrayBuffer]':
    case '[object SharedArrayBuffer]':
    case '[object Promise]':
    case '[object RegExp]':
    case '[object Error]':
      throw new Failure(`${tag.slice(8, -1)} has no JSON form`);
    default:
      if (ArrayBuffer.isView(value)) throw new Failure('binary data has no JSON form (encode it first)');
      return value;
  }
}

// Fast path: copy plain data into objects whose keys are inserted in sorted order, then let the engine's
// JSON.stringify (which writes string keys in insertion order, strings and numbers exactly as RFC 8785 does)
// produce the text. Anything it would not write canonically (bigint, toJSON, class instances, non-finite
// numbers, undefined array elements, functions, array-index keys which engines always list first,
// `__proto__`, nesting deep enough to be a cycle) bails out to the general writer above.
const BAIL: unique symbol = Symbol('bail');
const MAX_FAST_DEPTH = 200;

function isIndexKey(key: string): boolean {
  const c = key.charCodeAt(0);
  return c >= 48 && c <= 57 && /^(?:0|[1-9]\d{0,9})$/.test(key) && Number(key) < 4294967295;
}

function sortedCopy(value: unknown, depth: number): unknown {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      return value - value === 0 ? value : BAIL;
    case 'object': {
      if (value === null) return null;
      if (depth > MAX_FAST_DEPTH) return BAIL;
      if (Array.isArray(value)) {
        const copy = new Array(value.length);
        for (let i = 0; i < value.length; i++) {
          const item = value[i];
          const c = item === undefined ? BAIL : sortedCopy(item, depth + 1);
          if (c === BAIL) return BAIL;
          copy[i] = c;
        }
        return copy;
      }
      const proto = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) return BAIL;
      const keys = Object.keys(value).sort();
      const copy: Record<string, unknown> = {};
      for (let i = 0; i < keys.length; i++) {
        const k = keys[i]!;
        const member = (value as Record<string, unknown>)[k];
        if (member === undefined) continue;
        if (k === '__proto__' || isIndexKey(k)) return BAIL;
        const c = sortedCopy(member, depth + 1);
        if (c === BAIL) return BAIL;
        copy[k] = c;
      }
      return copy;
    }
    default:
      return BAIL;
  }
}

function canonicalizeFast(value: unknown): string | undefined {
  const copy = sortedCopy(value, 0);
  if (copy === BAIL) return undefined;
  let text: string;
  try {
    text = JSON.stringify(copy);
  } catch (error) {
    // Output too large for a string: the general writer reports it as a CanonicalizationError.
    if (error instanceof RangeError) return undefined;
    throw error;
  }
  // `\ud` appears only for a lone surrogate (refused) or a literal backslash before "ud": let the writer decide.
  return text.includes('\\ud') ? undefined : text;
}

function pathOf(path: (string | number)[]): string {
  let text = '$';
  for (const part of path) text += typeof part === 'number' ? `[${part}]` : `[${JSON.stringify(part)}]`;
  return text;
}

/**
 * Serialises a JSON-compatible value in the canonical form of RFC 8785 (JCS): no whitespace, object members
 * sorted by UTF-16 code units, numbers in ECMAScript shortest form (`-0` → `0`, `1e21`, `1e-7`), strings with
 * only the mandatory escapes (`\"`, `\\`, `\b \f \n \r \t`, other controls as lowercase `\u00xx`).
 * Hash or sign the UTF-8 bytes of the result.
 *
 * - `bigint` values are written as exact integers (`12345678901234567890n` → `12345678901234567890`).
 * - An object member whose value is `undefined` is skipped, as in `JSON.stringify`.
 * - `toJSON()` is honoured as in `JSON.stringify` (a `Date` becomes its ISO string).
 * - Boxed primitives are unwrapped; other class instances contribute their own enumerable string keys.
 *
 * @example
 * ```ts
 * canonicalize({ value: 42, action: 'test' }); // '{"action":"test","value":42}'
 * canonicalize([1.0, -0, 1e21, 12345678901234567890n]); // '[1,0,1e+21,12345678901234567890]'
 * ```
 * @throws {CanonicalizationError} for a non-finite number, a cycle, a lone surrogate in a string or key,
 *   `undefined` at the top level or as an array element, a function or symbol, or a Map, Set, RegExp,
 *   Error, Promise, ArrayBuffer or typed array.
 */
export function canonicalize(value: unknown): string {
  if (value === undefined) throw new CanonicalizationError('canonicalize: undefined has no JSON form');
  return canonicalizeFast(value) ?? canonicalizeGeneral(value);
}

/**
 * The general writer alone, without the JSON.stringify fast path. Same output as {@link canonicalize};
 * exported for the tests that prove the two paths agree, not from the package entry.
 *
 * @internal
 */
export function canonicalizeGeneral(value: unknown): string {
  if (value === undefined) throw new CanonicalizationError('canonicalize: undefined has no JSON form');
  const outer = out;
  const outerAncestors = ancestors;
  out = '';
  ancestors = [];
  try {
    write(value, '');
    return out;
  } catch (error) {
    if (error instanceof RangeError) {
      throw new CanonicalizationError('canonicalize: the value is too deeply nested or too large', {
        cause: error,
      });
    }
    if (!(error instanceof Failure)) throw error;
    // The path names keys only; values (which may be secrets) never reach the message.
    throw new CanonicalizationError(`canonicalize: ${error.reason} at ${pathOf(error.path)}`);
  } finally {
    out = outer;
    ancestors = outerAncestors;
  }
}
