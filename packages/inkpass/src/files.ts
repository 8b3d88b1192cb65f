/**
 * `FileClient`: the Den file service with `X-Service-API-Key` auth, streamed uploads and
 * downloads, and the 100 MiB limit checked before sending.
 *
 * @module
 */
import {
  type AuthStrategy,
  apiKey,
  bearer,
  type HttpClient,
  type Query,
  type TransferProgress,
} from '@x/http-core';
import * as v from 'valibot';
import type { CallOptions } from './client.ts';
import { buildHttpClient, type InkPassConfig, type ResolvedConfig, resolveConfig } from './config.ts';
import { invalidInput, type ValidationError } from './errors.ts';
import {
  DownloadUrlResponseSchema,
  type FileListResponse,
  FileListResponseSchema,
  type FileResponse,
  FileResponseSchema,
} from './models.ts';
import { streamMultipart } from './multipart-stream.ts';
import { checkCredential, checkId, checkNonEmpty } from './validation.ts';

/** Den's per-file limit: 100 MiB. */
export const MAX_FILE_SIZE_BYTES = 104_857_600;

/** Options of {@link FileClient}: the inkPass config; the service key as `serviceApiKey` or `apiKey`. */
export interface FileClientConfig extends InkPassConfig {
  /** The Den service key (`X-Service-API-Key`), e.g. `sk_tentacle_xxx`. Same as `apiKey`. */
  serviceApiKey?: string;
  /** The largest upload accepted before sending (default 100 MiB, Den's limit). */
  maxFileSizeBytes?: number;
}

/** What can be uploaded. In Node, `fileFromPath()` of `@x/inkpass/node` gives a file-backed Blob. */
export type UploadData = Blob | Uint8Array | ArrayBuffer | ReadableStream<Uint8Array>;

/** Input of {@link FileClient.upload}. */
export interface UploadInput extends UserUploadInput {
  /** The organisation (UUID). */
  orgId: string;
  /** The workflow the file belongs to. */
  workflowId: string;
  /** The uploading agent; it may later delete the file. */
  agentId: string;
  /** Default `/agent-outputs`. */
  folderPath?: string;
  /** A temporary file, removed after `expiresInHours`. */
  isTemporary?: boolean;
  /** 1–8760 hours. */
  expiresInHours?: number;
}

/** Filters and paging of {@link FileClient.listFiles}. */
export interface ListFilesInput {
  /** The organisation (UUID). */
  orgId: string;
  /** Only files of this workflow. */
  workflowId?: string;
  /** Only files in exactly this folder (not recursive). */
  folderPath?: string;
  /** Only files carrying all these tags. */
  tags?: string[];
  /** Case-insensitive substring of the name. */
  search?: string;
  /** Include temporary files (server default true). */
  includeTemporary?: boolean;
  /** Page size, 1–1000 (server default 100). */
  limit?: number;
  /** Files to skip. */
  offset?: number;
}

/** A download in progress. */
export interface DownloadedFile {
  /** The content; read it to the end or cancel it. */
  body: ReadableStream<Uint8Array>;
  /** The stored content type. */
  contentType: string;
  /** The file name from Content-Disposition. */
  filename: string | undefined;
  /** The size, when the server sent Content-Length. */
  sizeBytes: number | undefined;
}

/** Options of an upload: the call's options and a progress callback. */
export interface UploadOptions extends CallOptions {
  /**
   * Called as the body is sent, with `{ percent, transferredBytes, totalBytes }` and the chunk; the last call
   * has `percent: 1`. The upload is then streamed (in a browser: HTTP/2 or later only).
   */
  onUploadProgress?: (progress: TransferProgress, chunk: Uint8Array) => void;
}

/** Options of a download: the call's options and a progress callback. */
export interface DownloadOptions extends CallOptions {
  /** Called as the content is read, with `{ percent, transferredBytes, totalBytes }` and the chunk. */
  onDownloadProgress?: (progress: TransferProgress, chunk: Uint8Array) => void;
}

/** What an upload sends, whichever Den route takes it. */
interface FileData {
  data: UploadData;
  filename: string;
  contentType?: string | undefined;
}

function sizeOf(data: UploadData): number | undefined {
  if (data instanceof Blob) return data.size;
  if (data instanceof Uint8Array || data instanceof ArrayBuffer) return data.byteLength;
  return undefined;
}

