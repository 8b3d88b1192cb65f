/**
 * One lifecycle for everything that holds sockets, timers or files: an idempotent `close()` and
 * `[Symbol.asyncDispose]`, so `await using server = await startTestServer(app)` works.
 *
 * @module
 */

/** Something that holds sockets, timers or files until it is closed. */
export interface Closeable {
  /** Releases what it holds; calling it again resolves with the first call's outcome. */
  close(): Promise<void>;
  /** {@link Closeable.close}, for `await using`. */
  [Symbol.asyncDispose](): Promise<void>;
}

/** Anything with a `close()` that releases what it holds. */
export interface HasClose {
  /** Releases what it holds. */
  close(): Promise<void>;
}

/**
 * Makes `target.close` idempotent (a second call gets the first call's promise) and adds
 * `[Symbol.asyncDispose]` calling it. Returns `target` itself.
 *
 * @example
 * ```ts
 * return closeable({ url, close: () => new Promise<void>((done) => server.close(() => done())) });
 * ```
 */
export function closeable<T extends HasClose>(target: T): T & Closeable;
/** The same, typed by the interface it returns (`closeable<FakeThing>({ … })`), whose members guide the literal. */
export function closeable<T extends Closeable>(target: Omit<T, typeof Symbol.asyncDispose>): T;
export function closeable<T extends HasClose>(target: T): T & Closeable {
  const close = target.close.bind(target);
  let closing: Promise<void> | undefined;
  const once = () => (closing ??= Promise.resolve().then(close));
  Object.defineProperty(target, 'close', { value: once, configurable: true, writable: true });
  // Runtimes without the symbol (older browsers) simply get no dispose method.
  if (typeof Symbol.asyncDispose === 'symbol')
    Object.defineProperty(target, Symbol.asyncDispose, { value: once, configurable: true, writable: true });
  return target as T & Closeable;
}
