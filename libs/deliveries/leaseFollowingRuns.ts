import type pg from 'pg';
import { byOffset, type LeasedDelivery } from './leasedDelivery.ts';
import { leasedDeliveryOf, leaseRowsSql, runBehindSql, type LeasedRow } from './leasedRow.ts';

/**
 * $1 owner, $2 most rows per run, $3 lease ms; then, one element per row still held: $4
 * subscriptions, $5 partitions, $6 offsets, $7 ids, $8 lease tokens. For each, the rows that
 * follow it, pending and due, up to the first that is not; none once its lease was lost
 * (swept and leased again).
 */
export const FOLLOWING_RUNS_SQL = `WITH held AS (
       SELECT * FROM unnest($4::uuid[], $5::int[], $6::bigint[], $7::bigint[], $8::uuid[])
         AS h(subscription_id, partition, kafka_offset, id, lease_token)
     ),
     run AS (
       SELECT r.id FROM held h
       CROSS JOIN LATERAL (${runBehindSql(
         'h',
         '$2',
         `EXISTS (SELECT 1 FROM deliveries x
             WHERE x.id = h.id AND x.lease_token = h.lease_token AND x.status = 'in_flight')`,
       )}) r
     ),
     run_rows AS (
       SELECT d.id FROM deliveries d
       WHERE d.id IN (SELECT id FROM run) AND d.status = 'pending'
       FOR UPDATE OF d
     )
     ${leaseRowsSql('run_rows', `s.ordering = 'partition' AND s.state IN ('active', 'failing')`)}`;

/**
 * Leases, for each of `held` — 'partition' rows `owner` still holds — the run that follows it
 * while it is held: up to `runLength` pending, due rows of its subscription and partition, by
 * offset, up to the first row that is not. Answers one run per held row, in offset order
 * (empty when the subscription is not delivering or the row's lease was lost). Nothing else
 * leases these rows meanwhile — they are behind an unsettled row, so none is a head — which
 * is why no SKIP LOCKED is needed and a run has no gap. A worker so keeps the partitions it
 * delivers, without walking the heads or racing the other workers for the head it is about to
 * free; one statement serves every run that ends at about the same time.
 */
export async function leaseFollowingRuns(
  pool: pg.Pool,
  owner: string,
  held: LeasedDelivery[],
  leaseMs: number,
  runLength: number,
): Promise<LeasedDelivery[][]> {
  if (held.length === 0) return [];
  // not a named (prepared) statement: after five runs PostgreSQL may keep a generic plan, and
  // with it the workers benchmark's database CPU per delivery doubled
  const res = await pool.query<LeasedRow>({
    text: FOLLOWING_RUNS_SQL,
    values: [
      owner,
      runLength,
      leaseMs,
      held.map((h) => h.subscriptionId),
      held.map((h) => h.event.partition),
      held.map((h) => h.event.offset),
      held.map((h) => h.id),
      held.map((h) => h.leaseToken),
    ],
  });
  const runs = new Map<string, LeasedDelivery[]>();
  for (const row of res.rows.map(leasedDeliveryOf)) {
    const key = runKey(row);
    runs.set(key, [...(runs.get(key) ?? []), row]);
  }
  return held.map((h) => {
    const run = runs.get(runKey(h)) ?? [];
    // a partition has one holder: a second held row of it (never sent) would get nothing
    runs.delete(runKey(h));
    return run.sort(byOffset);
  });
}

function runKey(row: LeasedDelivery): string {
  return `${row.subscriptionId}:${row.event.partition}`;
}
