/**
 * `Promise.all(items.map(fn))` with at most `limit` calls under way at once, results in the
 * items' order. For fan-outs of thousands of requests: all at once, each request's buffers,
 * timers and promises wait in the client's queue together (hundreds of MiB for 10,000 Kafka
 * requests), for no gain in speed over a connection that answers them in turn.
 */
export async function mapLimited<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
