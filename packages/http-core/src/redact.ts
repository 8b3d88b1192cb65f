/**
 * The one redaction rule of every @x SDK for what ends up in errors: response bodies, headers and
 * messages. Logs use the same names (see `logger.ts`).
 *
 * @module
 */

import { defaultRedactedHeaders, REDACTED } from './logger.ts';

/**
 * Field names whose values are secrets wherever they appear in a body (lowercase). Names containing
 * `secret`, `token`, `password`, `passwd` or `api_key`/`apikey` are secrets too. `code` is not on the list
 * for bodies, where it is the error code every service sends; as a query parameter it is redacted.
 */
export const defaultRedactedFields: readonly string[] = [
  'access_token',
  'refresh_token',
  'id_token',
  'device_code',
  'client_secret',
  'code_verifier',
  'password',
  'api_key',
  'apikey',
  'token',
  'pat',
  'private_key',
  'authorization',
  'cookie',
  'set-cookie',
];

const fieldSet = new Set(defaultRedactedFields);
const sensitiveName = /secret|token|passw(or)?d|api[-_]?key|private[-_]?key/i;

/** True when a field or header name holds a secret by the shared rule. */
export function isSecretName(name: string): boolean {
  return fieldSet.has(name.toLowerCase()) || sensitiveName.test(name);
}

// The two forms a secret takes in text: `"name": "value"` (JSON) and `name=value` (forms, queries). A bare
// `name: value` is left alone: messages say things like `secret: is required` or `api_keys:create`.
const secretName =
  '[A-Za-z_-]*(?:secret|token|passw(?:or)?d|api[-_]?key|private[-_]?key|device_code|cookie|authorization|(?<![a-z])pat)[A-Za-z_-]*';
const textPattern = new RegExp(
  `("${secretName}"\\s*:\\s*")([^"]*)(")|(\\b${secretName}=)([^&\\s"',;}]+)`,
  'gi',
);
const bearerPattern = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/g;
// A compact JWS/JWE anywhere in text (`eyJ` is base64url of `{"`): tokens are echoed under names no list
// can foresee (`poa`, `assertion`, a sentence of an error description).
const jwtPattern = /\beyJ[A-Za-z0-9_-]{4,}(?:\.[A-Za-z0-9_-]*){2,4}/g;

/**
 * `text` with secret-looking `name=value` / `"name": "value"` pairs, bearer credentials and compact JWTs
 * replaced.
 */
export function redactText(text: string): string {
  if (text.length > 1_000_000) return REDACTED;
  // Credentials after a scheme first, so `Authorization: Bearer x` loses `x`.
  return text
    .replace(bearerPattern, (_m, scheme) => `${scheme} ${REDACTED}`)
    .replace(jwtPattern, REDACTED)
    .replace(textPattern, (_m, jsonName, _v, close, formName) =>
      jsonName !== undefined ? `${jsonName}${REDACTED}${close}` : `${formName}${REDACTED}`,
    );
}

/**
 * A copy of a parsed body with the values of secret fields replaced by `[REDACTED]`, at any depth;
 * strings are scrubbed with {@link redactText}. Safe to keep on an error that may be logged.
 */
export function redactBody(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return redactText(value);
  if (typeof value !== 'object' || value === null) return value;
  if (depth > 20) return REDACTED;
  if (Array.isArray(value)) return value.map((item) => redactBody(item, depth + 1));
  if (value instanceof Uint8Array) return value;
  const out: Record<string, unknown> = {};
  // A FastAPI/pydantic validation error echoes what was sent under `input`: `{loc: ['body', 'password'],
  // input: '…'}` holds the password itself when the field is a secret.
  const loc = (value as { loc?: unknown }).loc;
  const echoesSecret =
    Array.isArray(loc) && loc.some((part) => typeof part === 'string' && isSecretName(part));
  for (const [key, item] of Object.entries(value)) {
    out[key] =
      (isSecretName(key) || (echoesSecret && key === 'input')) && item !== null && item !== undefined
        ? REDACTED
        : redactBody(item, depth + 1);
  }
  return out;
}

/** A copy of `headers` with credential headers (`Authorization`, `Cookie`, `Set-Cookie`, ...) replaced. */
export function redactedHeaders(headers: Headers): Headers {
  const out = new Headers();
  const defaults = new Set(defaultRedactedHeaders);
  for (const [name, value] of headers) {
    const secret = defaults.has(name) || isSecretName(name);
    // Headers joins repeated Set-Cookie values; getSetCookie keeps them apart, and each is a secret.
    if (name === 'set-cookie') continue;
    out.append(name, secret ? REDACTED : value);
  }
  if (headers.has('set-cookie')) out.set('set-cookie', REDACTED);
  return out;
}

/**
 * valibot issues without the values they carry: each issue keeps its kind, type, expected and path keys;
 * its `input`, `received` and message are dropped or scrubbed, since the input may be a token.
 */
export function redactIssues(issues: readonly unknown[]): readonly unknown[] {
  return issues.map((issue) => {
    if (typeof issue !== 'object' || issue === null) return issue;
    const i = issue as Record<string, unknown>;
    const path = Array.isArray(i.path)
      ? i.path.map((item: { key?: unknown; type?: unknown }) => ({ type: item?.type, key: item?.key }))
      : undefined;
    const secret = path?.some((item) => typeof item.key === 'string' && isSecretName(item.key)) ?? false;
    return {
      kind: i.kind,
      type: i.type,
      expected: i.expected,
      received: secret ? REDACTED : typeof i.received === 'string' ? redactText(i.received) : i.received,
      message: secret
        ? `Invalid value (${REDACTED})`
        : typeof i.message === 'string'
          ? redactText(i.message)
          : i.message,
      ...(path ? { path } : {}),
    };
  });
}
