/**
 * Bounded parallelism for independent writes (profiles, scores): enough in flight to hide
 * round-trip latency, few enough not to self-throttle. Written here because it is eight
 * lines and a dependency for it would be larger than the code.
 */
/** Runs `fn` over items with at most `limit` in flight; rejects with the first error after all settle. */
export async function forEachLimit<T>(items: T[], limit: number, fn: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  let firstError: unknown;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++];
      try {
        await fn(item);
      } catch (err) {
        firstError ??= err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (firstError !== undefined) throw firstError;
}
