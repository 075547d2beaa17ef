import type pg from 'pg';
import type { PartitionOffsets } from '../kafka/topicAdmin.ts';

/** A subscription the router makes rows for: its filter and the first offset per partition. */
export interface RowTarget {
  id: string;
  filter: unknown;
  /** Per partition, the first offset that gets a row. */
  floors: PartitionOffsets;
}

/**
 * The subscriptions of a topic that get rows, read on the router's transaction: every one not
 * deleted (a paused or disabled one gets rows it will deliver when it resumes, as its consumer
 * group would keep its offset in read fan-out). Floors come from the switch into write fan-out,
 * or, for a subscription made since, from its start offsets.
 */
export async function rowTargets(client: pg.PoolClient, topic: string): Promise<RowTarget[]> {
  const res = await client.query<{
    id: string;
    filter: unknown;
    start_offsets: PartitionOffsets;
    floors: PartitionOffsets | null;
  }>(
    `SELECT s.id, s.filter, s.start_offsets,
       (SELECT jsonb_object_agg(f.partition::text, f.kafka_offset::text) FROM write_floors f
        WHERE f.subscription_id = s.id) AS floors
     FROM subscriptions s WHERE s.topic = $1 AND s.state <> 'deleted'`,
    [topic],
  );
  return res.rows.map((r) => ({
    id: r.id,
    filter: r.filter,
    floors: { ...r.start_offsets, ...(r.floors ?? {}) },
  }));
}

/** Records where each subscription's rows start, on the caller's transaction. */
export async function setWriteFloors(
  client: pg.PoolClient,
  floors: { subscriptionId: string; offsets: PartitionOffsets }[],
): Promise<void> {
  for (const f of floors) {
    for (const [partition, offset] of Object.entries(f.offsets)) {
      await client.query(
        `INSERT INTO write_floors (subscription_id, partition, kafka_offset) VALUES ($1, $2, $3)
         ON CONFLICT (subscription_id, partition) DO UPDATE SET kafka_offset = EXCLUDED.kafka_offset`,
        [f.subscriptionId, Number(partition), offset],
      );
    }
  }
}
