/**
 * The agent's TLS material (Node): reading the PEM files, checking that certificate and key belong together,
 * reading the SPIFFE ID from the certificate's URI SAN, and the undici dispatcher that presents them. undici
 * is loaded on the first request, not on import (loading it takes longer than the rest of `@x/atb/node`).
 *
 * @module
 */
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { IncomingHttpHeaders } from 'node:http';
import { createRequire } from 'node:module';
import { closeable, type FetchLike } from '@x/http-core';
import type { Agent, Dispatcher } from 'undici';
import { AtbError } from '../errors.ts';
import { spiffeIdProblem } from '../models.ts';

/** PEM text of the agent's certificate, key and the CA bundle that verifies the servers. */
export interface TlsMaterial {
  /** The agent's certificate (PEM), with its SPIFFE ID as URI SAN. */
  cert: string;
  /** The certificate's private key (PEM). */
  key: string;
  /** CA certificates (PEM) that verify the broker (default: Node's built-in roots). */
  ca?: string;
}

const invalidConfig = (message: string, cause?: unknown) =>
  new AtbError(message, { code: 'invalid_config', ...(cause === undefined ? {} : { cause }) });

/** Reads a PEM file; the error names `what` (an option or `ATB_*` variable) and the path. */
export function readPemFile(path: string, what: string): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    throw invalidConfig(
      `${what}: cannot read ${path} (${(cause as NodeJS.ErrnoException).code ?? cause}).`,
      cause,
    );
  }
  if (!text.includes('-----BEGIN ')) throw invalidConfig(`${what}: ${path} is not a PEM file.`);
  return text;
}

/**
 * The SPIFFE ID of a certificate: its single `spiffe://` URI SAN (the CN is ignored, as the broker does).
 *
 * @throws {AtbError} `invalid_config` when the certificate has none, more than one, or a malformed one.
 */
export function spiffeIdFromCertificate(certPem: string, what = 'cert'): string {
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(certPem);
  } catch (cause) {
    throw invalidConfig(`${what}: not a valid X.509 certificate.`, cause);
  }
  const uris = (cert.subjectAltName ?? '')
    .split(/,\s*/)
    .filter((entry) => entry.startsWith('URI:'))
    .map((entry) => entry.slice(4).replace(/^"|"$/g, ''))
    .filter((uri) => uri.toLowerCase().startsWith('spiffe://'));
  if (uris.length !== 1) {
    throw invalidConfig(
      `${what}: the certificate must carry exactly one spiffe:// URI SAN (found ${uris.length}); the broker identifies the agent by it.`,
    );
  }
  const id = uris[0]!;
  const problem = spiffeIdProblem(id);
  if (problem)
    throw invalidConfig(`${what}: the certificate's SPIFFE ID ${JSON.stringify(id)} is invalid: ${problem}.`);
  return id;
}

/**
 * Checks the material before any connection: the certificate parses, the key parses and belongs to the
 * certificate, the CA bundle parses. Returns the agent's SPIFFE ID.
 */
export function checkTlsMaterial(
  material: TlsMaterial,
  names = { cert: 'cert', key: 'key', ca: 'ca' },
): string {
  const spiffeId = spiffeIdFromCertificate(material.cert, names.cert);
  let key: ReturnType<typeof createPrivateKey>;
  try {
    key = createPrivateKey(material.key);
  } catch (cause) {
    throw invalidConfig(`${names.key}: not a valid PEM private key.`, cause);
  }
  if (!new X509Certificate(material.cert).checkPrivateKey(key)) {
    throw invalidConfig(`${names.key}: the private key does not belong to the certificate in ${names.cert}.`);
  }
  if (material.ca !== undefined) {
    try {
      new X509Certificate(material.ca);
    } catch (cause) {
      throw invalidConfig(`${names.ca}: not a valid PEM CA certificate.`, cause);
    }
  }
  return spiffeId;
}

