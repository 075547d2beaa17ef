import type pg from 'pg';

/**
 * Returns rows whose lease lapsed (their worker crashed or hung) to pending, at most `limit` per
 * call, so another worker takes them up. The attempt a lapsed worker may have made counts only
 * if it was recorded; at worst the endpoint sees the event twice (at-least-once, deduped on the
 * event id). `now` is a parameter so a test can move time.
 */
export async function sweepExpiredLeases(
  pool: pg.Pool,
  limit: number,
  now: Date = new Date(),
): Promise<number> {
  const res = await pool.query(
    `UPDATE deliveries SET status = 'pending', lease_owner = NULL, lease_token = NULL,
       lease_expires = NULL, updated_at = now()
     WHERE id IN (
       SELECT id FROM deliveries WHERE status = 'in_flight' AND lease_expires < $2
       ORDER BY lease_expires LIMIT $1 FOR UPDATE SKIP LOCKED)`,
    [limit, now],
  );
  return res.rowCount ?? 0;
}
