import type pg from 'pg';
import type { LeaseFence } from './leasedDelivery.ts';
import { markDeliveredMany } from './markDeliveredMany.ts';

// Every change below is fenced by (id, lease token, in_flight): a worker whose lease lapsed and
// whose row went to another worker changes nothing, and learns so from the `false` it gets.

/** The endpoint acknowledged the event (or dedupe knew it already had); the owner stays on record. */
export async function markDelivered(
  pool: pg.Pool,
  row: LeaseFence,
  attempts: number,
): Promise<boolean> {
  return (await markDeliveredMany(pool, [{ ...row, attempts }])).has(row.id);
}

/** Records an attempt about to start or just failed, while the lease is still held. */
export async function recordAttempt(
  pool: pg.Pool,
  row: LeaseFence,
  state: { attempts: number; firstAttemptAt: number; nextAttemptAt: number },
  last?: { status: number | null; error: string },
): Promise<boolean> {
  const res = await pool.query(
    `UPDATE deliveries SET attempts = $3, first_attempt_at = $4, next_attempt = $5,
       last_status = COALESCE($6, last_status), last_error = COALESCE($7, last_error),
       updated_at = now()
     WHERE id = $1 AND lease_token = $2 AND status = 'in_flight'`,
    [
      row.id,
      row.leaseToken,
      state.attempts,
      new Date(state.firstAttemptAt),
      new Date(state.nextAttemptAt),
      last?.status ?? null,
      last?.error ?? null,
    ],
  );
  return res.rowCount === 1;
}

/**
 * Gives the row back as pending, due at `nextAttemptAt` (a backoff after a failed attempt, or
 * at once when the worker let go without trying).
 */
export async function releaseDelivery(
  pool: pg.Pool,
  row: LeaseFence,
  nextAttemptAt: number,
): Promise<boolean> {
  const res = await pool.query(
    `UPDATE deliveries SET status = 'pending', next_attempt = $3, updated_at = now(),
       lease_owner = NULL, lease_token = NULL, lease_expires = NULL
     WHERE id = $1 AND lease_token = $2 AND status = 'in_flight'`,
    [row.id, row.leaseToken, new Date(nextAttemptAt)],
  );
  return res.rowCount === 1;
}

/** Gives several rows back as pending at once (the untried rest of a run), each fenced. */
export async function releaseDeliveries(
  pool: pg.Pool,
  rows: LeaseFence[],
  nextAttemptAt: number,
): Promise<number> {
  if (rows.length === 0) return 0;
  const res = await pool.query(
    `UPDATE deliveries d SET status = 'pending', next_attempt = $3, updated_at = now(),
       lease_owner = NULL, lease_token = NULL, lease_expires = NULL
     FROM unnest($1::bigint[], $2::uuid[]) AS f(id, token)
     WHERE d.id = f.id AND d.lease_token = f.token AND d.status = 'in_flight'`,
    [rows.map((r) => r.id), rows.map((r) => r.leaseToken), new Date(nextAttemptAt)],
  );
  return res.rowCount ?? 0;
}

/** The last attempt failed: the event went to the dead letters; the row stays until settled there. */
export async function markFailed(
  pool: pg.Pool,
  row: LeaseFence,
  reason: { attempts: number; status: number | null; error: string },
  deadLetterId: string | undefined,
): Promise<boolean> {
  const res = await pool.query(
    `UPDATE deliveries SET status = 'failed', attempts = $3, last_status = $4, last_error = $5,
       dead_letter_id = $6, updated_at = now(), lease_owner = NULL, lease_token = NULL,
       lease_expires = NULL
     WHERE id = $1 AND lease_token = $2 AND status = 'in_flight'`,
    [row.id, row.leaseToken, reason.attempts, reason.status, reason.error, deadLetterId ?? null],
  );
  return res.rowCount === 1;
}
