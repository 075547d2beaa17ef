import type pg from 'pg';

/**
 * Deletes, in batches of at most `limit`: delivered rows older than `retentionMs`; failed rows
 * whose dead letter was replayed or discarded through the dead-letter API; rows of deleted
 * subscriptions; and payloads no row
 * refers to any more. Failed rows still waiting in the dead letters stay.
 */
export async function pruneDeliveries(
  pool: pg.Pool,
  retentionMs: number,
  limit: number,
): Promise<{ delivered: number; failed: number; events: number }> {
  const delivered = await pool.query(
    `DELETE FROM deliveries WHERE id IN (
       SELECT id FROM deliveries WHERE status = 'delivered'
         AND delivered_at < now() - make_interval(secs => $1 / 1000.0)
       ORDER BY delivered_at LIMIT $2)`,
    [retentionMs, limit],
  );
  const failed = await pool.query(
    `DELETE FROM deliveries WHERE id IN (
       SELECT d.id FROM deliveries d JOIN dead_letters l ON l.id = d.dead_letter_id
       WHERE d.status = 'failed' AND l.status IN ('replayed', 'discarded') LIMIT $1)`,
    [limit],
  );
  // a deleted subscription's rows are never delivered
  const orphaned = await pool.query(
    `DELETE FROM deliveries WHERE id IN (
       SELECT d.id FROM deliveries d JOIN subscriptions s ON s.id = d.subscription_id
       WHERE s.state = 'deleted' LIMIT $1)`,
    [limit],
  );
  const events = await pool.query(
    `DELETE FROM events WHERE (topic, partition, kafka_offset) IN (
       SELECT ev.topic, ev.partition, ev.kafka_offset FROM events ev
       WHERE ev.created_at < now() - make_interval(secs => $1 / 1000.0)
         AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.topic = ev.topic
           AND d.partition = ev.partition AND d.kafka_offset = ev.kafka_offset)
       LIMIT $2)`,
    [retentionMs, limit],
  );
  return {
    delivered: delivered.rowCount ?? 0,
    failed: (failed.rowCount ?? 0) + (orphaned.rowCount ?? 0),
    events: events.rowCount ?? 0,
  };
}
