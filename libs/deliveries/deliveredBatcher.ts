import type pg from 'pg';
import { StatementBatcher } from '../db/statementBatcher.ts';
import { markDeliveredMany, type DeliveredRow } from './markDeliveredMany.ts';

// Rows one statement marks at most; more wait for the next.
const MAX_BATCH = 512;

/**
 * Marks rows delivered for one process's workers, several per statement (see
 * `StatementBatcher`). With a fast endpoint each delivery otherwise costs a commit of its own
 * (a WAL flush), and the router processes' backends queue up on the WAL write lock. Each
 * caller learns only once its own row is committed, and whether it was marked (the lease
 * fence).
 */
export class DeliveredBatcher {
  private readonly batcher: StatementBatcher<DeliveredRow, boolean>;

  /** `gatherMs`: how long a row waits for others before a statement starts (see StatementBatcher). */
  constructor(pool: pg.Pool, gatherMs = 0) {
    this.batcher = new StatementBatcher(
      async (rows) => {
        const marked = await markDeliveredMany(pool, rows);
        return rows.map((r) => marked.has(r.id));
      },
      MAX_BATCH,
      gatherMs,
    );
  }

  /** True when the row was marked delivered (its lease still held). */
  mark(row: DeliveredRow): Promise<boolean> {
    return this.batcher.submit(row);
  }
}