function filenameFrom(disposition: string | null): string | undefined {
  if (!disposition) return undefined;
  const star = /filename\*=UTF-8''([^;]+)/i.exec(disposition)?.[1];
  if (star) {
    try {
      return decodeURIComponent(star);
    } catch {}
  }
  return /filename="([^"]*)"/i.exec(disposition)?.[1];
}

/**
 * Sends one multipart part named `file`. Too large a file is a `ValidationError` before sending (for a
 * stream: as soon as the limit is passed). Not retried: a repeat would store it twice.
 */
async function sendFile(
  http: HttpClient,
  path: string,
  query: Query,
  input: FileData,
  maxBytes: number,
  options: UploadOptions & { auth?: AuthStrategy },
): Promise<FileResponse> {
  checkNonEmpty(input.filename, 'filename');
  const tooLarge = () =>
    invalidInput('data', `the file is larger than the ${maxBytes}-byte limit; nothing was stored.`);
  const size = sizeOf(input.data);
  if (size !== undefined && size > maxBytes) throw tooLarge();
  const contentType =
    input.contentType ?? ((input.data instanceof Blob && input.data.type) || 'application/octet-stream');
  const common = { ...options, query, schema: FileResponseSchema };
  if (!(input.data instanceof ReadableStream)) {
    const data = input.data instanceof ArrayBuffer ? new Uint8Array(input.data) : input.data;
    return http.post(path, { ...common, form: { file: { data, filename: input.filename, contentType } } });
  }
  let overflow: ValidationError | undefined;
  const multipart = streamMultipart('file', input.filename, contentType, input.data, maxBytes, () => {
    overflow = tooLarge();
    return overflow;
  });
  try {
    return await http.post(path, {
      ...common,
      body: multipart.body,
      headers: { 'content-type': multipart.contentType },
    });
  } catch (error) {
    throw overflow ?? error;
  }
}

/** Streams a download and reads its headers. */
async function receiveFile(
  http: HttpClient,
  path: string,
  options: DownloadOptions & { query?: Query; auth?: AuthStrategy },
): Promise<DownloadedFile> {
  const { body, response } = await http.stream('GET', path, options);
  const length = response.headers.get('content-length');
  return {
    body,
    contentType: response.headers.get('content-type') ?? 'application/octet-stream',
    filename: filenameFrom(response.headers.get('content-disposition')),
    sizeBytes: length === null ? undefined : Number(length),
  };
}

/** Checks a download URL's lifetime (1–86400 s). */
function checkExpiresIn(expiresIn: number): number {
  if (!Number.isInteger(expiresIn) || expiresIn < 1 || expiresIn > 86_400) {
    throw invalidInput('expiresIn', `must be a whole number of seconds from 1 to 86400, got ${expiresIn}.`);
  }
  return expiresIn;
}

/** Checks list paging (limit 1–1000, offset ≥ 0). */
function checkPage(limit: number | undefined, offset: number | undefined): void {
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 1 || limit > 1000)) {
    throw invalidInput('limit', `must be a whole number from 1 to 1000, got ${limit}.`);
  }
  if (offset !== undefined && (!Number.isInteger(offset) || offset < 0)) {
    throw invalidInput('offset', `must be a whole number ≥ 0, got ${offset}.`);
  }
}

/** The query of a move: at least one of the two. */
function moveQuery(target: { newFolder?: string; newName?: string }): Query {
  if (target.newFolder == null && target.newName == null) {
    throw invalidInput('newFolder', 'at least one of newFolder or newName must be given.');
  }
  return { new_folder: target.newFolder, new_name: target.newName };
}

/**
 * The Den file client. Every call sends only `X-Service-API-Key`; the per-call timeout defaults to 300 s.
 *
 * @example
 * ```ts
 * const files = new FileClient({ baseUrl: 'http://inkpass:8002', serviceApiKey: 'sk_tentacle_xxx' });
 * const file = await files.upload({ orgId, workflowId: 'wf-1', agentId: 'image-gen', data: blob, filename: 'a.png' });
 * const { body } = await files.download(orgId, file.id);
 * ```
 */
export class FileClient {
  /** The validated configuration. */
  readonly config: Readonly<ResolvedConfig>;
  /** The largest upload accepted. */
  readonly maxFileSizeBytes: number;
  readonly #http: HttpClient;

