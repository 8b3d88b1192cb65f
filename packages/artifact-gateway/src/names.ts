/**
 * Name rules for everything that becomes part of a file path or collection name. Ids are validated, not
 * rewritten: upstream's "replace odd characters by `_`" lets `a.b` and `a_b` share one folder.
 *
 * @module
 */
import { invalidRequest } from './errors.ts';

const idPattern = /^[\p{L}\p{N}_-]{1,128}$/u;
const namePattern = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * Checks a user or session id: 1–128 letters, digits, `_` or `-`.
 *
 * @throws {ArtifactGatewayError} `invalid_request`.
 */
export function checkId(value: unknown, what: string): string {
  if (typeof value !== 'string' || !idPattern.test(value))
    throw invalidRequest(`${what} must be 1-128 letters, digits, "_" or "-"`);
  return value;
}

/**
 * Checks a database, collection or namespace name: 1–64 ASCII letters, digits, `_` or `-`.
 *
 * @throws {ArtifactGatewayError} `invalid_request`.
 */
export function checkName(value: unknown, what: string): string {
  if (typeof value !== 'string' || !namePattern.test(value))
    throw invalidRequest(`${what} must be 1-64 ASCII letters, digits, "_" or "-"`);
  return value;
}

/** True when `text` holds a C0 control character (NUL, line breaks, …) or DEL. */
export function hasControlCharacter(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}
