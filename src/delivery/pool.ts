/**
 * Runs `worker` over `items` with at most `concurrency` calls in flight,
 * in input order. Stops taking new items once `signal` aborts. When a call
 * throws, no new item starts, and the first error is thrown once the calls
 * in flight have finished, so that no call runs after this returns.
 */
export async function runPool<T>(
  items: Iterable<T> | AsyncIterable<T>,
  concurrency: number,
  worker: (item: T, index: number) => Promise<void>,
  signal?: AbortSignal,
): Promise<void> {
  const iterator = Symbol.asyncIterator in items ? items[Symbol.asyncIterator]() : items[Symbol.iterator]();
  let index = 0;
  let failure: { error: unknown } | undefined;

  async function lane(): Promise<void> {
    try {
      while (!signal?.aborted && failure === undefined) {
        // A synchronous iterator's result is used as it is, without waiting a microtask for it.
        const pending = iterator.next();
        const next = 'then' in pending ? await pending : pending;
        if (next.done) {
          return;
        }
        await worker(next.value, index++);
      }
    } catch (error) {
      failure ??= { error };
    }
  }

  const lanes = Array.from({ length: Math.max(1, concurrency) }, () => lane());
  await Promise.all(lanes);
  if (failure) {
    throw failure.error;
  }
}
