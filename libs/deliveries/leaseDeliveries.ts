import type pg from 'pg';
import type { LeasedDelivery } from './leasedDelivery.ts';
import { leasedDeliveryOf, leaseRowsSql, runBehindSql, type LeasedRow } from './leasedRow.ts';

/**
 * The candidates, read without a lock: $1 most heads, $2 subscriptions to skip. Answers up to
 * 4 x $1 row ids, the longest due first.
 */
export const CANDIDATES_SQL = `WITH RECURSIVE heads AS (
       (SELECT u.subscription_id, u.partition, u.kafka_offset FROM deliveries u
        WHERE u.status IN ('pending', 'in_flight')
        ORDER BY u.subscription_id, u.partition, u.kafka_offset LIMIT 1)
       UNION ALL
       SELECT n.subscription_id, n.partition, n.kafka_offset FROM heads h
       CROSS JOIN LATERAL (
         SELECT u.subscription_id, u.partition, u.kafka_offset FROM deliveries u
         WHERE u.status IN ('pending', 'in_flight')
           AND (u.subscription_id, u.partition) > (h.subscription_id, h.partition)
         ORDER BY u.subscription_id, u.partition, u.kafka_offset LIMIT 1) n
     ),
     candidates AS (
       SELECT d.id, d.next_attempt FROM heads h
       JOIN deliveries d ON d.subscription_id = h.subscription_id
         AND d.partition = h.partition AND d.kafka_offset = h.kafka_offset
       JOIN subscriptions s ON s.id = d.subscription_id
       WHERE d.status = 'pending' AND d.next_attempt <= now() AND s.ordering = 'partition'
         AND s.state IN ('active', 'failing') AND NOT (d.subscription_id = ANY ($2::uuid[]))
       UNION ALL
       SELECT d.id, d.next_attempt FROM deliveries d
       JOIN subscriptions s ON s.id = d.subscription_id
       WHERE d.status = 'pending' AND d.next_attempt <= now() AND s.ordering IN ('key', 'none')
         AND s.state IN ('active', 'failing') AND NOT (d.subscription_id = ANY ($2::uuid[]))
         AND (s.ordering = 'none' OR NOT EXISTS (
           SELECT 1 FROM deliveries e
           WHERE e.subscription_id = d.subscription_id AND e.partition = d.partition
             AND COALESCE(e.ordering_key, '') = COALESCE(d.ordering_key, '')
             AND e.kafka_offset < d.kafka_offset AND e.status IN ('pending', 'in_flight')))
     )
     SELECT c.id::text AS id FROM candidates c ORDER BY c.next_attempt LIMIT $1 * 4`;

/**
 * The lease statement: $1 owner, $2 most heads, $3 lease ms, $4 candidate ids (from
 * CANDIDATES_SQL), $5 most rows per run.
 */
export const LEASE_SQL = `WITH picked AS (
       SELECT d.id FROM deliveries d
       WHERE d.id = ANY ($4::bigint[]) AND d.status = 'pending' AND d.next_attempt <= now()
       ORDER BY d.next_attempt
       LIMIT $2
       FOR UPDATE OF d SKIP LOCKED
     ),
     runs AS (
       SELECT r.id FROM picked p
       JOIN deliveries h ON h.id = p.id
       JOIN subscriptions hs ON hs.id = h.subscription_id AND hs.ordering = 'partition'
       CROSS JOIN LATERAL (${runBehindSql('h', '$5 - 1')}) r
     ),
     run_rows AS (
       SELECT d.id FROM deliveries d
       WHERE d.id IN (SELECT id FROM runs) AND d.status = 'pending'
       FOR UPDATE OF d
     )
     ${leaseRowsSql('(SELECT id FROM picked UNION ALL SELECT id FROM run_rows)')}`;

/**
 * Leases up to `limit` due rows for `owner`, each with its event's payload, for `leaseMs` or,
 * for a subscription whose request timeout is longer, that timeout and 5 s.
 *
 * Order per subscription: in 'partition' ordering a row is not leased while an earlier row of
 * the same subscription and partition is pending or in flight; in 'key' ordering, an earlier
 * row with the same key; in 'none', any due row. Rows of subscriptions that are not delivering
 * (paused, disabled) stay where they are. `FOR UPDATE SKIP LOCKED` lets several workers lease at
 * once without waiting on each other or taking the same row; a row another transaction is
 * leasing still counts as unsettled for the ordering check, so two workers never hold two rows
 * of one partition (its head is locked and skipped, and no later row is a candidate).
 *
 * Two statements: the candidates are found first, without a lock, and the lease statement then
 * locks those still pending and due. In one statement, every candidate that another worker
 * leased after the statement began was locked too — PostgreSQL locks the newest version of a
 * row before it rechecks the row against the query, and keeps the lock when the recheck fails —
 * and that worker's settling UPDATE on the row then waited for the whole lease statement,
 * heads walk included (lock waits on `markDelivered` with 2 and 4 router processes in
 * bench/writeFanoutWorkers.ts). A new snapshot for the second
 * statement sees those rows in flight and skips them before locking. Nothing is lost by the
 * split: a row below a candidate that was settled stays settled, so a candidate still pending
 * is still a head (or still the first of its key).
 *
 * In 'partition' ordering the candidates are only the heads (lowest unsettled offset of each
 * subscription's partition), found by a skip scan over `deliveries_unsettled` — one index probe
 * per partition with unsettled rows — so a long backlog behind a slow head costs nothing per
 * lease. `bench/leaseQueryPlan.ts` prints the plans and their cost with and without a backlog.
 *
 * A 'partition' head comes with a run: up to `runLength - 1` pending rows that follow it in
 * that partition, leased together so one worker delivers them in order and one lease query
 * serves many deliveries. A run stops before the first row that is in flight or not due (a
 * worker still handing back the rest of an earlier run, say), so it never has a gap. Its rows
 * are locked without SKIP LOCKED: nothing else leases rows behind a held head. Returned rows
 * are in no particular order; the worker sorts a run by offset.
 */
export async function leaseDeliveries(
  pool: pg.Pool,
  owner: string,
  limit: number,
  leaseMs: number,
  skipSubscriptions: string[] = [],
  runLength = 1,
): Promise<LeasedDelivery[]> {
  const candidates = await pool.query<{ id: string }>(CANDIDATES_SQL, [limit, skipSubscriptions]);
  const ids = candidates.rows.map((c) => c.id);
  return leaseByIds(pool, owner, limit, leaseMs, ids, runLength);
}

async function leaseByIds(
  pool: pg.Pool,
  owner: string,
  limit: number,
  leaseMs: number,
  ids: string[],
  runLength: number,
): Promise<LeasedDelivery[]> {
  if (ids.length === 0) return [];
  const res = await pool.query<LeasedRow>(LEASE_SQL, [owner, limit, leaseMs, ids, runLength]);
  return res.rows.map(leasedDeliveryOf);
}
