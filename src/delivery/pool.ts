/**
 * Runs `worker` over `items` with at most `concurrency` calls in flight,
 * in input order. Stops taking new items once `signal` aborts.
 */
export async function runPool<T>(
  items: Iterable<T> | AsyncIterable<T>,
  concurrency: number,
  worker: (item: T, index: number) => Promise<void>,
  signal?: AbortSignal,
): Promise<void> {
  const iterator = toAsyncIterator(items);
  let index = 0;

  async function lane(): Promise<void> {
    while (!signal?.aborted) {
      const next = await iterator.next();
      if (next.done) {
        return;
      }
      await worker(next.value, index++);
    }
  }

  const lanes = Array.from({ length: Math.max(1, concurrency) }, () => lane());
  await Promise.all(lanes);
}

function toAsyncIterator<T>(items: Iterable<T> | AsyncIterable<T>): AsyncIterator<T> {
  if (Symbol.asyncIterator in items) {
    return items[Symbol.asyncIterator]();
  }

  const iterator = items[Symbol.iterator]();
  return { next: async () => iterator.next() };
}
