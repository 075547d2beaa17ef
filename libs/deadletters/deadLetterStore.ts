import type pg from 'pg';
import type { FanoutEvent } from '../events/fanoutEvent.ts';

export type DeadLetterStatus = 'dead' | 'replay_requested' | 'replaying' | 'replayed' | 'discarded';

export interface DeadLetter {
  id: string;
  subscriptionId: string;
  eventId: string;
  original: { topic: string; partition: number; offset: string };
  deadLetter: { partition: number; offset: string };
  key: string | null;
  contentType: string;
  body: Buffer;
  attempts: number;
  lastStatus: number | null;
  lastError: string;
  status: DeadLetterStatus;
  leaseToken: string | null;
  createdAt: Date;
  updatedAt: Date;
}

interface Row {
  id: string;
  subscription_id: string;
  event_id: string;
  original_topic: string;
  original_partition: number;
  original_offset: string;
  dlq_partition: number;
  dlq_offset: string;
  event_key: string | null;
  content_type: string;
  body: Buffer;
  attempts: number;
  last_status: number | null;
  last_error: string;
  status: DeadLetterStatus;
  lease_token: string | null;
  created_at: Date;
  updated_at: Date;
}

const toDeadLetter = (r: Row): DeadLetter => ({
  id: r.id,
  subscriptionId: r.subscription_id,
  eventId: r.event_id,
  original: { topic: r.original_topic, partition: r.original_partition, offset: r.original_offset },
  deadLetter: { partition: r.dlq_partition, offset: r.dlq_offset },
  key: r.event_key,
  contentType: r.content_type,
  body: r.body,
  attempts: r.attempts,
  lastStatus: r.last_status,
  lastError: r.last_error,
  status: r.status,
  leaseToken: r.lease_token,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

const COLUMNS = `id::text, subscription_id, event_id, original_topic, original_partition,
  original_offset::text, dlq_partition, dlq_offset::text, event_key, content_type, body, attempts,
  last_status, last_error, status, lease_token, created_at, updated_at`;

export async function recordDeadLetter(
  pool: pg.Pool,
  subscriptionId: string,
  event: FanoutEvent,
  written: { partition: number; offset: string },
  reason: { attempts: number; status: number | null; error: string },
): Promise<string> {
  const res = await pool.query<{ id: string }>(
    `INSERT INTO dead_letters (subscription_id, event_id, original_topic, original_partition,
       original_offset, dlq_partition, dlq_offset, event_key, content_type, body, attempts,
       last_status, last_error)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id::text AS id`,
    [
      subscriptionId,
      event.id,
      event.topic,
      event.partition,
      event.offset,
      written.partition,
      written.offset,
      event.key,
      event.contentType,
      event.body,
      reason.attempts,
      reason.status,
      reason.error,
    ],
  );
  return res.rows[0]!.id;
}

/** One page of a subscription's dead letters, oldest first, after the id given. */
export async function listDeadLetters(
  pool: pg.Pool,
  subscriptionId: string,
  options: { status: DeadLetterStatus; afterId: string | null; limit: number },
): Promise<{ total: number; items: DeadLetter[] }> {
  const [count, page] = await Promise.all([
    pool.query<{ n: string }>(
      'SELECT count(*)::text AS n FROM dead_letters WHERE subscription_id = $1 AND status = $2',
      [subscriptionId, options.status],
    ),
    pool.query<Row>(
      `SELECT ${COLUMNS} FROM dead_letters
       WHERE subscription_id = $1 AND status = $2 AND ($3::bigint IS NULL OR id > $3::bigint)
       ORDER BY id LIMIT $4`,
      [subscriptionId, options.status, options.afterId, options.limit],
    ),
  ]);
  return { total: Number(count.rows[0]!.n), items: page.rows.map(toDeadLetter) };
}

/**
 * Moves dead letters from 'dead' to `to` ('replay_requested' or 'discarded'): the ids given, or
 * all of them. Returns how many moved.
 */
export async function settleDeadLetters(
  pool: pg.Pool,
  subscriptionId: string,
  ids: string[] | null,
  to: 'replay_requested' | 'discarded',
): Promise<number> {
  const res = await pool.query(
    `UPDATE dead_letters SET status = $3, updated_at = now()
     WHERE subscription_id = $1 AND status = 'dead' AND ($2::bigint[] IS NULL OR id = ANY($2::bigint[]))`,
    [subscriptionId, ids, to],
  );
  return res.rowCount ?? 0;
}

/**
 * Leases up to `limit` dead letters waiting for a replay (or whose replayer's lease lapsed), of
 * subscriptions that are delivering. Several bridge processes may call this at once.
 */
export async function leaseReplays(
  pool: pg.Pool,
  limit: number,
  leaseMs: number,
): Promise<DeadLetter[]> {
  const res = await pool.query<Row>(
    `UPDATE dead_letters SET status = 'replaying', lease_token = gen_random_uuid(),
       lease_until = now() + make_interval(secs => $2::double precision / 1000), updated_at = now()
     WHERE id IN (
       SELECT d.id FROM dead_letters d JOIN subscriptions s ON s.id = d.subscription_id
       WHERE s.state IN ('active', 'failing')
         AND (d.status = 'replay_requested' OR (d.status = 'replaying' AND d.lease_until < now()))
       ORDER BY d.id LIMIT $1 FOR UPDATE OF d SKIP LOCKED)
     RETURNING ${COLUMNS}`,
    [limit, leaseMs],
  );
  return res.rows.map(toDeadLetter);
}

/** Keeps a lease while its replay is still retrying; false when the lease was lost. */
export async function renewReplayLease(
  pool: pg.Pool,
  letter: DeadLetter,
  leaseMs: number,
): Promise<boolean> {
  const res = await pool.query(
    `UPDATE dead_letters SET lease_until = now() + make_interval(secs => $3::double precision / 1000)
     WHERE id = $1 AND lease_token = $2 AND status = 'replaying'`,
    [letter.id, letter.leaseToken, leaseMs],
  );
  return res.rowCount === 1;
}

/**
 * Ends a replay: 'replayed' when acknowledged, back to 'dead' (with the new attempts) if not.
 * Fenced by the lease token: a replayer whose lease lapsed changes nothing (false).
 */
export async function finishReplay(
  pool: pg.Pool,
  letter: DeadLetter,
  outcome:
    | { acknowledged: true }
    | { acknowledged: false; attempts: number; status: number | null; error: string },
): Promise<boolean> {
  const res = outcome.acknowledged
    ? await pool.query(
        `UPDATE dead_letters SET status = 'replayed', lease_until = NULL, lease_token = NULL,
           updated_at = now()
         WHERE id = $1 AND lease_token = $2 AND status = 'replaying'`,
        [letter.id, letter.leaseToken],
      )
    : await pool.query(
        `UPDATE dead_letters SET status = 'dead', lease_until = NULL, lease_token = NULL,
           attempts = attempts + $3, last_status = $4, last_error = $5, updated_at = now()
         WHERE id = $1 AND lease_token = $2 AND status = 'replaying'`,
        [letter.id, letter.leaseToken, outcome.attempts, outcome.status, outcome.error],
      );
  return res.rowCount === 1;
}
