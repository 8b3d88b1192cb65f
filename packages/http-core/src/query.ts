/** A value {@link serializeQuery} accepts for one key. `undefined` and `null` are skipped. */
export type QueryValue = string | number | bigint | boolean | Date | null | undefined;

/** A query object: each key maps to a value or an array of values. */
export type Query = Record<string, QueryValue | readonly QueryValue[]>;

/** How {@link serializeQuery} writes arrays. */
export interface QueryOptions {
  /** `'repeat'` (default): `a=1&a=2`; `'comma'`: `a=1,2`; `'brackets'`: `a[]=1&a[]=2`. */
  arrayFormat?: 'repeat' | 'comma' | 'brackets';
}

function scalar(value: Exclude<QueryValue, null | undefined>): string {
  return value instanceof Date ? value.toISOString() : String(value);
}

/**
 * Serialises a query object to a string without the leading `?`: keys sorted so the same object always
 * gives the same string (cache keys, signatures), `undefined`/`null` skipped, booleans as `true`/`false`,
 * dates as ISO 8601, arrays as configured.
 *
 * @example
 * ```ts
 * serializeQuery({ tag: ['a', 'b'], limit: 10, after: undefined }); // 'limit=10&tag=a&tag=b'
 * ```
 */
export function serializeQuery(query: Query, options: QueryOptions = {}): string {
  const params = new URLSearchParams();
  const format = options.arrayFormat ?? 'repeat';
  for (const key of Object.keys(query).sort()) {
    const value = query[key];
    if (value === undefined || value === null) continue;
    if (!Array.isArray(value)) {
      params.append(key, scalar(value as Exclude<QueryValue, null | undefined>));
      continue;
    }
    const items = (value as readonly QueryValue[])
      .filter((v) => v !== undefined && v !== null)
      .map((v) => scalar(v!));
    if (format === 'comma') {
      if (items.length) params.append(key, items.join(','));
    } else {
      for (const item of items) params.append(format === 'brackets' ? `${key}[]` : key, item);
    }
  }
  return params.toString();
}

/**
 * What is wrong with `value` as one URL path segment, or `undefined` when it is safe: empty, `.` or `..`
 * (also as `%2e`; they would resolve to another route), or containing `/`, `\`, `?`, `#`, a percent-encoded slash or
 * backslash (`%2F`, `%5C`, any case) or a control character. Service clients refuse such ids with their own
 * validation error before any request is made.
 *
 * @example
 * ```ts
 * const problem = pathSegmentProblem(requestId);
 * if (problem) throw new MyInputError(`requestId ${problem}.`);
 * ```
 */
export function pathSegmentProblem(value: unknown): string | undefined {
  if (typeof value !== 'string' || value === '') return 'must be a non-empty string';
  // `%2e` is a dot too once a server decodes it.
  if (/^(?:\.|%2e){1,2}$/i.test(value)) return `must not be the dot segment "${value}"`;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused.
  if (/[/\\?#\u0000-\u001f\u007f]|%2f|%5c/i.test(value))
    return 'must not contain "/", "\\", "?", "#", "%2F", "%5C" or control characters';
  return undefined;
}