  /** Validates the config; a missing service key is a `ValidationError` here, before any request. */
  constructor(config: FileClientConfig) {
    const key = config.serviceApiKey ?? config.apiKey;
    if (!key) throw invalidInput('serviceApiKey', 'Service API key is required for file operations.');
    this.config = resolveConfig({ ...config, apiKey: key }, { timeout: 300_000 });
    this.maxFileSizeBytes = config.maxFileSizeBytes ?? MAX_FILE_SIZE_BYTES;
    this.#http = buildHttpClient(this.config, { uploads: true });
    this.#http.setAuth(apiKey(key, { header: 'x-service-api-key' }));
  }

  /**
   * Uploads a file (multipart, one part named `file`). Too large a file is a `ValidationError` before
   * sending (for a stream: as soon as the limit is passed). Not retried: a repeat would store it twice.
   * `onUploadProgress` reports the bytes sent.
   */
  async upload(input: UploadInput, options: UploadOptions = {}): Promise<FileResponse> {
    const query: Query = {
      org_id: checkId(input.orgId, 'orgId'),
      workflow_id: checkNonEmpty(input.workflowId, 'workflowId'),
      agent_id: checkNonEmpty(input.agentId, 'agentId'),
      folder_path: input.folderPath ?? '/agent-outputs',
      is_public: input.isPublic ?? false,
      is_temporary: input.isTemporary ?? false,
    };
    if (input.expiresInHours !== undefined) {
      if (
        !Number.isInteger(input.expiresInHours) ||
        input.expiresInHours < 1 ||
        input.expiresInHours > 8760
      ) {
        throw invalidInput(
          'expiresInHours',
          `must be a whole number from 1 to 8760, got ${input.expiresInHours}.`,
        );
      }
      query['expires_in_hours'] = input.expiresInHours;
    }
    if (input.tags?.length) query['tags'] = input.tags;
    return sendFile(this.#http, '/api/v1/files/agent', query, input, this.maxFileSizeBytes, options);
  }

  /**
   * Streams a file's content. The call's signal keeps reaching the body until it is read;
   * `onDownloadProgress` reports the bytes as they are read.
   */
  async download(
    orgId: string,
    fileId: string,
    options: DownloadOptions & { agentId?: string } = {},
  ): Promise<DownloadedFile> {
    const { agentId, ...call } = options;
    return receiveFile(this.#http, `/api/v1/files/agent/${checkId(fileId, 'fileId')}/download`, {
      ...call,
      query: { org_id: checkId(orgId, 'orgId'), agent_id: agentId },
    });
  }

  /** A time-limited download URL (`expiresIn` seconds, 1–86400, default 3600). */
  async getDownloadUrl(
    orgId: string,
    fileId: string,
    options: CallOptions & { expiresIn?: number } = {},
  ): Promise<string> {
    const { expiresIn = 3600, ...call } = options;
    const answer = await this.#http.get(`/api/v1/files/agent/${checkId(fileId, 'fileId')}/url`, {
      ...call,
      query: { org_id: checkId(orgId, 'orgId'), expires_in: checkExpiresIn(expiresIn) },
      schema: DownloadUrlResponseSchema,
    });
    return answer.url;
  }

  /** Lists active files, newest first, with filters and paging. */
  async listFiles(input: ListFilesInput, options: CallOptions = {}): Promise<FileListResponse> {
    checkPage(input.limit, input.offset);
    return this.#http.get('/api/v1/files/agent/list', {
      ...options,
      query: {
        org_id: checkId(input.orgId, 'orgId'),
        workflow_id: input.workflowId || undefined,
        folder_path: input.folderPath || undefined,
        tags: input.tags?.length ? input.tags : undefined,
        search: input.search || undefined,
        include_temporary: input.includeTemporary,
        limit: input.limit,
        offset: input.offset,
      },
      schema: FileListResponseSchema,
    });
  }

  /** One file's metadata. */
  async getFile(orgId: string, fileId: string, options: CallOptions = {}): Promise<FileResponse> {
    return this.#http.get(`/api/v1/files/agent/${checkId(fileId, 'fileId')}`, {
      ...options,
      query: { org_id: checkId(orgId, 'orgId') },
      schema: FileResponseSchema,
    });
  }

  /**
   * Deletes a file the agent uploaded, or any temporary file (else `PermissionDeniedError`). Temporary
   * files are removed for good; others are marked deleted.
   */
  async delete(orgId: string, fileId: string, agentId: string, options: CallOptions = {}): Promise<true> {
    await this.#http.delete(`/api/v1/files/agent/${checkId(fileId, 'fileId')}`, {
      ...options,
      // A repeat after the server acted answers 404: the delete would be reported as failed.
      idempotent: false,
      query: { org_id: checkId(orgId, 'orgId'), agent_id: checkNonEmpty(agentId, 'agentId') },
      schema: v.unknown(),
    });
    return true;
  }

  /** Copies a file ("Copy of <name>" in the same folder by default). Not retried. */
  async duplicate(
    orgId: string,
    fileId: string,
    agentId: string,
    options: CallOptions & { newName?: string; newFolder?: string } = {},
  ): Promise<FileResponse> {
    const { newName, newFolder, ...call } = options;
    return this.#http.post(`/api/v1/files/agent/${checkId(fileId, 'fileId')}/duplicate`, {
      ...call,
      query: {
        org_id: checkId(orgId, 'orgId'),
        agent_id: checkNonEmpty(agentId, 'agentId'),
        new_name: newName || undefined,
        new_folder: newFolder || undefined,
      },
      schema: FileResponseSchema,
    });
  }

  /** Moves and/or renames a file (metadata only). At least one of `newFolder` / `newName` is required. */
  async move(
    orgId: string,
    fileId: string,
    target: { newFolder?: string; newName?: string },
    options: CallOptions = {},
  ): Promise<FileResponse> {
    const query = moveQuery(target);
    return this.#http.patch(`/api/v1/files/agent/${checkId(fileId, 'fileId')}/move`, {
      ...options,
      query: { org_id: checkId(orgId, 'orgId'), ...query },
      schema: FileResponseSchema,
    });
  }

  /** Renames a file: {@link FileClient.move} with only a new name. */
  async rename(
    orgId: string,
    fileId: string,
    newName: string,
    options: CallOptions = {},
  ): Promise<FileResponse> {
    return this.move(orgId, fileId, { newName: checkNonEmpty(newName, 'newName') }, options);
  }
}

