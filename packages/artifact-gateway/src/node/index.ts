/**
 * @x/artifact-gateway/node: the server. `createArtifactGateway` serves every route of the upstream browser
 * SDK; the building blocks (`ExternalProxy`, `DuckDbHandler`, `FilesHandler`, `MongoHandler`) are usable
 * alone. Node only.
 *
 * @module
 */

export {
  DuckDbHandler,
  type DuckDbHandlerOptions,
  type DuckDbTarget,
  type SqlAccess,
} from './duckdb.ts';
export {
  type ExternalCallOptions,
  ExternalProxy,
  type ExternalProxyOptions,
  type ExternalResponse,
  type ExternalStream,
  type ResolvedAddress,
  type Resolver,
} from './external-proxy.ts';
export {
  FilesHandler,
  type FilesHandlerOptions,
  type FilesTarget,
  relativeSegments,
} from './files.ts';
export {
  type ArtifactGateway,
  type ArtifactGatewayOptions,
  type CodeRunner,
  type CodeRunRequest,
  createArtifactGateway,
  type GatewayCorsOptions,
  type InternalApiOptions,
  type MongoConnectionOptions,
  type StoredCredential,
} from './gateway.ts';
export {
  connectMongo,
  type MongoConnection,
  MongoHandler,
  type MongoHandlerOptions,
  type MongoTarget,
} from './mongo.ts';
export { DuckDbStateStore, type DuckDbStateStoreOptions } from './state-duckdb.ts';
export { MongoStateStore, type MongoStateStoreOptions } from './state-mongo.ts';
