/**
 * `@x/atb/node`: the Agent Trust Broker client for Node (mTLS needs Node's TLS).
 *
 * @module
 */
export {
  AtbClient,
  type AtbClientOptions,
  type AuthorizeOptions,
  type ExecuteOptions,
  type ExecuteResult,
} from './client.ts';
export {
  checkTlsMaterial,
  createMtlsTransport,
  type MtlsTransport,
  readPemFile,
  spiffeIdFromCertificate,
  type TlsMaterial,
} from './tls.ts';
