/**
 * Runs `work` over `items` with at most `concurrency` at once, keeping results in order: the bench's set-up calls
 * (posts, timeline reads) go out in parallel without flooding the API it is about to measure.
 */
export async function mapLimit<T, R>(items: readonly T[], concurrency: number, work: (item: T) => Promise<R>) {
  const results = new Array<R>(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.min(concurrency, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i]!);
    }
  });
  await Promise.all(lanes);
  return results;
}