/** Options of {@link UserFileClient}: the inkPass config (no key: every call takes the user's token). */
export interface UserFileClientConfig extends InkPassConfig {
  /** The largest upload accepted before sending (default 100 MiB, Den's limit). */
  maxFileSizeBytes?: number;
}

/** Input of {@link UserFileClient.upload}. */
export interface UserUploadInput {
  /** The bytes: a Blob, bytes or a stream (streams are sent as they arrive and never retried). */
  data: UploadData;
  /** The file name. */
  filename: string;
  /** Default `application/octet-stream` (or the Blob's type). */
  contentType?: string;
  /** Default `/`. */
  folderPath?: string;
  /** Tags to filter by later. */
  tags?: string[];
  /** A CDN-accessible file. */
  isPublic?: boolean;
}

/** Filters and paging of {@link UserFileClient.listFiles} (temporary files are never listed here). */
export interface UserListFilesInput {
  /** Only files in exactly this folder (not recursive). */
  folderPath?: string;
  /** Only files carrying all these tags. */
  tags?: string[];
  /** Case-insensitive substring of the name. */
  search?: string;
  /** Page size, 1–1000 (server default 100). */
  limit?: number;
  /** Files to skip. */
  offset?: number;
}

/**
 * Den for a logged-in user: the `/api/v1/files` routes with the user's bearer token, in the token's
 * organisation, each guarded by a `files:*` permission (`view`, `create`, `manage`, `delete`). The per-call
 * timeout defaults to 300 s.
 *
 * @example
 * ```ts
 * const den = new UserFileClient({ baseUrl: 'http://inkpass:8002' });
 * const file = await den.upload(token, { data: blob, filename: 'report.pdf', folderPath: '/reports' });
 * const { files } = await den.listFiles(token, { folderPath: '/reports' });
 * ```
 */
export class UserFileClient {
  /** The validated configuration. */
  readonly config: Readonly<ResolvedConfig>;
  /** The largest upload accepted. */
  readonly maxFileSizeBytes: number;
  readonly #http: HttpClient;

  /** Validates the config (a `ValidationError` names a bad option). */
  constructor(config: UserFileClientConfig = {}) {
    this.config = resolveConfig(config, { timeout: 300_000 });
    this.maxFileSizeBytes = config.maxFileSizeBytes ?? MAX_FILE_SIZE_BYTES;
    this.#http = buildHttpClient(this.config, { uploads: true });
  }

