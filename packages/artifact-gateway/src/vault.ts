/**
 * The credential vault: AES-256-GCM with a key derived as SHA-256 of the master key string;
 * ciphertext = standard base64 of `nonce(12) ‖ ciphertext ‖ tag(16)`, the upstream layout.
 *
 * @module
 */
import {
  AES_GCM_NONCE_LENGTH,
  AES_GCM_TAG_LENGTH,
  aesGcmOpen,
  aesGcmSeal,
  base64Decode,
  base64Encode,
  sha256,
  utf8Decode,
  utf8Encode,
} from '@x/crypto';
import { ArtifactGatewayError } from './errors.ts';

/** Put the secret in `Authorization: Bearer <secret>`. */
export const PLACEMENT_BEARER = 'bearer';
/** Put the secret in the header named `name`. */
export const PLACEMENT_HEADER = 'header';
/** Put the secret in the query parameter named `name`. */
export const PLACEMENT_QUERY = 'query';
/** Where {@link applyCredential} puts a secret. */
export type CredentialPlacement = typeof PLACEMENT_BEARER | typeof PLACEMENT_HEADER | typeof PLACEMENT_QUERY;

function credentialError(message: string, cause?: unknown): ArtifactGatewayError {
  return new ArtifactGatewayError(message, { code: 'credential_error', cause });
}

/**
 * Encrypts and decrypts stored API secrets. Interoperable with the upstream Python vault.
 *
 * @example
 * ```ts
 * const vault = new CredentialVault(process.env.ENCRYPTION_KEY!);
 * const stored = await vault.encrypt('sk-live-abc123'); // keep this in your database
 * const secret = await vault.decrypt(stored);
 * ```
 */
export class CredentialVault {
  readonly #key: Promise<Uint8Array>;

  /**
   * @param masterKey - the master key string (upstream: `ENCRYPTION_KEY`, else `SECRET_KEY`).
   * @throws {ArtifactGatewayError} `credential_error` when it is empty.
   */
  constructor(masterKey: string) {
    if (typeof masterKey !== 'string' || masterKey === '')
      throw credentialError('CredentialVault requires a non-empty master_key');
    this.#key = sha256(utf8Encode(masterKey));
  }

  /** Encrypts `secret` with a fresh nonce; two calls give different ciphertexts. */
  async encrypt(secret: string): Promise<string> {
    const sealed = await aesGcmSeal({ key: await this.#key, plaintext: utf8Encode(secret) });
    const out = new Uint8Array(AES_GCM_NONCE_LENGTH + sealed.ciphertext.length + AES_GCM_TAG_LENGTH);
    out.set(sealed.nonce, 0);
    out.set(sealed.ciphertext, AES_GCM_NONCE_LENGTH);
    out.set(sealed.tag, AES_GCM_NONCE_LENGTH + sealed.ciphertext.length);
    return base64Encode(out);
  }

  /**
   * Decrypts what {@link encrypt} (or the upstream vault) produced.
   *
   * @throws {ArtifactGatewayError} `credential_error`: bad encoding, too short, or wrong key / tampered.
   */
  async decrypt(ciphertext: string): Promise<string> {
    let bytes: Uint8Array;
    try {
      bytes = base64Decode(ciphertext);
    } catch (error) {
      throw credentialError('Invalid credential ciphertext encoding', error);
    }
    if (bytes.length < AES_GCM_NONCE_LENGTH + AES_GCM_TAG_LENGTH)
      throw credentialError('Credential ciphertext too short');
    try {
      const plain = await aesGcmOpen({
        key: await this.#key,
        nonce: bytes.subarray(0, AES_GCM_NONCE_LENGTH),
        ciphertext: bytes.subarray(AES_GCM_NONCE_LENGTH, bytes.length - AES_GCM_TAG_LENGTH),
        tag: bytes.subarray(bytes.length - AES_GCM_TAG_LENGTH),
      });
      return utf8Decode(plain);
    } catch (error) {
      throw credentialError('Credential decryption failed (wrong key or tampered)', error);
    }
  }
}

/** Options of {@link applyCredential}. */
export interface ApplyCredentialOptions {
  /** The decrypted secret. */
  secret: string;
  /** Where to put it (default {@link PLACEMENT_BEARER}). */
  placement?: CredentialPlacement;
  /** The header or query parameter name (required for `header` and `query`). */
  name?: string;
  /** Headers to start from (not mutated). */
  headers?: Record<string, string>;
  /** Query parameters to start from (not mutated). */
  query?: Record<string, string>;
}

/** What {@link applyCredential} returns. */
export interface AppliedCredential {
  /** The headers with the secret placed (a copy). */
  headers: Record<string, string>;
  /** The query parameters with the secret placed (a copy). */
  query: Record<string, string>;
}

/**
 * Returns copies of `headers` and `query` with the secret placed as asked.
 *
 * @example
 * ```ts
 * const { headers } = applyCredential({ secret, placement: 'header', name: 'X-Api-Key' });
 * ```
 * @throws {ArtifactGatewayError} `credential_error` for a missing name or an unknown placement.
 */
export function applyCredential(options: ApplyCredentialOptions): AppliedCredential {
  const headers = { ...options.headers };
  const query = { ...options.query };
  const placement = options.placement ?? PLACEMENT_BEARER;
  if (placement === PLACEMENT_BEARER) {
    for (const key of Object.keys(headers)) if (key.toLowerCase() === 'authorization') delete headers[key];
    headers['Authorization'] = `Bearer ${options.secret}`;
  } else if (placement === PLACEMENT_HEADER) {
    if (!options.name) throw credentialError("placement 'header' requires a header name");
    for (const key of Object.keys(headers))
      if (key.toLowerCase() === options.name.toLowerCase()) delete headers[key];
    headers[options.name] = options.secret;
  } else if (placement === PLACEMENT_QUERY) {
    if (!options.name) throw credentialError("placement 'query' requires a query parameter name");
    query[options.name] = options.secret;
  } else {
    throw credentialError(`Unknown credential placement: ${String(placement)}`);
  }
  return { headers, query };
}
