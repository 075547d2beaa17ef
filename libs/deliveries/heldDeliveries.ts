import type pg from 'pg';
import type { LeaseFence } from './leasedDelivery.ts';

// A held row waits for an operator (see migration 0016): pending, and never due on its own.
const HELD_UNTIL = 'infinity';

/** SQL: the row `d` is held for an operator. The one place that knows how a held row looks. */
export const isHeldSql = (d: string): string =>
  `(${d}.status = 'pending' AND ${d}.next_attempt = '${HELD_UNTIL}')`;

/**
 * Parks a row whose retries ran out under `onExhausted: hold` (its held_events record written
 * first): pending, never due, with the attempts and last failure it was held with. Fenced by
 * the lease like every change of a leased row.
 */
export async function parkHeldDelivery(
  pool: pg.Pool,
  row: LeaseFence,
  reason: { attempts: number; status: number | null; error: string },
): Promise<boolean> {
  const res = await pool.query(
    `UPDATE deliveries SET status = 'pending', next_attempt = $6::timestamptz, attempts = $3,
       last_status = $4, last_error = $5, release_action = NULL, updated_at = now(),
       lease_owner = NULL, lease_token = NULL, lease_expires = NULL
     WHERE id = $1 AND lease_token = $2 AND status = 'in_flight'`,
    [row.id, row.leaseToken, reason.attempts, reason.status, reason.error, HELD_UNTIL],
  );
  return res.rowCount === 1;
}

/**
 * Applies operators' releases of held rows, at most `limit` per call: each held_events record
 * with a decision is taken (deleted) in the same statement that makes its row due, so exactly
 * one router process acts on it. `retry` starts a fresh retry budget; `dead-letter` leaves the
 * row's last failure and marks it for the dead letters. Decisions for events held by a bridge
 * (no held row here) are left to that bridge.
 */
export async function applyHeldReleases(pool: pg.Pool, limit: number): Promise<number> {
  const res = await pool.query(
    `WITH taken AS (
       DELETE FROM held_events h USING (
         SELECT h2.subscription_id, h2.partition, h2."offset", d.id AS delivery_id
         FROM held_events h2
         JOIN deliveries d ON d.subscription_id = h2.subscription_id
           AND d.partition = h2.partition AND d.kafka_offset = h2."offset"
         WHERE h2.release_action IS NOT NULL AND ${isHeldSql('d')}
         LIMIT $1) r
       WHERE h.subscription_id = r.subscription_id AND h.partition = r.partition
         AND h."offset" = r."offset" AND h.release_action IS NOT NULL
       RETURNING r.delivery_id, h.release_action
     )
     UPDATE deliveries d SET next_attempt = now(), updated_at = now(),
       attempts = CASE WHEN t.release_action = 'retry' THEN 0 ELSE d.attempts END,
       first_attempt_at = CASE WHEN t.release_action = 'retry' THEN NULL ELSE d.first_attempt_at END,
       release_action = CASE WHEN t.release_action = 'dead-letter' THEN 'dead-letter' END
     FROM taken t
     WHERE d.id = t.delivery_id AND ${isHeldSql('d')}`,
    [limit],
  );
  return res.rowCount ?? 0;
}
