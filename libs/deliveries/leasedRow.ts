import type { OrderingMode } from '../delivery/orderedLane.ts';
import type { LeasedDelivery } from './leasedDelivery.ts';

/** A leased row as the lease statements return it (`LEASED_RETURNING`). */
export interface LeasedRow {
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
  ordering: OrderingMode;
  release_action: 'dead-letter' | null;
  last_status: number | null;
  last_error: string | null;
  seq: string | null;
  prev_event_id: string | null;
}

/**
 * SQL: the ids of the rows behind the row `h` (its subscription_id, partition, kafka_offset) in
 * its partition that are pending and due, by offset up to the first that is not — so a run
 * never has a gap — at most `limit` of them; `alsoWhere` is a further condition. Both lease
 * statements take runs so.
 */
export const runBehindSql = (h: string, limit: string, alsoWhere = 'true'): string =>
  `SELECT q.id FROM (
           SELECT u.id, bool_or(u.status <> 'pending' OR u.next_attempt > now())
             OVER (ORDER BY u.kafka_offset) AS stop
           FROM deliveries u
           WHERE u.subscription_id = ${h}.subscription_id AND u.partition = ${h}.partition
             AND u.kafka_offset > ${h}.kafka_offset AND u.status IN ('pending', 'in_flight')
             AND ${alsoWhere}
           ORDER BY u.kafka_offset
           LIMIT ${limit}) q
         WHERE NOT q.stop`;

/**
 * SQL: leases the rows `d` named by `leased` (a FROM item with an `id` column) that meet
 * `alsoWhere` (on `d` and their subscription `s`), and returns each with its event (`LeasedRow`).
 * `$1` is the owner, `$3` the lease in ms, unless the subscription's request timeout and 5 s is
 * longer.
 */
export const leaseRowsSql = (leased: string, alsoWhere = 'true'): string =>
  `UPDATE deliveries d SET status = 'in_flight', lease_owner = $1,
       lease_token = gen_random_uuid(),
       lease_expires = now() + make_interval(secs => GREATEST($3, s.timeout_ms + 5000) / 1000.0),
       updated_at = now()
     FROM ${leased} leased, events ev, subscriptions s
     WHERE d.id = leased.id AND s.id = d.subscription_id AND ${alsoWhere}
       AND ev.topic = d.topic AND ev.partition = d.partition AND ev.kafka_offset = d.kafka_offset
     RETURNING d.id::text AS id, d.subscription_id, d.topic, d.partition,
       d.kafka_offset::text AS kafka_offset, d.event_id, ev.event_key, ev.content_type, ev.headers, ev.body,
       ev.produced_at, d.attempts, d.first_attempt_at, d.lease_token, d.lease_expires,
       s.ordering, d.release_action, d.last_status, d.last_error, d.seq::text AS seq,
       d.prev_event_id`;

export function leasedDeliveryOf(r: LeasedRow): LeasedDelivery {
  return {
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
    ordering: r.ordering,
    sequence: r.seq === null ? undefined : { seq: Number(r.seq), prevEventId: r.prev_event_id },
    releasedToDeadLetter:
      r.release_action === 'dead-letter'
        ? { attempts: r.attempts, status: r.last_status, error: r.last_error ?? '' }
        : undefined,
  };
}
