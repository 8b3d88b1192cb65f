// Shared by the pure and the Node tests, so it must not import the Node-only kit.
/** The error a promise rejects with; fails the test when it resolves instead. */
export function failure(promise: Promise<unknown>): Promise<any> {
  return promise.then(
    (value) => {
      throw new Error(`expected a rejection, got ${JSON.stringify(value)}`);
    },
    (error: unknown) => error,
  );
}
