/**
 * Per-user and per-session MongoDB collections through the official `mongodb` driver, behind the
 * validation layer of `mongo-filters.ts`. Used by the gateway only when `MONGODB_URL` (or `mongo.url`) is
 * set; no MongoDB server can run on our CI machines, so these calls are tested only against a real server.
 *
 * @module
 */
import type { Db, MongoClient } from 'mongodb';
import { ArtifactGatewayError } from '../errors.ts';
import {
  checkFilter,
  checkLimit,
  checkUpdate,
  collectionName,
  type DocumentLimits,
} from '../mongo-filters.ts';
import type { DeleteOutcome, UpsertOutcome } from '../results.ts';
import type { StorageScope } from '../scopes.ts';

/** Options of {@link MongoHandler}. */
export interface MongoHandlerOptions extends DocumentLimits {
  /** The database to use. */
  db: Db;
  /** Longest time one operation may run on the server, in ms (default 10 000). */
  maxTimeMs?: number;
}

/** Which collection a call uses. */
export interface MongoTarget {
  /** `user` or `session`. */
  scope: StorageScope;
  /** The user's id (for `user`). */
  userId: string;
  /** The session id (for `session`; from the token). */
  sessionId?: string;
  /** The collection name the app uses: 1–64 ASCII letters, digits, `_` or `-`. */
  collection: string;
}

/**
 * Finds, upserts and deletes documents in the caller's own collections.
 *
 * @example
 * ```ts
 * const client = new MongoClient(process.env.MONGODB_URL!);
 * const mongo = new MongoHandler({ db: client.db('ohwise') });
 * await mongo.find({ scope: 'user', userId, collection: 'notes' }, { status: 'active' });
 * ```
 */
export class MongoHandler {
  readonly #db: Db;
  readonly #limits: DocumentLimits;
  readonly #maxTimeMs: number;

  /** Creates a handler; see {@link MongoHandlerOptions}. */
  constructor(options: MongoHandlerOptions) {
    this.#db = options.db;
    this.#limits = options;
    this.#maxTimeMs = options.maxTimeMs ?? 10_000;
  }

  /** Runs a driver call, turning driver errors into gateway errors (400 for refused input, 503 when unreachable). */
  async #run<T>(operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      if (ArtifactGatewayError.isInstance(error)) throw error;
      const name = (error as Error)?.name ?? '';
      if (name === 'MongoServerError')
        throw new ArtifactGatewayError(`MongoDB refused the operation: ${(error as Error).message}`, {
          code: 'invalid_request',
          cause: error,
        });
      throw new ArtifactGatewayError('MongoDB is unreachable', {
        code: 'upstream_error',
        status: 503,
        cause: error,
      });
    }
  }

  #collection(target: MongoTarget) {
    const owner = target.scope === 'session' ? target.sessionId : target.userId;
    return this.#db.collection(collectionName(target.scope, owner, target.collection));
  }

  /** Finds up to `limit` (1–10 000, default 100) documents; `_id` becomes a string. */
  async find(target: MongoTarget, filter: unknown = {}, limit?: unknown): Promise<Record<string, unknown>[]> {
    const checked = checkFilter(filter, this.#limits);
    const max = checkLimit(limit);
    const collection = this.#collection(target);
    const docs = await this.#run(() =>
      collection.find(checked, { limit: max, maxTimeMS: this.#maxTimeMs }).toArray(),
    );
    return docs.map((doc) => ({ ...doc, _id: String(doc._id) }));
  }

  /** Updates the first match or inserts one (update operators only). */
  async upsert(target: MongoTarget, filter: unknown, update: unknown): Promise<UpsertOutcome> {
    const checkedFilter = checkFilter(filter, this.#limits);
    const checkedUpdate = checkUpdate(update, this.#limits);
    const collection = this.#collection(target);
    const result = await this.#run(() =>
      collection.updateOne(checkedFilter, checkedUpdate, { upsert: true, maxTimeMS: this.#maxTimeMs }),
    );
    return {
      matched: result.matchedCount,
      modified: result.modifiedCount,
      upserted: result.upsertedId != null,
    };
  }

  /** Deletes every match (an empty filter empties the caller's collection, as upstream). */
  async delete(target: MongoTarget, filter: unknown): Promise<DeleteOutcome> {
    const checked = checkFilter(filter, this.#limits);
    const collection = this.#collection(target);
    const result = await this.#run(() => collection.deleteMany(checked, { maxTimeMS: this.#maxTimeMs }));
    return { deleted: result.deletedCount };
  }
}

/** A connected driver client and a handler on one of its databases. */
export interface MongoConnection {
  /** The driver client (close it when done). */
  client: MongoClient;
  /** The handler. */
  handler: MongoHandler;
  /** The database (`dbName`), also used by the gateway's state store. */
  db: Db;
}

/** Connects to `url` and returns the client and a handler on database `dbName`. */
export async function connectMongo(url: string, dbName: string): Promise<MongoConnection> {
  const { MongoClient } = await import('mongodb').catch((error: unknown) => {
    throw new ArtifactGatewayError('MongoDB needs the optional dependency mongodb', {
      code: 'not_configured',
      cause: error,
    });
  });
  // Fail fast (5 s) unless the URL sets its own selection timeout.
  const client = new MongoClient(
    url,
    /serverSelectionTimeoutMS=/i.test(url) ? {} : { serverSelectionTimeoutMS: 5_000 },
  );
  await client.connect();
  const db = client.db(dbName);
  return { client, handler: new MongoHandler({ db }), db };
}