/** An undici dispatcher with the agent's certificate, and a fetch that uses it and never follows redirects. */
export interface MtlsTransport {
  /** The dispatcher (TLS ≥ 1.2, client certificate, CA), made (and undici loaded) on first use. */
  readonly dispatcher: Agent;
  /** A fetch for @x/http-core that sends through the dispatcher and returns redirects instead of following them. */
  fetch: FetchLike;
  /** Closes the dispatcher's connections; nothing to do (and undici not loaded) when none was made. Idempotent. */
  close(): Promise<void>;
  /** {@link MtlsTransport.close}, for `await using transport = …`. */
  [Symbol.asyncDispose](): Promise<void>;
}

type Undici = typeof import('undici');
let undici: Undici | undefined;

/** undici, loaded on first use: a synchronous `require`, so the transport's API stays synchronous. */
function loadUndici(): Undici {
  undici ??= createRequire(import.meta.url)('undici') as Undici;
  return undici;
}

/**
 * Refuses Bun, which serves its own stand-in for the `undici` package: its `Agent` has neither `dispatch` nor
 * `close`, so the mTLS transport could neither send nor close (and a failing `close` would hide the real error).
 */
export function assertUndiciRuntime(): void {
  if ((globalThis as { Bun?: unknown }).Bun !== undefined) {
    throw new AtbError(
      "@x/atb/node does not run in Bun: its mTLS transport needs undici's Agent, and Bun replaces the undici package with a stand-in that cannot dispatch or close. Run the agent on Node.js (>= 22.19); @x/atb (tokens, PoA verification, AgentAuth over a fetch you give) runs in Bun.",
      { code: 'unsupported_runtime' },
    );
  }
}

const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);
const utf8 = new TextDecoder();

function headersOf(raw: IncomingHttpHeaders): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(raw)) {
    if (Array.isArray(value)) for (const v of value) headers.append(name, v);
    else if (value !== undefined) headers.append(name, value);
  }
  return headers;
}

type Bytes = Uint8Array<ArrayBuffer>;

type BufferedResponseClass = new (bytes: Bytes | null, init: ResponseInit) => Response;
let bufferedResponse: BufferedResponseClass | undefined;

/**
 * A `Response` whose body is already in memory. Reading it decodes the bytes directly: a web `Response` built
 * over bytes makes a `ReadableStream` per response and reads it back chunk by chunk, which costs more than the
 * rest of a small call on loopback. `body` still gives a stream (made on first access) for code that wants one.
 *
 * The class is defined on first use: `Response` is a lazy global in Node whose first read loads Node's own
 * fetch implementation, which would make `import '@x/atb/node'` take half as long again.
 */
