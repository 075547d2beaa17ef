import type pg from 'pg';
import { isHeldSql } from './heldDeliveries.ts';

/** Write fan-out's lag for one subscription: rows not settled yet, and how old the oldest is. */
export interface PendingLag {
  subscriptionId: string;
  pending: number;
  inFlight: number;
  failed: number;
  oldestPendingAgeMs: number | null;
}

/** Per subscription of a topic (or of all topics), its unsettled rows. */
export async function pendingLag(pool: pg.Pool, topic?: string): Promise<PendingLag[]> {
  const res = await pool.query<{
    subscription_id: string;
    pending: string;
    in_flight: string;
    failed: string;
    oldest_ms: string | null;
  }>(
    `SELECT subscription_id,
       count(*) FILTER (WHERE status = 'pending') AS pending,
       count(*) FILTER (WHERE status = 'in_flight') AS in_flight,
       count(*) FILTER (WHERE status = 'failed') AS failed,
       floor(extract(epoch FROM now() - min(created_at)
         FILTER (WHERE status IN ('pending', 'in_flight'))) * 1000)::bigint::text AS oldest_ms
     FROM deliveries
     WHERE status IN ('pending', 'in_flight', 'failed') AND ($1::text IS NULL OR topic = $1)
     GROUP BY subscription_id ORDER BY subscription_id`,
    [topic ?? null],
  );
  return res.rows.map((r) => ({
    subscriptionId: r.subscription_id,
    pending: Number(r.pending),
    inFlight: Number(r.in_flight),
    failed: Number(r.failed),
    oldestPendingAgeMs: r.oldest_ms === null ? null : Number(r.oldest_ms),
  }));
}

/** A subscription's unsettled rows of a topic, as the switch back to read fan-out needs them. */
export interface UnsettledRows {
  /** Per partition, the lowest offset with a row not settled yet. */
  offsets: Record<string, string>;
  inFlight: boolean;
  /** Some row is held for an operator. */
  held: boolean;
}

/**
 * Per subscription of a topic, per partition, the lowest offset with a row not settled yet;
 * whether any of its rows is in flight, and whether any is held for an operator.
 */
export async function firstUnsettledOffsets(
  pool: pg.Pool,
  topic: string,
): Promise<Map<string, UnsettledRows>> {
  const res = await pool.query<{
    subscription_id: string;
    partition: number;
    first: string;
    in_flight: boolean;
    held: boolean;
  }>(
    `SELECT subscription_id, partition, min(kafka_offset)::text AS first,
       bool_or(status = 'in_flight') AS in_flight,
       bool_or(${isHeldSql('d')}) AS held
     FROM deliveries d WHERE topic = $1 AND status IN ('pending', 'in_flight')
     GROUP BY subscription_id, partition`,
    [topic],
  );
  const out = new Map<string, UnsettledRows>();
  for (const r of res.rows) {
    const entry = out.get(r.subscription_id) ?? { offsets: {}, inFlight: false, held: false };
    entry.offsets[String(r.partition)] = r.first;
    entry.inFlight ||= r.in_flight;
    entry.held ||= r.held;
    out.set(r.subscription_id, entry);
  }
  return out;
}

/**
 * Drops a subscription's pending rows of a topic: its consumer group was set to the first of
 * them, so its bridge delivers them instead.
 */
export async function handBackPendingRows(
  pool: pg.Pool,
  subscriptionId: string,
  topic: string,
): Promise<number> {
  const res = await pool.query(
    `DELETE FROM deliveries WHERE subscription_id = $1 AND topic = $2 AND status = 'pending'`,
    [subscriptionId, topic],
  );
  return res.rowCount ?? 0;
}
