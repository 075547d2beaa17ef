import type pg from 'pg';
import type { LeasedDelivery } from './leasedDelivery.ts';

interface Row {
  id: string;
  subscription_id: string;
  topic: string;
  partition: number;
  kafka_offset: string;
  event_id: string;
  event_key: string | null;
  content_type: string;
  headers: Record<string, string>;
  body: Buffer;
  produced_at: Date;
  attempts: number;
  first_attempt_at: Date | null;
  lease_token: string;
  lease_expires: Date;
}

/** The lease statement: $1 owner, $2 limit, $3 lease ms, $4 subscriptions to skip. */
export const LEASE_SQL = `WITH RECURSIVE heads AS (
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
         AND s.state IN ('active', 'failing') AND NOT (d.subscription_id = ANY ($4::uuid[]))
       UNION ALL
       SELECT d.id, d.next_attempt FROM deliveries d
       JOIN subscriptions s ON s.id = d.subscription_id
       WHERE d.status = 'pending' AND d.next_attempt <= now() AND s.ordering IN ('key', 'none')
         AND s.state IN ('active', 'failing') AND NOT (d.subscription_id = ANY ($4::uuid[]))
         AND (s.ordering = 'none' OR NOT EXISTS (
           SELECT 1 FROM deliveries e
           WHERE e.subscription_id = d.subscription_id AND e.partition = d.partition
             AND COALESCE(e.ordering_key, '') = COALESCE(d.ordering_key, '')
             AND e.kafka_offset < d.kafka_offset AND e.status IN ('pending', 'in_flight')))
     ),
     picked AS (
       SELECT d.id FROM deliveries d
       WHERE d.id IN (SELECT c.id FROM candidates c ORDER BY c.next_attempt LIMIT $2 * 4)
         AND d.status = 'pending'
       ORDER BY d.next_attempt
       LIMIT $2
       FOR UPDATE OF d SKIP LOCKED
     )
     UPDATE deliveries d SET status = 'in_flight', lease_owner = $1,
       lease_token = gen_random_uuid(),
       lease_expires = now() + make_interval(secs => GREATEST($3, s.timeout_ms + 5000) / 1000.0),
       updated_at = now()
     FROM picked, events ev, subscriptions s
     WHERE d.id = picked.id AND s.id = d.subscription_id
       AND ev.topic = d.topic AND ev.partition = d.partition AND ev.kafka_offset = d.kafka_offset
     RETURNING d.id::text AS id, d.subscription_id, d.topic, d.partition,
       d.kafka_offset::text AS kafka_offset, d.event_id, ev.event_key, ev.content_type, ev.headers, ev.body,
       ev.produced_at, d.attempts, d.first_attempt_at, d.lease_token, d.lease_expires`;

/**
 * Leases up to `limit` due rows for `owner`, each with its event's payload, in one statement,
 * for `leaseMs` or, for a subscription whose request timeout is longer, that timeout and 5 s.
 *
 * Order per subscription: in 'partition' ordering a row is not leased while an earlier row of
 * the same subscription and partition is pending or in flight; in 'key' ordering, an earlier
 * row with the same key; in 'none', any due row. Rows of subscriptions that are not delivering
 * (paused, disabled) stay where they are. `FOR UPDATE SKIP LOCKED` lets several workers lease at
 * once without waiting on each other or taking the same row; a row another transaction is
 * leasing still counts as unsettled for the ordering check, so two workers never hold two rows
 * of one partition (its head is locked and skipped, and no later row is a candidate).
 *
 * In 'partition' ordering the candidates are only the heads (lowest unsettled offset of each
 * subscription's partition), found by a skip scan over `deliveries_unsettled` — one index probe
 * per partition with unsettled rows — so a long backlog behind a slow head costs nothing per
 * lease. `bench/leaseQueryPlan.ts` prints the plan and its cost with and without a backlog.
 */
export async function leaseDeliveries(
  pool: pg.Pool,
  owner: string,
  limit: number,
  leaseMs: number,
  skipSubscriptions: string[] = [],
): Promise<LeasedDelivery[]> {
  const res = await pool.query<Row>(LEASE_SQL, [owner, limit, leaseMs, skipSubscriptions]);
  return res.rows.map((r) => ({
    id: r.id,
    subscriptionId: r.subscription_id,
    event: {
      id: r.event_id,
      topic: r.topic,
      partition: r.partition,
      offset: r.kafka_offset,
      key: r.event_key,
      body: r.body,
      contentType: r.content_type,
      timestampMs: r.produced_at.getTime(),
      headers: r.headers,
    },
    attempts: r.attempts,
    firstAttemptAt: r.first_attempt_at?.getTime() ?? null,
    leaseToken: r.lease_token,
    leaseExpiresAt: r.lease_expires.getTime(),
  }));
}