function bufferedResponseClass(): BufferedResponseClass {
  bufferedResponse ??= class BufferedResponse extends Response {
    readonly #bytes: Bytes | null;
    #stream: ReadableStream<Bytes> | null | undefined;
    #used = false;

    constructor(bytes: Bytes | null, init: ResponseInit) {
      super(null, init);
      this.#bytes = bytes;
    }

    override get body(): ReadableStream<Bytes> | null {
      if (this.#stream === undefined) {
        this.#stream = this.#bytes && !this.#used ? new Response(this.#bytes).body : null;
      }
      return this.#stream;
    }

    override get bodyUsed(): boolean {
      return this.#used || (this.#stream?.locked ?? false);
    }

    /** The bytes, once; after `body` was taken, reading goes through that stream like any Response. */
    #take(): Bytes | Promise<Bytes> {
      if (this.#stream !== undefined) {
        return new Response(this.#stream).arrayBuffer().then((buffer) => new Uint8Array(buffer));
      }
      if (this.#used) throw new TypeError('Body is unusable: Body has already been read');
      this.#used = true;
      return this.#bytes ?? new Uint8Array(0);
    }

    override async text(): Promise<string> {
      return utf8.decode(await this.#take());
    }

    override async json(): Promise<unknown> {
      return JSON.parse(await this.text());
    }

    override async arrayBuffer(): Promise<ArrayBuffer> {
      const bytes = await this.#take();
      return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    }

    override async blob(): Promise<Blob> {
      return new Blob([await this.arrayBuffer()], { type: this.headers.get('content-type') ?? '' });
    }

    override async formData(): Promise<FormData> {
      return new Response(await this.arrayBuffer(), { headers: this.headers }).formData();
    }

    override clone(): Response {
      if (this.bodyUsed) throw new TypeError('Response.clone: Body has already been consumed.');
      const init = { status: this.status, statusText: this.statusText, headers: this.headers };
      if (this.#stream === undefined) return new BufferedResponse(this.#bytes, init);
      const [mine, theirs] = this.#stream!.tee();
      this.#stream = mine;
      return new Response(theirs, init);
    }
  };
  return bufferedResponse;
}

/**
 * Sends one request with a body in memory (or none) on the dispatcher and collects the response in memory.
 * This is undici's dispatch interface, the layer under `request()`: no body stream is built, and the abort
 * signal is watched with a single listener.
 */
function sendBuffered(
  dispatcher: Dispatcher,
  input: string,
  init: RequestInit,
  body: string | Uint8Array | null,
): Promise<Response> {
  const signal = init.signal ?? undefined;
  if (signal?.aborted) return Promise.reject(signal.reason);
  const url = new URL(input);
  const headers = init.headers instanceof Headers ? init.headers : new Headers(init.headers);
  return new Promise<Response>((resolve, reject) => {
    let controller: Dispatcher.DispatchController | undefined;
    let status = 0;
    let statusText = '';
    let responseHeaders: IncomingHttpHeaders = {};
    let chunks: Buffer[] = [];
    let size = 0;
    const onAbort = () => controller?.abort(signal!.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    const settle = () => signal?.removeEventListener('abort', onAbort);
    dispatcher.dispatch(
      {
        origin: url.origin,
        path: `${url.pathname}${url.search}`,
        method: (init.method ?? 'GET') as Dispatcher.HttpMethod,
        headers,
        body,
      },
      {
        onRequestStart(c) {
          controller = c;
          if (signal?.aborted) c.abort(signal.reason);
        },
        onResponseStart(_c, statusCode, headersReceived, message) {
          status = statusCode;
          statusText = message ?? '';
          responseHeaders = headersReceived;
          chunks = [];
          size = 0;
        },
        onResponseData(_c, chunk) {
          chunks.push(chunk);
          size += chunk.byteLength;
        },
        onResponseEnd() {
          settle();
          const bytes = NULL_BODY_STATUSES.has(status)
            ? null
            : ((chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size)) as Bytes);
          try {
            resolve(
              new (bufferedResponseClass())(bytes, {
                status,
                statusText,
                headers: headersOf(responseHeaders),
              }),
            );
          } catch (error) {
            reject(error);
          }
        },
        onResponseError(_c, error) {
          settle();
          reject(signal?.aborted ? signal.reason : error);
        },
      },
    );
  });
}

/**
 * Creates the mTLS transport. Its fetch sends through undici's dispatcher directly (a fraction of `fetch`'s
 * cost per call) when the body is absent, a string or bytes, and with undici's `fetch` otherwise (streams,
 * forms). Either way redirects are returned, never followed, so the client certificate and the PoA are never
 * presented to another origin. Response bodies are read in full before the `Response` is returned.
 */
export function createMtlsTransport(material: TlsMaterial): MtlsTransport {
  assertUndiciRuntime();
  let agent: Agent | undefined;
  const dispatcher = (): Agent => {
    agent ??= new (loadUndici().Agent)({
      // HTTP/1.1 as with undici 7: undici 8 would switch to HTTP/2 when the server offers it (ALPN).
      allowH2: false,
      connect: {
        cert: material.cert,
        key: material.key,
        ...(material.ca === undefined ? {} : { ca: material.ca }),
        minVersion: 'TLSv1.2',
      },
    });
    return agent;
  };
  const fetch: FetchLike = async (input, init) => {
    const body = init.body;
    if (body === undefined || body === null || typeof body === 'string' || body instanceof Uint8Array) {
      return sendBuffered(dispatcher(), input, init, body ?? null);
    }
    return loadUndici().fetch(input, {
      ...(init as object),
      dispatcher: dispatcher(),
      redirect: 'manual',
    }) as unknown as Promise<Response>;
  };
  return closeable<MtlsTransport>({
    get dispatcher() {
      return dispatcher();
    },
    fetch,
    close: async () => {
      await agent?.close();
    },
  });
}
