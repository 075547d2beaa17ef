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
 * of one partition. The plan (see README "Write fan-out") walks `deliveries_due` and probes
 * `deliveries_unsettled` for the ordering check.
 */
export async function leaseDeliveries(
  pool: pg.Pool,
  owner: string,
  limit: number,
  leaseMs: number,
  skipSubscriptions: string[] = [],
): Promise<LeasedDelivery[]> {
  const res = await pool.query<Row>(
    `WITH picked AS (
       SELECT d.id FROM deliveries d
       JOIN subscriptions s ON s.id = d.subscription_id
       WHERE d.status = 'pending' AND d.next_attempt <= now()
         AND s.state IN ('active', 'failing')
         AND NOT (d.subscription_id = ANY ($4::uuid[]))
         AND (s.ordering = 'none' OR NOT EXISTS (
           SELECT 1 FROM deliveries e
           WHERE e.subscription_id = d.subscription_id AND e.partition = d.partition
             AND e.kafka_offset < d.kafka_offset AND e.status IN ('pending', 'in_flight')
             AND (s.ordering = 'partition' OR e.ordering_key IS NOT DISTINCT FROM d.ordering_key)))
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
       ev.produced_at, d.attempts, d.first_attempt_at, d.lease_token, d.lease_expires`,
    [owner, limit, leaseMs, skipSubscriptions],
  );
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
