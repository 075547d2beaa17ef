import type pg from 'pg';
import { headerString, type FanoutEvent } from '../events/fanoutEvent.ts';
import type { SequenceMark } from '../sequence/partitionSequence.ts';

/** One delivery row to create: an event for a subscription. */
export interface NewDelivery {
  event: FanoutEvent;
  subscriptionId: string;
  /** Its fanout-seq and fanout-prev-id. */
  mark?: SequenceMark;
}

// Rows per statement: a fetched batch of a quiet topic is far below this; a large one is split
// so that no statement carries unbounded arrays.
const CHUNK = 5000;

/**
 * Writes the payloads of the events that get at least one row, then one row per (event,
 * subscription), on the caller's transaction; both idempotent, so a router that replays a batch
 * after a crash inserts nothing twice. Returns the number of rows created.
 *
 * Payloads are stored once per event in `events` rather than re-read from Kafka by coordinates:
 * a worker leasing rows gets their payloads in the same statement (a primary-key join), while
 * KafkaJS reads a record at an offset only through a consumer group that must join first
 * (libs/kafka/partitionReader.ts). Measured by `bench/payloadStorage.ts` for 1 KiB events:
 * storing costs ~0.1–0.15 ms and ~1.1 KB per event, the join adds ~1–2 ms per leased batch of
 * 32, and a re-read from Kafka takes ~5 s per read (group join), whether of 1 record or 32.
 * Payloads go once their rows are pruned (libs/deliveries/pruneDeliveries.ts).
 */
export async function insertDeliveries(
  client: pg.PoolClient,
  rows: NewDelivery[],
): Promise<number> {
  let inserted = 0;
  for (let i = 0; i < rows.length; i += CHUNK) {
    const chunk = rows.slice(i, i + CHUNK);
    const events = new Map<string, FanoutEvent>();
    for (const r of chunk) events.set(`${r.event.partition}:${r.event.offset}`, r.event);
    const ev = [...events.values()];
    await client.query(
      `INSERT INTO events (topic, partition, kafka_offset, event_id, event_key, content_type, body,
         produced_at, headers)
       SELECT * FROM unnest($1::text[], $2::int[], $3::bigint[], $4::text[], $5::text[],
         $6::text[], $7::bytea[], $8::timestamptz[], $9::jsonb[])
       ON CONFLICT DO NOTHING`,
      [
        ev.map((e) => e.topic),
        ev.map((e) => e.partition),
        ev.map((e) => e.offset),
        ev.map((e) => e.id),
        ev.map((e) => e.key),
        ev.map((e) => e.contentType),
        ev.map((e) => e.body),
        ev.map((e) => new Date(e.timestampMs)),
        ev.map((e) => JSON.stringify(headerStrings(e))),
      ],
    );
    const res = await client.query(
      `INSERT INTO deliveries (subscription_id, topic, partition, kafka_offset, event_id,
         ordering_key, seq, prev_event_id)
       SELECT * FROM unnest($1::uuid[], $2::text[], $3::int[], $4::bigint[], $5::text[],
         $6::text[], $7::bigint[], $8::text[])
       ON CONFLICT (subscription_id, partition, kafka_offset) DO NOTHING`,
      [
        chunk.map((r) => r.subscriptionId),
        chunk.map((r) => r.event.topic),
        chunk.map((r) => r.event.partition),
        chunk.map((r) => r.event.offset),
        chunk.map((r) => r.event.id),
        chunk.map((r) => r.event.key),
        chunk.map((r) => r.mark?.seq ?? null),
        chunk.map((r) => r.mark?.prevEventId ?? null),
      ],
    );
    inserted += res.rowCount ?? 0;
  }
  return inserted;
}

/** A record's headers as text, first value of each: what delivery and CloudEvents read. */
function headerStrings(event: FanoutEvent): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of Object.keys(event.headers ?? {})) {
    const value = headerString(event.headers, name);
    if (value !== undefined) out[name] = value;
  }
  return out;
}
