/**
 * The agent's TLS material (Node): reading the PEM files, checking that certificate and key belong together,
 * reading the SPIFFE ID from the certificate's URI SAN, and the undici dispatcher that presents them.
 *
 * @module
 */
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { FetchLike } from '@x/http-core';
import { Agent, type Dispatcher, request, fetch as undiciFetch } from 'undici';
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
  /** The dispatcher (TLS ≥ 1.2, client certificate, CA). */
  dispatcher: Agent;
  /** A fetch for @x/http-core that sends through the dispatcher and returns redirects instead of following them. */
  fetch: FetchLike;
}

const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);

function headersOf(raw: Record<string, string | string[] | undefined>): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(raw)) {
    if (Array.isArray(value)) for (const v of value) headers.append(name, v);
    else if (value !== undefined) headers.append(name, value);
  }
  return headers;
}

/**
 * Creates the mTLS transport. Its fetch sends with undici's `request` (a fraction of `fetch`'s cost per call)
 * when the body is absent, a string or bytes, and with undici's `fetch` otherwise (streams, forms). Either
 * way redirects are returned, never followed, so the client certificate and the PoA are never presented to
 * another origin. Response bodies are read in full before the `Response` is returned.
 */
export function createMtlsTransport(material: TlsMaterial): MtlsTransport {
  const dispatcher = new Agent({
    connect: {
      cert: material.cert,
      key: material.key,
      ...(material.ca === undefined ? {} : { ca: material.ca }),
      minVersion: 'TLSv1.2',
    },
  });
  const fetch: FetchLike = async (input, init) => {
    const body = init.body;
    if (!(body === undefined || body === null || typeof body === 'string' || body instanceof Uint8Array)) {
      return undiciFetch(input, {
        ...(init as object),
        dispatcher,
        redirect: 'manual',
      }) as unknown as Promise<Response>;
    }
    const headers: Record<string, string> = {};
    new Headers(init.headers).forEach((value, name) => {
      headers[name] = value;
    });
    const res = await request(input, {
      dispatcher,
      method: (init.method ?? 'GET') as Dispatcher.HttpMethod,
      headers,
      body: body ?? null,
      signal: init.signal ?? null,
    });
    const bytes = NULL_BODY_STATUSES.has(res.statusCode) ? null : await res.body.arrayBuffer();
    return new Response(bytes, { status: res.statusCode, headers: headersOf(res.headers) });
  };
  return { dispatcher, fetch };
}
