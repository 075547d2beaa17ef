import type pg from 'pg';
import type { LeasedDelivery } from './leasedDelivery.ts';
import { LEASE_SET, LEASED_RETURNING, leasedDeliveryOf, type LeasedRow } from './leasedRow.ts';

/**
 * $1 owner, $2 subscription, $3 lease ms, $4 partition, $5 the offset of the row still held,
 * $6 most rows, $7 and $8 that row's id and lease token. The rows that follow it, pending and
 * due, up to the first that is not; none once its lease was lost (swept and leased again).
 */
export const FOLLOWING_RUN_SQL = `WITH run AS (
       SELECT q.id FROM (
         SELECT u.id, bool_or(u.status <> 'pending' OR u.next_attempt > now())
           OVER (ORDER BY u.kafka_offset) AS stop
         FROM deliveries u
         WHERE u.subscription_id = $2 AND u.partition = $4 AND u.kafka_offset > $5
           AND u.status IN ('pending', 'in_flight')
           AND EXISTS (SELECT 1 FROM deliveries h
             WHERE h.id = $7 AND h.lease_token = $8 AND h.status = 'in_flight')
         ORDER BY u.kafka_offset
         LIMIT $6) q
       WHERE NOT q.stop
     ),
     run_rows AS (
       SELECT d.id FROM deliveries d
       WHERE d.id IN (SELECT id FROM run) AND d.status = 'pending'
       FOR UPDATE OF d
     )
     UPDATE deliveries d SET ${LEASE_SET}
     FROM run_rows leased, events ev, subscriptions s
     WHERE d.id = leased.id AND s.id = d.subscription_id AND s.ordering = 'partition'
       AND s.state IN ('active', 'failing')
       AND ev.topic = d.topic AND ev.partition = d.partition AND ev.kafka_offset = d.kafka_offset
     ${LEASED_RETURNING}`;

/**
 * Leases the run that follows `held`, a 'partition' row `owner` still holds, while it holds
 * it: up to `runLength` pending, due rows of its subscription and partition, by offset, up to
 * the first row that is not (answered in offset order; none when the subscription is not
 * delivering). Nothing else leases these rows meanwhile — they are behind an unsettled row, so
 * none is a head — which is why no SKIP LOCKED is needed and the run has no gap. The worker
 * that delivers a partition so keeps it, without walking the heads or racing the other workers
 * for the head it is about to free.
 */
export async function leaseFollowingRun(
  pool: pg.Pool,
  owner: string,
  held: LeasedDelivery,
  leaseMs: number,
  runLength: number,
): Promise<LeasedDelivery[]> {
  // prepared once per connection: its plan is the same every time, and planning it was a
  // good part of its cost
  const res = await pool.query<LeasedRow>({
    name: 'fanout-lease-following-run',
    text: FOLLOWING_RUN_SQL,
    values: [
      owner,
      held.subscriptionId,
      leaseMs,
      held.event.partition,
      held.event.offset,
      runLength,
      held.id,
      held.leaseToken,
    ],
  });
  return res.rows
    .map(leasedDeliveryOf)
    .sort((a, b) => (BigInt(a.event.offset) < BigInt(b.event.offset) ? -1 : 1));
}
