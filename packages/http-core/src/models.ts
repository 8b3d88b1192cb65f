import { type GenericSchema, type InferOutput, safeParse } from 'valibot';
import { ResponseValidationError } from './errors.ts';
import { redactIssues } from './redact.ts';

/** A (synchronous) valibot schema a response is validated with. */
export type ResponseSchema = GenericSchema;

/** The data type a call resolves to: the schema's output, or `unknown` without a schema. */
export type ResponseData<S extends ResponseSchema | undefined> = S extends ResponseSchema
  ? InferOutput<S>
  : unknown;

/** Where the value being validated came from, for the error. */
export interface ValidationSource {
  /** The request method. */
  method: string;
  /** The redacted URL. */
  url: string;
  /** The response status. */
  status: number;
  /** The server's request id, if any. */
  requestId?: string | undefined;
}

/**
 * Validates `value` against `schema` and returns the schema's output, or throws a
 * {@link ResponseValidationError} carrying the issues (first issue's path and message in the text).
 * `source` may be a function, called only on failure.
 *
 * @example
 * ```ts
 * const user = parseResponse(v.object({ id: v.string() }), json, { method: 'GET', url, status: 200 });
 * ```
 */
export function parseResponse<S extends ResponseSchema>(
  schema: S,
  value: unknown,
  source: ValidationSource | (() => ValidationSource),
): InferOutput<S> {
  const result = safeParse(schema, value);
  if (result.success) return result.output;
  // A getter lets the hot path skip building the (redacted) description unless validation fails.
  throw validationError(result.issues, value, typeof source === 'function' ? source() : source);
}

/**
 * The {@link ResponseValidationError} for schema `issues` (valibot's, or a Standard Schema's as ky reports
 * them): the first issue's path and message in the text, the issues and the (redacted) value kept.
 */
export function validationError(
  issues: readonly unknown[],
  value: unknown,
  source: ValidationSource,
): ResponseValidationError {
  const first = (redactIssues(issues)[0] ?? { message: 'invalid' }) as {
    path?: readonly ({ key: unknown } | PropertyKey)[];
    message: string;
  };
  const path =
    first.path
      ?.map((item) => String(typeof item === 'object' && item !== null ? item.key : item))
      .join('.') || '(root)';
  return new ResponseValidationError(
    `${source.method} ${source.url}: the response body does not match the expected shape at ${path}: ${first.message}`,
    {
      issues,
      status: source.status,
      body: value,
      ...(source.requestId === undefined ? {} : { requestId: source.requestId }),
    },
  );
}
