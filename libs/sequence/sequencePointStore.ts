import type pg from 'pg';
import type { SequencePoint } from './partitionSequence.ts';

// Points kept per partition: enough to outlive a crash between saving one and committing it.
const POINTS_KEPT = 8;

/**
 * Where a partition's sequence starts when a bridge takes it at `firstOffset`. The point saved
 * at that offset continues the sequence exactly; without one (a seek moved the group, or the
 * subscription is new) a new run starts after the highest number given so far, with no
 * previous id, so a receiver can tell continuity was not kept rather than see a false gap.
 */
export async function loadSequenceStart(
  pool: pg.Pool | pg.PoolClient,
  subscriptionId: string,
  partition: number,
  firstOffset: string,
): Promise<SequencePoint> {
  const starts = await loadSequenceStarts(pool, partition, [{ subscriptionId, firstOffset }]);
  return starts.get(subscriptionId)!;
}

/** Saves a commit point and forgets all but the last few. */
export async function saveSequencePoint(
  pool: pg.Pool | pg.PoolClient,
  subscriptionId: string,
  partition: number,
  point: SequencePoint,
): Promise<void> {
  await pool.query(
    `WITH saved AS (
       INSERT INTO sequence_points (subscription_id, partition, next_offset, next_seq, prev_event_id)
       VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (subscription_id, partition, next_offset)
       DO UPDATE SET next_seq = EXCLUDED.next_seq, prev_event_id = EXCLUDED.prev_event_id
     )
     DELETE FROM sequence_points
     WHERE subscription_id = $1 AND partition = $2 AND next_offset < $3
       AND next_offset NOT IN (
         SELECT next_offset FROM sequence_points
         WHERE subscription_id = $1 AND partition = $2
         ORDER BY next_offset DESC LIMIT $6)`,
    [subscriptionId, partition, point.nextOffset, point.nextSeq, point.prevEventId, POINTS_KEPT],
  );
}

/**
 * `loadSequenceStart` for many subscriptions of one partition in one statement (the router
 * numbers every subscription of a fetched batch in one transaction), each from its own offset.
 */
export async function loadSequenceStarts(
  client: pg.Pool | pg.PoolClient,
  partition: number,
  starts: { subscriptionId: string; firstOffset: string }[],
): Promise<Map<string, SequencePoint>> {
  const out = new Map<string, SequencePoint>();
  for (const s of starts) {
    out.set(s.subscriptionId, { nextOffset: s.firstOffset, nextSeq: 1, prevEventId: null });
  }
  if (starts.length === 0) return out;
  const res = await client.query<{
    subscription_id: string;
    exact: boolean;
    next_seq: string;
    prev_event_id: string | null;
  }>(
    `SELECT DISTINCT ON (w.subscription_id) w.subscription_id,
       p.next_offset = w.first AS exact, p.next_seq::text AS next_seq, p.prev_event_id
     FROM unnest($1::uuid[], $2::bigint[]) AS w(subscription_id, first)
     JOIN sequence_points p ON p.subscription_id = w.subscription_id AND p.partition = $3
     ORDER BY w.subscription_id, p.next_offset = w.first DESC, p.next_seq DESC`,
    [starts.map((s) => s.subscriptionId), starts.map((s) => s.firstOffset), partition],
  );
  for (const r of res.rows) {
    const start = out.get(r.subscription_id)!;
    start.nextSeq = Number(r.next_seq);
    start.prevEventId = r.exact ? r.prev_event_id : null;
  }
  return out;
}

/** `saveSequencePoint` for many subscriptions of one partition: two statements in all. */
export async function saveSequencePoints(
  client: pg.Pool | pg.PoolClient,
  partition: number,
  points: { subscriptionId: string; point: SequencePoint }[],
): Promise<void> {
  if (points.length === 0) return;
  const ids = points.map((p) => p.subscriptionId);
  const offsets = points.map((p) => p.point.nextOffset);
  await client.query(
    `INSERT INTO sequence_points (subscription_id, partition, next_offset, next_seq, prev_event_id)
     SELECT w.id, $2, w.next_offset, w.next_seq, w.prev_event_id
     FROM unnest($1::uuid[], $3::bigint[], $4::bigint[], $5::text[])
       AS w(id, next_offset, next_seq, prev_event_id)
     ON CONFLICT (subscription_id, partition, next_offset)
     DO UPDATE SET next_seq = EXCLUDED.next_seq, prev_event_id = EXCLUDED.prev_event_id`,
    [
      ids,
      partition,
      offsets,
      points.map((p) => p.point.nextSeq),
      points.map((p) => p.point.prevEventId),
    ],
  );
  await client.query(
    `DELETE FROM sequence_points sp USING (
       SELECT p.subscription_id, p.next_offset,
         row_number() OVER (PARTITION BY p.subscription_id ORDER BY p.next_offset DESC) AS rank,
         w.saved
       FROM sequence_points p
       JOIN unnest($1::uuid[], $3::bigint[]) AS w(id, saved) ON w.id = p.subscription_id
       WHERE p.partition = $2) old
     WHERE sp.subscription_id = old.subscription_id AND sp.partition = $2
       AND sp.next_offset = old.next_offset AND old.rank > $4 AND old.next_offset < old.saved`,
    [ids, partition, offsets, POINTS_KEPT],
  );
}
