/**
 * The validation layer in front of MongoDB: unambiguous collection names and filters/updates
 * checked recursively. Server-side JavaScript (`$where`, `$function`, `$accumulator`) is refused anywhere,
 * only known query and update operators pass, and depth, size, regex length and limits are bounded.
 *
 * @module
 */
import { invalidRequest } from './errors.ts';
import { checkId, checkName } from './names.ts';
import type { StorageScope } from './scopes.ts';

/** Operators that run JavaScript on the server: refused at any depth. */
export const SERVER_JS_OPERATORS: ReadonlySet<string> = new Set(['$where', '$function', '$accumulator']);

/** Query operators a filter may use. */
export const QUERY_OPERATORS: ReadonlySet<string> = new Set([
  '$eq',
  '$ne',
  '$gt',
  '$gte',
  '$lt',
  '$lte',
  '$in',
  '$nin',
  '$and',
  '$or',
  '$nor',
  '$not',
  '$exists',
  '$type',
  '$regex',
  '$options',
  '$all',
  '$elemMatch',
  '$size',
  '$mod',
]);

/** Update operators an upsert may use. */
export const UPDATE_OPERATORS: ReadonlySet<string> = new Set([
  '$set',
  '$unset',
  '$inc',
  '$mul',
  '$min',
  '$max',
  '$rename',
  '$setOnInsert',
  '$currentDate',
  '$push',
  '$addToSet',
  '$pull',
  '$pullAll',
  '$pop',
  '$each',
  '$position',
  '$slice',
  '$sort',
]);

/** Limits of {@link checkFilter} and {@link checkUpdate}. */
export interface DocumentLimits {
  /** Deepest nesting (default 16). */
  maxDepth?: number;
  /** Largest JSON size in bytes (default 256 KiB). */
  maxBytes?: number;
  /** Longest `$regex` pattern (default 256 characters). */
  maxRegexLength?: number;
}

function walk(
  value: unknown,
  allowed: ReadonlySet<string>,
  depth: number,
  limits: Required<DocumentLimits>,
  at: string,
): void {
  if (depth > limits.maxDepth) throw invalidRequest(`${at} is nested deeper than ${limits.maxDepth} levels`);
  if (Array.isArray(value)) {
    value.forEach((item, i) => {
      walk(item, allowed, depth + 1, limits, `${at}[${i}]`);
    });
    return;
  }
  if (value === null || typeof value !== 'object') return;
  for (const [key, inner] of Object.entries(value)) {
    if (key.includes('\u0000')) throw invalidRequest(`${at} has a key with a NUL character`);
    if (SERVER_JS_OPERATORS.has(key)) throw invalidRequest(`${key} (server-side JavaScript) is not allowed`);
    if (key.startsWith('$') && !allowed.has(key)) throw invalidRequest(`operator ${key} is not allowed`);
    if (key === '$regex' && typeof inner === 'string' && inner.length > limits.maxRegexLength)
      throw invalidRequest(`$regex patterns are limited to ${limits.maxRegexLength} characters`);
    walk(inner, allowed, depth + 1, limits, `${at}.${key}`);
  }
}

function resolveLimits(limits: DocumentLimits): Required<DocumentLimits> {
  return {
    maxDepth: limits.maxDepth ?? 16,
    maxBytes: limits.maxBytes ?? 256 * 1024,
    maxRegexLength: limits.maxRegexLength ?? 256,
  };
}

function checkObject(
  value: unknown,
  what: string,
  limits: Required<DocumentLimits>,
): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw invalidRequest(`${what} must be an object`);
  if (new TextEncoder().encode(JSON.stringify(value)).byteLength > limits.maxBytes)
    throw invalidRequest(`${what} is larger than ${limits.maxBytes} bytes`);
  return value as Record<string, unknown>;
}

/**
 * Checks a find/delete filter.
 *
 * @throws {ArtifactGatewayError} `invalid_request` naming the refused operator or limit.
 */
export function checkFilter(filter: unknown, limits: DocumentLimits = {}): Record<string, unknown> {
  const resolved = resolveLimits(limits);
  const object = checkObject(filter, 'filter', resolved);
  walk(object, QUERY_OPERATORS, 0, resolved, 'filter');
  return object;
}

/**
 * Checks an upsert's update document: every top-level key an update operator, values free of operators
 * other than the array modifiers, and no server-side JavaScript anywhere.
 *
 * @throws {ArtifactGatewayError} `invalid_request`.
 */
export function checkUpdate(update: unknown, limits: DocumentLimits = {}): Record<string, unknown> {
  const resolved = resolveLimits(limits);
  const object = checkObject(update, 'update', resolved);
  const keys = Object.keys(object);
  if (keys.length === 0) throw invalidRequest('update must not be empty');
  for (const key of keys)
    if (!key.startsWith('$'))
      throw invalidRequest('update must use operators such as $set (found a plain field)');
  walk(object, UPDATE_OPERATORS, 0, resolved, 'update');
  return object;
}

/**
 * Checks a find limit: a whole number from 1 to 10 000 (default 100).
 *
 * @throws {ArtifactGatewayError} `invalid_request`.
 */
export function checkLimit(limit: unknown, max = 10_000): number {
  if (limit === undefined || limit === null) return 100;
  if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > max)
    throw invalidRequest(`limit must be a whole number from 1 to ${max}`);
  return limit;
}

/**
 * The real collection name of a user's or session's collection. The id and the name may not contain `.`,
 * so the first `.` separates them and no two (id, name) pairs share a collection (upstream's
 * `app_user_{id}_{name}` does not have that property).
 *
 * @example
 * ```ts
 * collectionName('user', 'user-1', 'notes'); // 'app_user_user-1.notes'
 * ```
 * @throws {ArtifactGatewayError} `invalid_request` for a bad id or name.
 */
export function collectionName(scope: StorageScope, ownerId: string | undefined, collection: string): string {
  if (scope === 'session' && ownerId === undefined)
    throw invalidRequest('session_id is required for session-scoped MongoDB');
  const owner = checkId(ownerId, scope === 'session' ? 'session id' : 'user id');
  return `app_${scope}_${owner}.${checkName(collection, 'collection name')}`;
}
