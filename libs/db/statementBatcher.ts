interface Waiting<T, R> {
  item: T;
  resolve: (result: R) => void;
  reject: (err: unknown) => void;
}

/**
 * Runs one statement for many callers: an item submitted while a statement runs goes with the
 * next one, which starts as soon as that one ends, so a lone item waits for nobody (or only
 * `gatherMs`, for callers that do not wait on their items) and many share a round trip and a
 * commit. `run` answers one result per item, in order. When a batch
 * of several fails (a deadlock with another process's batch, say), each item is tried on its
 * own, so one failure does not fail the others.
 */
export class StatementBatcher<T, R> {
  private readonly run: (items: T[]) => Promise<R[]>;
  private readonly maxBatch: number;
  private readonly gatherMs: number;
  private queue: Waiting<T, R>[] = [];
  private running = false;

  constructor(run: (items: T[]) => Promise<R[]>, maxBatch: number, gatherMs = 0) {
    this.run = run;
    this.maxBatch = maxBatch;
    this.gatherMs = gatherMs;
  }

  submit(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (this.running) return;
      this.running = true;
      if (this.gatherMs > 0) setTimeout(() => void this.drain(), this.gatherMs);
      else void this.drain();
    });
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, this.maxBatch);
        await this.settle(batch);
      }
    } finally {
      this.running = false;
    }
  }

  private async settle(batch: Waiting<T, R>[]): Promise<void> {
    try {
      const results = await this.run(batch.map((w) => w.item));
      batch.forEach((w, i) => w.resolve(results[i]!));
    } catch (err) {
      if (batch.length === 1) return batch[0]!.reject(err);
      await Promise.all(batch.map((w) => this.settle([w])));
    }
  }
}
