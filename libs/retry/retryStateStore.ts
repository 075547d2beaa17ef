import type pg from 'pg';

/** Where an event that failed stands: attempts made (or under way) and when the next may start. */
export interface RetryState {
  attempts: number;
  firstAttemptAt: number;
  nextAttemptAt: number;
}

interface Row {
  kafka_offset: string;
  attempts: number;
  first_attempt_at: Date;
  next_attempt_at: Date;
}

/**
 * Durable retry state in PostgreSQL, keyed by (subscription, partition, offset). Only events
 * that failed have a row, so the happy path never touches it: a lane loads its partition's rows
 * once when it starts, and writes only when an attempt fails or a retry begins.
 */
export class RetryStateStore {
  private readonly pool: pg.Pool;

  constructor(pool: pg.Pool) {
    this.pool = pool;
  }

  /** Unsettled retry states of a partition at or after an offset, by offset. */
  async load(
    subscriptionId: string,
    partition: number,
    fromOffset: string,
  ): Promise<Map<string, RetryState>> {
    const res = await this.pool.query<Row>(
      `SELECT kafka_offset::text AS kafka_offset, attempts, first_attempt_at, next_attempt_at
       FROM retry_state WHERE subscription_id = $1 AND partition = $2 AND kafka_offset >= $3`,
      [subscriptionId, partition, fromOffset],
    );
    return new Map(
      res.rows.map((r) => [
        r.kafka_offset,
        {
          attempts: r.attempts,
          firstAttemptAt: r.first_attempt_at.getTime(),
          nextAttemptAt: r.next_attempt_at.getTime(),
        },
      ]),
    );
  }

  /**
   * Records the state after a failure, or before a retry starts (so an attempt cut short by a
   * crash still counts).
   */
  async save(
    subscriptionId: string,
    partition: number,
    offset: string,
    state: RetryState,
    last?: { status: number | null; error: string },
  ): Promise<void> {
    await this.pool.query(
      `INSERT INTO retry_state (subscription_id, partition, kafka_offset, attempts, first_attempt_at,
         next_attempt_at, last_status, last_error)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (subscription_id, partition, kafka_offset) DO UPDATE SET
         attempts = EXCLUDED.attempts, next_attempt_at = EXCLUDED.next_attempt_at,
         last_status = COALESCE(EXCLUDED.last_status, retry_state.last_status),
         last_error = COALESCE(EXCLUDED.last_error, retry_state.last_error), updated_at = now()`,
      [
        subscriptionId,
        partition,
        offset,
        state.attempts,
        new Date(state.firstAttemptAt),
        new Date(state.nextAttemptAt),
        last?.status ?? null,
        last?.error ?? null,
      ],
    );
  }

  /** The event is settled (acknowledged or dead-lettered): its retry state goes. */
  async clear(subscriptionId: string, partition: number, offset: string): Promise<void> {
    await this.pool.query(
      'DELETE FROM retry_state WHERE subscription_id = $1 AND partition = $2 AND kafka_offset = $3',
      [subscriptionId, partition, offset],
    );
  }
}
