/**
 * The server's email rule for the fake: inkPass declares every request email as pydantic's `EmailStr`, which
 * runs the `email-validator` library (2.1, no deliverability check) and keeps its normalised form. So the
 * fake accepts and stores what the server does:
 *
 * - surrounding spaces and a display name (`Ada <ada@example.com>`) are dropped;
 * - the local part stays as typed (Unicode NFC), except the RFC 2142 role names (`Postmaster`), lower-cased;
 * - the domain is IDNA-mapped and kept in Unicode: lower-cased, `xn--` labels decoded (`ada@BÜCHER.de` and
 *   `ada@xn--bcher-kva.de` are both `ada@bücher.de`);
 * - refused: no dot in the domain, a top-level domain not ending in a letter, special-use names (`.test`,
 *   `.local`, `localhost`, …), quoted local parts, IP literals, over-long parts.
 *
 * @module
 */
import { domainToASCII, domainToUnicode } from 'node:url';

/** Unquoted local-part characters (RFC 5322 atext) plus anything outside ASCII (RFC 6531). */
const LOCAL_ATOM = /^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~\u0080-\u{10ffff}]+$/u;
/** Mailbox names RFC 2142 makes case-insensitive: email-validator lower-cases these local parts. */
const ROLE_MAILBOXES = new Set([
  'info',
  'marking', // sic: email-validator 2.1.0's list has this typo for "marketing"
  'sales',
  'support',
  'abuse',
  'noc',
  'security',
  'postmaster',
  'hostmaster',
  'usenet',
  'news',
  'webmaster',
  'www',
  'uucp',
  'ftp',
]);
/** Domains (and their subdomains) that email-validator refuses as special-use. */
const SPECIAL_USE = ['arpa', 'invalid', 'local', 'localhost', 'onion', 'test'];
const ASCII_LABEL = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;
/** What IDNA 2008 lets a Unicode label hold, near enough: letters, marks, digits, hyphens (no symbols). */
const UNICODE_LABEL = /^[\p{L}\p{M}\p{N}-]+$/u;
/** pydantic's "pretty" form: an optional display name, then the address in angle brackets. */
const DISPLAY_NAME_FORM =
  /^\s*(?:[\w!#$%&'*+\-/=?^`{|}~]+(?:\s+[\w!#$%&'*+\-/=?^`{|}~]+)*|"(?:[^"]|\\")+")?\s*<(.+)>\s*$/u;

/** The address as inkPass stores it, or `undefined` where the server answers 422. */
export function normaliseServerEmail(input: string): string | undefined {
  if (input.length > 2048) return undefined;
  const address = (DISPLAY_NAME_FORM.exec(input)?.[1] ?? input).trim();
  const at = address.lastIndexOf('@');
  if (at <= 0) return undefined;
  const local = address.slice(0, at).normalize('NFC');
  const domain = address.slice(at + 1);
  if (local.length > 64 || local.split('.').some((atom) => !LOCAL_ATOM.test(atom))) return undefined;
  if (!domain || domain.startsWith('[') || /[\s@]/.test(domain)) return undefined;
  const ascii = domainToASCII(domain);
  if (!ascii || ascii.length > 255) return undefined;
  const labels = ascii.split('.');
  if (labels.length < 2 || !/[a-z]$/.test(ascii)) return undefined;
  for (const label of labels) {
    if (label.length > 63 || !ASCII_LABEL.test(label)) return undefined;
    if (label.slice(2, 4) === '--' && !label.startsWith('xn--')) return undefined;
  }
  if (SPECIAL_USE.some((name) => ascii === name || ascii.endsWith(`.${name}`))) return undefined;
  const unicode = domainToUnicode(ascii);
  if (unicode.split('.').some((label) => !UNICODE_LABEL.test(label))) return undefined;
  const normalised = `${ROLE_MAILBOXES.has(local.toLowerCase()) ? local.toLowerCase() : local}@${unicode}`;
  return normalised.length > 254 ? undefined : normalised;
}
