/**
 * Request bodies of the gateway routes, wire names as sent by the upstream browser SDK.
 *
 * @module
 */
import * as v from 'valibot';

const object = v.record(v.string(), v.unknown());
const stringMap = v.record(v.string(), v.string());
const resourceId = v.union([v.string(), v.number()]);

/** `external` and `external/stream` (the SDK sends `credentialId`, the Python model `credential_id`). */
export const ExternalCallRequest = v.object({
  method: v.optional(v.string(), 'GET'),
  url: v.string(),
  headers: v.optional(v.nullable(stringMap)),
  body: v.optional(v.unknown()),
  credential_id: v.optional(v.nullable(v.string())),
  credentialId: v.optional(v.nullable(v.string())),
});
/** The parsed body of `external`. */
export type ExternalCallRequest = v.InferOutput<typeof ExternalCallRequest>;

/** `internal`. */
export const InternalCallRequest = v.object({
  method: v.optional(v.string(), 'GET'),
  path: v.string(),
  body: v.optional(v.unknown()),
  query: v.optional(v.nullable(stringMap)),
});
/** The parsed body of `internal`. */
export type InternalCallRequest = v.InferOutput<typeof InternalCallRequest>;

/** `run` (answered only when the host passes a runner). */
export const RunRequest = v.object({
  language: v.picklist(['python', 'javascript', 'bash']),
  code: v.string(),
  stdin: v.optional(v.string(), ''),
});
/** The parsed body of `run`. */
export type RunRequest = v.InferOutput<typeof RunRequest>;

/** `db/{scope}/{db}/query` and `…/exec`. */
export const DbQueryRequest = v.object({
  sql: v.string(),
  params: v.optional(v.nullable(v.array(v.unknown()))),
});
/** The parsed body of a DuckDB route. */
export type DbQueryRequest = v.InferOutput<typeof DbQueryRequest>;

/** `db/{scope}/{collection}/find`. */
export const MongoFindRequest = v.object({
  filter: v.optional(v.nullable(object)),
  limit: v.optional(v.nullable(v.number())),
});
/** `db/{scope}/{collection}/upsert`. */
export const MongoUpsertRequest = v.object({ filter: object, update: object });
/** `db/{scope}/{collection}/delete`. */
export const MongoDeleteRequest = v.object({ filter: object });

/** `files/{scope}/write`. */
export const FileWriteRequest = v.object({ path: v.string(), content: v.string() });
/** `files/{scope}/read` and `…/delete`. */
export const FilePathRequest = v.object({ path: v.string() });
/** `files/{scope}/list`. */
export const FileListRequest = v.object({ path: v.optional(v.nullable(v.string())) });

/** `state/{ns}/set`. */
export const StateSetRequest = v.object({
  resource_id: resourceId,
  patch: v.optional(v.nullable(object)),
  expected_version: v.optional(v.nullable(v.number())),
});
/** `state/{ns}/get` and `…/delete`. */
export const StateResourceRequest = v.object({ resource_id: resourceId });
/** `state/{ns}/list`. */
export const StateListRequest = v.object({
  filter: v.optional(v.nullable(object)),
  limit: v.optional(v.nullable(v.number())),
  skip: v.optional(v.nullable(v.number())),
});
/** `state/{ns}/events`. */
export const StateEventsRequest = v.object({
  resource_id: v.optional(v.nullable(resourceId)),
  limit: v.optional(v.nullable(v.number())),
});
