import type pg from 'pg';
import type { LeaseFence } from './leasedDelivery.ts';

/** A row to mark delivered: its fence and the attempts it took. */
export interface DeliveredRow extends LeaseFence {
  attempts: number;
}

/**
 * Marks rows delivered in one statement (one commit), each fenced by its own lease token: a
 * row whose lease lapsed and went elsewhere is left as it is. Answers the ids that were
 * marked. `markDelivered` is this for one row.
 */
export async function markDeliveredMany(pool: pg.Pool, rows: DeliveredRow[]): Promise<Set<string>> {
  if (rows.length === 0) return new Set();
  const res = await pool.query<{ id: string }>(
    `UPDATE deliveries d SET status = 'delivered', attempts = GREATEST(d.attempts, f.attempts),
       delivered_at = now(), updated_at = now(), lease_token = NULL, lease_expires = NULL
     FROM unnest($1::bigint[], $2::uuid[], $3::int[]) AS f(id, token, attempts)
     WHERE d.id = f.id AND d.lease_token = f.token AND d.status = 'in_flight'
     RETURNING d.id::text AS id`,
    [rows.map((r) => r.id), rows.map((r) => r.leaseToken), rows.map((r) => r.attempts)],
  );
  return new Set(res.rows.map((r) => r.id));
}
