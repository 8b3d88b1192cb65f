/**
 * The external proxy with an SSRF filter upstream lacks: https only, the host resolved and every
 * address checked (see `blockedAddressReason`), the socket connected to exactly the checked address (the
 * check runs inside the connection's own DNS lookup, so there is no rebinding window), redirects returned
 * as data, the artifact's hop-by-hop and credential headers dropped, a timeout and a response size cap.
 *
 * @module
 */

import type { LookupAddress } from 'node:dns';
import { lookup as dnsLookup } from 'node:dns/promises';
import type { Agent, Dispatcher } from 'undici';
import { blockedAddressReason, parseIpLiteral } from '../addresses.ts';
import { ArtifactGatewayError, invalidRequest } from '../errors.ts';
import {
  DROPPED_RESPONSE_HEADERS,
  decodeBody,
  encodeJsonBody,
  filterRequestHeaders,
  normaliseMethod,
  type ProxyMethod,
  readCapped,
} from '../proxy-common.ts';
import { SCOPES } from '../scopes.ts';

/** One resolved address of a host name. */
export interface ResolvedAddress {
  /** The IP address. */
  address: string;
  /** 4 or 6. */
  family: 4 | 6;
}

/** Resolves a host name to every address it has (default: the system resolver, all addresses). */
export type Resolver = (hostname: string) => Promise<ResolvedAddress[]>;

/** Options of {@link ExternalProxy}. */
export interface ExternalProxyOptions {
  /** Time for the whole call, headers and body, in ms (default 30 000). */
  timeoutMs?: number;
  /** Largest response body `call` reads, in bytes (default 4 MiB); beyond it the call fails with 502. */
  maxResponseBytes?: number;
  /** Largest body `stream` relays, in bytes (default 64 MiB); beyond it the stream errors. */
  maxStreamBytes?: number;
  /** Largest JSON request body, in bytes (default 4 MiB). */
  maxRequestBytes?: number;
  /** The resolver (default: the system's). Tests inject one; every address it returns is still checked. */
  resolver?: Resolver;
  /**
   * The address check (default `blockedAddressReason`): gets each resolved address and the host name it
   * came from, returns why it is refused or `undefined`. Replace it only in tests and local demos (to reach
   * one named loopback stand-in); production keeps the default.
   */
  addressPolicy?: (address: string, hostname: string) => string | undefined;
  /** Extra CA certificates (PEM) to trust besides the system's; for a local test server. Default: none. */
  ca?: string | readonly string[];
}

/** What {@link ExternalProxy.call} and {@link ExternalProxy.stream} take. */
export interface ExternalCallOptions {
  /** The caller's token scopes; `external:*` is required. */
  scope: readonly string[];
  /** GET, POST, PUT, PATCH or DELETE, any case (default GET). */
  method?: string;
  /** An `https://` URL. */
  url: string;
  /** Request headers (hop-by-hop and credential headers are dropped). */
  headers?: Record<string, string>;
  /**
   * Headers the host adds after the artifact's are filtered, e.g. a vault credential from
   * `applyCredential` (these may carry `Authorization`).
   */
  credentialHeaders?: Record<string, string>;
  /** A JSON body (sent as `application/json`); `null`/`undefined` for none. */
  body?: unknown;
  /** Query parameters appended to the URL (e.g. a credential with query placement). */
  query?: Record<string, string>;
  /** Cancels the call. */
  signal?: AbortSignal;
}

/** The envelope `call` returns: the upstream status, headers and body as data (3xx included). */
export interface ExternalResponse {
  /** The upstream status. */
  status: number;
  /** Upstream headers, lower-case, flat; `set-cookie` and hop-by-hop headers removed. */
  headers: Record<string, string>;
  /** Parsed JSON when the content type is JSON, else text. */
  body: unknown;
}

/** What `stream` returns: the upstream status and headers, and the body as a byte stream. */
export interface ExternalStream {
  /** The upstream status. */
  status: number;
  /** Upstream headers, lower-case, flat. */
  headers: Record<string, string>;
  /** The raw body bytes, capped at `maxStreamBytes`. */
  body: ReadableStream<Uint8Array>;
}

const MiB = 1024 * 1024;

const systemResolver: Resolver = async (hostname) =>
  (await dnsLookup(hostname, { all: true, verbatim: true })).map((a) => ({
    address: a.address,
    family: a.family === 6 ? 6 : 4,
  }));

function blocked(host: string, reason: string): ArtifactGatewayError {
  return new ArtifactGatewayError(`External calls to ${host} are not permitted: it resolves to ${reason}`, {
    code: 'blocked_destination',
  });
}

