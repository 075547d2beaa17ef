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
  pool: pg.Pool,
  subscriptionId: string,
  partition: number,
  firstOffset: string,
): Promise<SequencePoint> {
  const res = await pool.query<{ next_offset: string; next_seq: string; prev_event_id: string }>(
    `SELECT next_offset, next_seq, prev_event_id FROM sequence_points
     WHERE subscription_id = $1 AND partition = $2
     ORDER BY next_offset = $3 DESC, next_seq DESC LIMIT 1`,
    [subscriptionId, partition, firstOffset],
  );
  const row = res.rows[0];
  if (row === undefined) return { nextOffset: firstOffset, nextSeq: 1, prevEventId: null };
  if (row.next_offset === firstOffset) {
    return {
      nextOffset: firstOffset,
      nextSeq: Number(row.next_seq),
      prevEventId: row.prev_event_id,
    };
  }
  return { nextOffset: firstOffset, nextSeq: Number(row.next_seq), prevEventId: null };
}

/** Saves a commit point and forgets all but the last few. */
export async function saveSequencePoint(
  pool: pg.Pool,
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
