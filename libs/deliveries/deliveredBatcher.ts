import type pg from 'pg';
import { markDeliveredMany, type DeliveredRow } from './markDeliveredMany.ts';

// Rows one statement marks at most; more wait for the next.
const MAX_BATCH = 512;

interface Waiting {
  row: DeliveredRow;
  resolve: (marked: boolean) => void;
  reject: (err: unknown) => void;
}

/**
 * Marks rows delivered for one process's workers, several per statement: a row asked for while
 * a statement is running goes with the next one, which starts as soon as that one ends, so a
 * lone row waits for nobody and many rows share a commit. With a fast endpoint each delivery
 * otherwise costs a commit of its own (a WAL flush), and the router processes' backends queue
 * up on the WAL write lock. Each caller learns only once its own row is committed, and whether
 * it was marked (the lease fence).
 */
export class DeliveredBatcher {
  private readonly pool: pg.Pool;
  private queue: Waiting[] = [];
  private running = false;

  constructor(pool: pg.Pool) {
    this.pool = pool;
  }

  /** True when the row was marked delivered (its lease still held). */
  mark(row: DeliveredRow): Promise<boolean> {
    return new Promise<boolean>((resolve, reject) => {
      this.queue.push({ row, resolve, reject });
      if (!this.running) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.running = true;
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, MAX_BATCH);
        await this.settle(batch);
      }
    } finally {
      this.running = false;
    }
  }

  private async settle(batch: Waiting[]): Promise<void> {
    try {
      const marked = await markDeliveredMany(
        this.pool,
        batch.map((w) => w.row),
      );
      for (const w of batch) w.resolve(marked.has(w.row.id));
    } catch (err) {
      if (batch.length === 1) return batch[0]!.reject(err);
      // a deadlock with another process's batch (rows whose leases lapsed and moved), say: each
      // row on its own, so one failure does not fail the others
      await Promise.all(batch.map((w) => this.settle([w])));
    }
  }
}
