/**
 * The server's input rules checked before any request, so bad input fails fast with a
 * message naming the field. The fake server applies the same rules.
 *
 * @module
 */
import { invalidInput } from './errors.ts';

/**
 * The email syntax the server accepts (pydantic's `EmailStr`): dot-separated local-part atoms (any non-ASCII
 * character allowed), `@`, and a domain of two or more labels in any script (`ada@bücher.de`, or its
 * `xn--` form).
 */
export const EMAIL_PATTERN: RegExp =
  /^[^\s@"(),:;<>[\\\].]+(?:\.[^\s@"(),:;<>[\\\].]+)*@[\p{L}\p{N}](?:[\p{L}\p{M}\p{N}-]*[\p{L}\p{M}\p{N}])?(?:\.[\p{L}\p{N}](?:[\p{L}\p{M}\p{N}-]*[\p{L}\p{M}\p{N}])?)+$/u;
/** Top-level names the server's email validator refuses as special-use (RFC 6761 and friends). */
const SPECIAL_USE_TLDS = new Set(['arpa', 'invalid', 'local', 'localhost', 'onion', 'test']);
/** First and last names: letters (any script), digits, `_`, spaces, `'` and `-`. */
export const NAME_PATTERN: RegExp = /^[\p{L}\p{N}_ '-]+$/u;
/** Organisation names: as names, plus `&`, `.` and `,`. */
export const ORG_NAME_PATTERN: RegExp = /^[\p{L}\p{N}_ '&.,-]+$/u;
/** The shortest password the server accepts. */
export const MIN_PASSWORD_LENGTH = 8;

/**
 * Throws `ValidationError` unless `email` is an address the server accepts (internationalised ones included);
 * returns it as given: inkPass itself lower-cases and IDNA-normalises the domain.
 */
export function checkEmail(email: unknown, field = 'email'): string {
  if (
    typeof email !== 'string' ||
    email.length > 254 ||
    !EMAIL_PATTERN.test(email) ||
    email.lastIndexOf('@') > 64 ||
    SPECIAL_USE_TLDS.has(email.slice(email.lastIndexOf('.') + 1).toLowerCase())
  ) {
    throw invalidInput(field, `${JSON.stringify(email)} is not a valid email address.`);
  }
  return email;
}

/** Throws `ValidationError` unless `password` has at least 8 characters. */
export function checkPassword(password: unknown, field = 'password'): string {
  if (typeof password !== 'string' || [...password].length < MIN_PASSWORD_LENGTH) {
    throw invalidInput(field, `must be at least ${MIN_PASSWORD_LENGTH} characters long.`);
  }
  return password;
}

/** Throws `ValidationError` unless `name` (trimmed) is 2–50 allowed characters; returns it trimmed. */
export function checkPersonName(name: unknown, field: string): string {
  if (typeof name !== 'string' || !name.trim()) throw invalidInput(field, 'is required.');
  const trimmed = name.trim();
  const length = [...trimmed].length;
  if (length < 2 || length > 50) throw invalidInput(field, 'must be 2 to 50 characters long.');
  if (!NAME_PATTERN.test(trimmed)) {
    throw invalidInput(field, "may contain only letters, digits, spaces, apostrophes, hyphens and '_'.");
  }
  return trimmed;
}

/** Throws `ValidationError` unless a non-blank organisation name is 2–100 allowed characters. */
export function checkOrganizationName(name: unknown, field = 'organizationName'): string | undefined {
  if (name === undefined || name === null || (typeof name === 'string' && !name.trim())) return undefined;
  if (typeof name !== 'string') throw invalidInput(field, 'must be a string.');
  const trimmed = name.trim();
  const length = [...trimmed].length;
  if (length < 2 || length > 100) throw invalidInput(field, 'must be 2 to 100 characters long.');
  if (!ORG_NAME_PATTERN.test(trimmed)) {
    throw invalidInput(field, "may contain only letters, digits, spaces and ' & . , - _.");
  }
  return trimmed;
}

/** Throws `ValidationError` unless `value` is a non-empty string without whitespace or control characters. */
export function checkCredential(value: unknown, field: string): string {
  if (typeof value !== 'string' || !/^[\x21-\x7e]+$/.test(value)) {
    throw invalidInput(field, 'must be a non-empty string without spaces or control characters.');
  }
  return value;
}

/** Throws `ValidationError` unless `value` is a non-empty string. */
export function checkNonEmpty(value: unknown, field: string): string {
  if (typeof value !== 'string' || !value.trim()) throw invalidInput(field, 'is required.');
  return value;
}

/** Throws `ValidationError` unless `value` is a 6-digit code (email verification, TOTP). */
export function checkSixDigitCode(value: unknown, field: string): string {
  if (typeof value !== 'string' || !/^\d{6}$/.test(value)) throw invalidInput(field, 'must be 6 digits.');
  return value;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** IDs go into paths: only UUIDs, so `../` or `?` can never reach another route. */
export function checkId(value: unknown, field: string): string {
  if (typeof value !== 'string' || !UUID.test(value))
    throw invalidInput(field, `must be a UUID, got ${JSON.stringify(value)}.`);
  return value;
}