function findGatewayError(error: unknown): ArtifactGatewayError | undefined {
  for (let e = error, depth = 0; e && depth < 8; e = (e as { cause?: unknown }).cause, depth++)
    if (ArtifactGatewayError.isInstance(e)) return e;
  return undefined;
}

/**
 * Forwards an artifact's call to an external HTTPS API.
 *
 * @example
 * ```ts
 * const proxy = new ExternalProxy();
 * const result = await proxy.call({ scope: claims.scope, method: 'GET', url: 'https://api.example.com/v1/data' });
 * // { status: 200, headers: {…}, body: {…} }
 * ```
 */
export class ExternalProxy {
  readonly #timeoutMs: number;
  readonly #maxResponseBytes: number;
  readonly #maxStreamBytes: number;
  readonly #maxRequestBytes: number;
  readonly #resolver: Resolver;
  readonly #policy: (address: string, hostname: string) => string | undefined;
  readonly #agentOptions: Agent.Options;
  #agent: Promise<{ agent: Agent; request: typeof import('undici').request }> | undefined;

  /** Creates a proxy; see {@link ExternalProxyOptions}. */
  constructor(options: ExternalProxyOptions = {}) {
    this.#timeoutMs = options.timeoutMs ?? 30_000;
    this.#maxResponseBytes = options.maxResponseBytes ?? 4 * MiB;
    this.#maxStreamBytes = options.maxStreamBytes ?? 64 * MiB;
    this.#maxRequestBytes = options.maxRequestBytes ?? 4 * MiB;
    this.#resolver = options.resolver ?? systemResolver;
    this.#policy = options.addressPolicy ?? blockedAddressReason;
    const ca = options.ca === undefined ? undefined : [options.ca].flat();
    this.#agentOptions = {
      // HTTP/1.1 as with undici 7: undici 8 would switch to HTTP/2 when the upstream offers it (ALPN).
      allowH2: false,
      headersTimeout: this.#timeoutMs,
      bodyTimeout: this.#timeoutMs,
      connect: {
        timeout: this.#timeoutMs,
        lookup: (hostname, lookupOptions, callback) => {
          // The connection's own lookup: what is checked here is what the socket connects to.
          this.#resolveChecked(hostname).then(
            (addresses) => {
              if ((lookupOptions as { all?: boolean }).all)
                (callback as (e: null, a: LookupAddress[]) => void)(null, addresses);
              else callback(null, addresses[0]!.address, addresses[0]!.family);
            },
            (error: Error) => callback(error as NodeJS.ErrnoException, '', 0),
          );
        },
        ...(ca ? { ca: [...(ca as string[])] } : {}),
      },
    };
  }

  /** The dispatcher, made on the first proxied call: undici is loaded then, not when the gateway is imported. */
  #dispatcher(): Promise<{ agent: Agent; request: typeof import('undici').request }> {
    this.#agent ??= import('undici').then(({ Agent, request }) => ({
      agent: new Agent(this.#agentOptions),
      request,
    }));
    return this.#agent;
  }

  async #resolveChecked(hostname: string): Promise<ResolvedAddress[]> {
    let addresses: ResolvedAddress[];
    try {
      addresses = await this.#resolver(hostname);
    } catch (error) {
      throw new ArtifactGatewayError(`Could not resolve ${hostname}`, {
        code: 'upstream_error',
        cause: error,
      });
    }
    if (addresses.length === 0)
      throw new ArtifactGatewayError(`${hostname} has no address`, { code: 'upstream_error' });
    for (const { address } of addresses) {
      const reason = this.#policy(address, hostname);
      if (reason) throw blocked(hostname, reason);
    }
    return addresses;
  }

  /** Checks scope, method and URL; returns what the request needs. */
  #prepare(options: ExternalCallOptions): { method: ProxyMethod; url: URL; body: string | undefined } {
    if (!options.scope?.includes(SCOPES.external))
      throw new ArtifactGatewayError("Scope 'external:*' is required for external proxy calls", {
        code: 'permission_denied',
      });
    const method = normaliseMethod(options.method);
    if (typeof options.url !== 'string' || !/^https:\/\//i.test(options.url))
      throw new ArtifactGatewayError('Only HTTPS URLs are permitted for external proxy calls', {
        code: 'blocked_destination',
      });
    let url: URL;
    try {
      url = new URL(options.url);
    } catch {
      throw invalidRequest('url is not a valid URL');
    }
    if (url.username || url.password) throw invalidRequest('url must not contain a user name or password');
    for (const [name, value] of Object.entries(options.query ?? {}))
      url.searchParams.set(name, String(value));
    // The URL parser already turns 2130706433, 0x7f.1 and friends into dotted form; check literals here
    // because the socket skips the lookup (and its check) for them.
    const host = url.hostname;
    if (parseIpLiteral(host)) {
      const literal = host.replace(/^\[|\]$/g, '');
      const reason = this.#policy(literal, literal);
      if (reason) throw blocked(host, reason);
    }
    const body = encodeJsonBody(options.body);
    if (body !== undefined && method === 'GET') throw invalidRequest('a GET request cannot carry a body');
    if (body !== undefined && new TextEncoder().encode(body).byteLength > this.#maxRequestBytes)
      throw new ArtifactGatewayError(`the request body exceeds ${this.#maxRequestBytes} bytes`, {
        code: 'payload_too_large',
      });
    return { method, url, body };
  }

  async #send(
    options: ExternalCallOptions,
  ): Promise<{ response: Dispatcher.ResponseData; signal: AbortSignal }> {
    const { method, url, body } = this.#prepare(options);
    const headers = filterRequestHeaders(options.headers);
    if (body !== undefined) {
      for (const name of Object.keys(headers))
        if (name.toLowerCase() === 'content-type') delete headers[name];
      headers['content-type'] = 'application/json';
    }
    for (const [name, value] of Object.entries(options.credentialHeaders ?? {})) {
      for (const key of Object.keys(headers))
        if (key.toLowerCase() === name.toLowerCase()) delete headers[key];
      headers[name] = value;
    }
    headers['accept-encoding'] = 'identity';
    const timeout = AbortSignal.timeout(this.#timeoutMs);
    const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
    const { agent, request } = await this.#dispatcher();
    try {
      const response = await request(url, { method, headers, body, dispatcher: agent, signal });
      return { response, signal };
    } catch (error) {
      throw this.#failure(url.hostname, error, timeout);
    }
  }

  #failure(host: string, error: unknown, timeout: AbortSignal): ArtifactGatewayError {
    const own = findGatewayError(error);
    if (own) return own;
    if (timeout.aborted)
      return new ArtifactGatewayError(`${host} did not answer within ${this.#timeoutMs} ms`, {
        code: 'upstream_timeout',
        cause: error,
      });
    return new ArtifactGatewayError(`Could not reach ${host}`, { code: 'upstream_error', cause: error });
  }

  /**
   * Sends the call and returns the upstream answer as data (any status, redirects not followed).
   *
   * @throws {ArtifactGatewayError} `permission_denied` (no `external:*`), `blocked_destination` (not https,
   *   or a private/internal address), `invalid_request`, `payload_too_large`, `upstream_error`,
   *   `upstream_timeout`.
   */
  async call(options: ExternalCallOptions): Promise<ExternalResponse> {
    const { response, signal } = await this.#send(options);
    const headers = flatten(response.headers);
    try {
      const bytes = await readCapped(response.body, this.#maxResponseBytes);
      return { status: response.statusCode, headers, body: decodeBody(bytes, headers['content-type']) };
    } catch (error) {
      response.body.destroy();
      if (ArtifactGatewayError.isInstance(error)) throw error;
      throw this.#failure(new URL(options.url).hostname, error, signal);
    }
  }

  /** Like {@link call}, but hands back the body as a stream of raw bytes (capped at `maxStreamBytes`). */
  async stream(options: ExternalCallOptions): Promise<ExternalStream> {
    const { response } = await this.#send(options);
    const source = response.body;
    const max = this.#maxStreamBytes;
    let size = 0;
    const iterator = source[Symbol.asyncIterator]();
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        try {
          const { done, value } = await iterator.next();
          if (done) return controller.close();
          size += value.byteLength;
          if (size > max) {
            source.destroy();
            return controller.error(
              new ArtifactGatewayError(`the upstream stream exceeds ${max} bytes`, {
                code: 'payload_too_large',
                status: 502,
              }),
            );
          }
          controller.enqueue(new Uint8Array(value.buffer, value.byteOffset, value.byteLength));
        } catch (error) {
          controller.error(error);
        }
      },
      cancel() {
        source.destroy();
      },
    });
    return { status: response.statusCode, headers: flatten(response.headers), body };
  }

  /** Closes pooled connections. */
  async close(): Promise<void> {
    await (await this.#agent)?.agent.close();
  }
}

function flatten(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (value === undefined || DROPPED_RESPONSE_HEADERS.has(lower)) continue;
    out[lower] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}