  /**
   * Uploads a file into the token's organisation (needs `files:create`); the uploader is recorded as
   * `createdByUserId`. Limits and streaming as {@link FileClient.upload}; never retried.
   */
  async upload(token: string, input: UserUploadInput, options: UploadOptions = {}): Promise<FileResponse> {
    const auth = bearer(checkCredential(token, 'token'));
    const query: Query = { folder_path: input.folderPath ?? '/', is_public: input.isPublic ?? false };
    if (input.tags?.length) query['tags'] = input.tags;
    return sendFile(this.#http, '/api/v1/files', query, input, this.maxFileSizeBytes, { ...options, auth });
  }

  /** The organisation's active, non-temporary files, newest first (needs `files:view`). */
  async listFiles(
    token: string,
    input: UserListFilesInput = {},
    options: CallOptions = {},
  ): Promise<FileListResponse> {
    checkPage(input.limit, input.offset);
    return this.#http.get('/api/v1/files', {
      ...this.#as(token, options),
      query: {
        folder_path: input.folderPath || undefined,
        tags: input.tags?.length ? input.tags : undefined,
        search: input.search || undefined,
        limit: input.limit,
        offset: input.offset,
      },
      schema: FileListResponseSchema,
    });
  }

  /** One file's metadata (needs `files:view`; another organisation's file is not found). */
  async getFile(token: string, fileId: string, options: CallOptions = {}): Promise<FileResponse> {
    return this.#http.get(`/api/v1/files/${checkId(fileId, 'fileId')}`, {
      ...this.#as(token, options),
      schema: FileResponseSchema,
    });
  }

  /** Streams a file's content (needs `files:view`); `onDownloadProgress` reports the bytes read. */
  async download(token: string, fileId: string, options: DownloadOptions = {}): Promise<DownloadedFile> {
    return receiveFile(
      this.#http,
      `/api/v1/files/${checkId(fileId, 'fileId')}/download`,
      this.#as(token, options),
    );
  }

  /** A time-limited download URL (needs `files:view`; `expiresIn` seconds, 1–86400, default 3600). */
  async getDownloadUrl(
    token: string,
    fileId: string,
    options: CallOptions & { expiresIn?: number } = {},
  ): Promise<string> {
    const { expiresIn = 3600, ...call } = options;
    const answer = await this.#http.get(`/api/v1/files/${checkId(fileId, 'fileId')}/url`, {
      ...this.#as(token, call),
      query: { expires_in: checkExpiresIn(expiresIn) },
      schema: DownloadUrlResponseSchema,
    });
    return answer.url;
  }

  /** Copies a file (needs `files:create`; "Copy of <name>" in the same folder by default). Not retried. */
  async duplicate(
    token: string,
    fileId: string,
    options: CallOptions & { newName?: string; newFolder?: string } = {},
  ): Promise<FileResponse> {
    const { newName, newFolder, ...call } = options;
    return this.#http.post(`/api/v1/files/${checkId(fileId, 'fileId')}/duplicate`, {
      ...this.#as(token, call),
      query: { new_name: newName || undefined, new_folder: newFolder || undefined },
      schema: FileResponseSchema,
    });
  }

  /**
   * Deletes a file (needs `files:delete`): marked deleted, or with `hardDelete` removed for good and its
   * bytes freed from the quota. Not retried (a repeat would answer 404).
   */
  async delete(
    token: string,
    fileId: string,
    options: CallOptions & { hardDelete?: boolean } = {},
  ): Promise<true> {
    const { hardDelete, ...call } = options;
    await this.#http.delete(`/api/v1/files/${checkId(fileId, 'fileId')}`, {
      ...this.#as(token, call),
      idempotent: false,
      query: { hard_delete: hardDelete || undefined },
      schema: v.unknown(),
    });
    return true;
  }

  /** Moves and/or renames a file (needs `files:manage`); at least one of `newFolder` / `newName`. */
  async move(
    token: string,
    fileId: string,
    target: { newFolder?: string; newName?: string },
    options: CallOptions = {},
  ): Promise<FileResponse> {
    const query = moveQuery(target);
    return this.#http.patch(`/api/v1/files/${checkId(fileId, 'fileId')}/move`, {
      ...this.#as(token, options),
      query,
      schema: FileResponseSchema,
    });
  }

  /** The call's options with the user's token as its auth. */
  #as<T extends object>(token: string, options: T): T & { auth: AuthStrategy } {
    return { ...options, auth: bearer(checkCredential(token, 'token')) };
  }
}
