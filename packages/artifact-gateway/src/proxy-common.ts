/**
 * What the external and internal proxies share: request validation, header filtering, capped body reading
 * and the response envelope's body parsing.
 *
 * @module
 */
import { ArtifactGatewayError, invalidRequest } from './errors.ts';

/** The methods both proxies forward (upper-cased before the check). */
export const PROXY_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
/** A method both proxies forward. */
export type ProxyMethod = (typeof PROXY_METHODS)[number];

/** Upper-cases and checks a method. */
export function normaliseMethod(method: unknown = 'GET'): ProxyMethod {
  const upper = typeof method === 'string' ? method.toUpperCase() : '';
  if (!(PROXY_METHODS as readonly string[]).includes(upper))
    throw invalidRequest(`method must be one of ${PROXY_METHODS.join(', ')}`);
  return upper as ProxyMethod;
}

/** Headers an artifact may never set on an outbound request: hop-by-hop, routing and credentials. */
export const DROPPED_REQUEST_HEADERS: ReadonlySet<string> = new Set([
  'host',
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authorization',
  'proxy-authenticate',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'content-length',
  'expect',
  'accept-encoding',
  'authorization',
  'cookie',
  'cookie2',
  'forwarded',
  'via',
  'x-forwarded-for',
  'x-forwarded-host',
  'x-forwarded-proto',
  'x-real-ip',
]);

/** Response headers not handed back to the artifact (hop-by-hop, and cookies meant for the gateway host). */
export const DROPPED_RESPONSE_HEADERS: ReadonlySet<string> = new Set([
  'connection',
  'keep-alive',
  'transfer-encoding',
  'set-cookie',
  'set-cookie2',
]);

/**
 * Checks the artifact's headers (strings only, valid names and values) and drops the ones in
 * {@link DROPPED_REQUEST_HEADERS}. Keys keep their case.
 */
export function filterRequestHeaders(headers: unknown): Record<string, string> {
  if (headers === undefined || headers === null) return {};
  if (typeof headers !== 'object' || Array.isArray(headers))
    throw invalidRequest('headers must be an object of strings');
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (typeof value !== 'string') throw invalidRequest(`header ${name} must be a string`);
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) throw invalidRequest('a header name is not valid');
    if (/[\r\n\0]/.test(value)) throw invalidRequest(`header ${name} contains a line break or NUL`);
    if (DROPPED_REQUEST_HEADERS.has(name.toLowerCase())) continue;
    out[name] = value;
  }
  return out;
}

/**
 * Reads a body stream up to `maxBytes`, cancelling it and throwing `payload_too_large` (status 502) beyond.
 */
export async function readCapped(
  body: ReadableStream<Uint8Array> | AsyncIterable<Uint8Array> | null,
  maxBytes: number,
): Promise<Uint8Array> {
  if (!body) return new Uint8Array();
  const chunks: Uint8Array[] = [];
  let size = 0;
  const iterable =
    Symbol.asyncIterator in body
      ? (body as AsyncIterable<Uint8Array>)
      : streamIterable(body as ReadableStream<Uint8Array>);
  for await (const chunk of iterable) {
    size += chunk.byteLength;
    if (size > maxBytes)
      throw new ArtifactGatewayError(`the upstream response exceeds ${maxBytes} bytes`, {
        code: 'payload_too_large',
        status: 502,
      });
    chunks.push(chunk);
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.byteLength;
  }
  return out;
}

async function* streamIterable(stream: ReadableStream<Uint8Array>): AsyncIterable<Uint8Array> {
  const reader = stream.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
}

/** The envelope's `body`: parsed JSON when the content type says JSON and it parses, else text. */
export function decodeBody(bytes: Uint8Array, contentType: string | null | undefined): unknown {
  const text = new TextDecoder().decode(bytes);
  if (contentType?.toLowerCase().includes('json')) {
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  }
  return text;
}

/** The JSON request body, or `undefined` for none (`null` means none too, as upstream). */
export function encodeJsonBody(body: unknown): string | undefined {
  return body === undefined || body === null ? undefined : JSON.stringify(body);
}
