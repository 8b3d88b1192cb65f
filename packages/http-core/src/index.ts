export {
  type AuthRequest,
  type AuthStrategy,
  apiKey,
  bearer,
  bearerFrom,
  clientCredentials,
  combineAuth,
  noAuth,
  type RefreshingBearer,
  type RefreshingBearerOptions,
  refreshingBearer,
} from './auth.ts';
export {
  createHttpClient,
  type FetchLike,
  type Hooks,
  type HttpClient,
  type HttpClientOptions,
  type PreparedRequest,
  type RequestOptions,
  type ResponseWithData,
  type RetryInfo,
  randomId,
  type StreamedResponse,
  type TransferProgress,
} from './client.ts';
export {
  AbortError,
  AuthenticationError,
  BadRequestError,
  ConflictError,
  type ErrorContext,
  errorForStatus,
  InvalidRequestError,
  NetworkError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
  ResponseTooLargeError,
  ResponseValidationError,
  ServerError,
  ServiceUnavailableError,
  TimeoutError,
  UnprocessableEntityError,
  XError,
  type XErrorCode,
  type XErrorOptions,
} from './errors.ts';
export { type Closeable, closeable, type HasClose } from './lifecycle.ts';
export {
  createLogger,
  defaultRedactedHeaders,
  defaultRedactedQuery,
  type Logger,
  type LogLevel,
  REDACTED,
  type RedactOptions,
  redactHeaders,
  redactUrl,
} from './logger.ts';
export { type LongPollOptions, longPoll, type PollContext } from './long-poll.ts';
export { parseResponse, type ResponseData, type ResponseSchema, type ValidationSource } from './models.ts';
export { type FilePart, type MultipartFields, type MultipartValue, toFormData } from './multipart.ts';
export {
  pathSegmentProblem,
  type Query,
  type QueryOptions,
  type QueryValue,
  serializeQuery,
} from './query.ts';
export {
  defaultRedactedFields,
  isSecretName,
  redactBody,
  redactedHeaders,
  redactIssues,
  redactText,
} from './redact.ts';
export { type RetryOptions, sleep } from './retry.ts';
export type { BodyOptions } from './streaming.ts';
export { detectRuntime, userAgent } from './user-agent.ts';
export { VERSION } from './version.ts';
