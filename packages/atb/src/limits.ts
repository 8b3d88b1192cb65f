/**
 * AgentAuth's input limits on `con` and `leg`, checked before sending so bad input fails with a
 * clear error instead of a 400.
 *
 * @module
 */

/** The deepest JSON nesting AgentAuth accepts in `con` / `leg`. */
export const MAX_JSON_DEPTH = 10;
/** The longest string AgentAuth accepts in `con` / `leg`. */
export const MAX_JSON_STRING = 4096;

/**
 * Why `value` breaks AgentAuth's limits (depth > 10, a string over 4096 characters, a NUL), or `undefined`.
 * The top-level object counts as depth 1.
 */
export function jsonLimitProblem(value: unknown, path = '', depth = 1): string | undefined {
  if (typeof value === 'string') {
    if (value.length > MAX_JSON_STRING)
      return `${path || 'value'} is longer than ${MAX_JSON_STRING} characters`;
    if (value.includes('\0')) return `${path || 'value'} contains a NUL character`;
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  if (depth > MAX_JSON_DEPTH) return `${path || 'value'} is nested deeper than ${MAX_JSON_DEPTH} levels`;
  const entries = Array.isArray(value) ? value.map((x, i) => [String(i), x] as const) : Object.entries(value);
  for (const [key, child] of entries) {
    if (key.includes('\0')) return `${path || 'value'} has a key with a NUL character`;
    const problem = jsonLimitProblem(child, path ? `${path}.${key}` : key, depth + 1);
    if (problem) return problem;
  }
  return undefined;
}
