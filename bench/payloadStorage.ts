/**
 * Where write fan-out keeps payloads: stored once per event in PostgreSQL (`events`), or re-read
 * from Kafka by coordinates when a worker delivers. Prints, for 1 KiB events:
 *   - the router's cost to store payloads (batched insert, per event) and their size on disk;
 *   - a worker's cost to get payloads with its lease (the primary-key join, per batch of 32);
 *   - the cost of re-reading records from Kafka by (partition, offset) with KafkaJS, which can
 *     only read through a consumer group (libs/kafka/partitionReader.ts): per single record and
 *     per run of 32.
 * Local stack up, then: `node bench/payloadStorage.ts [events] [kafka reads]`.
 */
import { insertDeliveries } from '../libs/deliveries/insertDeliveries.ts';
import type { FanoutEvent } from '../libs/events/fanoutEvent.ts';
import { readPartition } from '../libs/kafka/partitionReader.ts';
import { createRuntime } from '../services/runtime/createRuntime.ts';
import { resetState, uniqueName } from '../test/helpers/testStack.ts';
import { BENCH_ENV } from './benchEnv.ts';

const total = Number(process.argv[2] ?? 5000);
const kafkaReads = Number(process.argv[3] ?? 5);
const rt = await createRuntime('bench', { ...process.env, ...BENCH_ENV });
await resetState(rt);
const topic = uniqueName('payload');
await rt.admin.createTopic(topic, 1);
await rt.pool.query(`INSERT INTO topics (name, partitions) VALUES ($1, 1)`, [topic]);
const subId = (
  await rt.pool.query<{ id: string }>(
    `INSERT INTO subscriptions (id, topic, endpoint, start_from)
     VALUES (gen_random_uuid(), $1, 'http://127.0.0.1:9/hook', 'latest') RETURNING id`,
    [topic],
  )
).rows[0]!.id;

// the same events in Kafka, for the re-read side
const producer = rt.kafka.producer();
await producer.connect();
const body = JSON.stringify({ filler: 'x'.repeat(1000) });
for (let sent = 0; sent < total; sent += 500) {
  await producer.send({
    topic,
    messages: Array.from({ length: Math.min(500, total - sent) }, (_, i) => ({
      key: `k${sent + i}`,
      value: body,
    })),
  });
}
await producer.disconnect();

const events: FanoutEvent[] = Array.from({ length: total }, (_, i) => ({
  id: `e${i}`,
  topic,
  partition: 0,
  offset: String(i),
  key: `k${i}`,
  body: Buffer.from(body),
  contentType: 'application/json',
  timestampMs: Date.now(),
  headers: {},
}));

// store: batches of 100 events, as a fetched batch of a quiet topic would come
let t = process.hrtime.bigint();
for (let i = 0; i < total; i += 100) {
  const client = await rt.pool.connect();
  try {
    await client.query('BEGIN');
    await insertDeliveries(
      client,
      events.slice(i, i + 100).map((event) => ({ event, subscriptionId: subId })),
    );
    await client.query('COMMIT');
  } finally {
    client.release();
  }
}
const storeUs = Number(process.hrtime.bigint() - t) / 1000 / total;
const size = (
  await rt.pool.query<{ bytes: string }>(
    `SELECT sum(pg_column_size(e.*)) AS bytes FROM events e WHERE e.topic = $1`,
    [topic],
  )
).rows[0]!.bytes;

// read with the lease: the primary-key join for 32 rows
t = process.hrtime.bigint();
const rounds = 50;
for (let r = 0; r < rounds; r++) {
  const from = Math.floor(Math.random() * (total - 32));
  await rt.pool.query(
    `SELECT d.id, ev.body FROM deliveries d JOIN events ev ON ev.topic = d.topic
       AND ev.partition = d.partition AND ev.kafka_offset = d.kafka_offset
     WHERE d.subscription_id = $1 AND d.partition = 0 AND d.kafka_offset >= $2
     ORDER BY d.kafka_offset LIMIT 32`,
    [subId, from],
  );
}
const joinMs = Number(process.hrtime.bigint() - t) / 1e6 / rounds;

async function kafkaRead(limit: number): Promise<number> {
  const started = process.hrtime.bigint();
  for (let r = 0; r < kafkaReads; r++) {
    const from = Math.floor(Math.random() * (total - limit));
    const read = await readPartition(rt.kafka, rt.admin, {
      topic,
      partition: 0,
      fromOffset: String(from),
      limit,
    });
    if (read.events.length !== limit) throw new Error(`read ${read.events.length} of ${limit}`);
  }
  return Number(process.hrtime.bigint() - started) / 1e6 / kafkaReads;
}
const kafkaOneMs = await kafkaRead(1);
const kafkaRunMs = await kafkaRead(32);

console.log(`${total} events of ${Buffer.byteLength(body)} bytes`);
console.log(
  `PostgreSQL: store ${storeUs.toFixed(0)} µs/event (payload + one row, batches of 100), ` +
    `${(Number(size) / total).toFixed(0)} bytes/event stored (row, before indexes); read 32 with the lease join ${joinMs.toFixed(2)} ms`,
);
console.log(
  `Kafka re-read by coordinates (KafkaJS, throwaway group): 1 record ${kafkaOneMs.toFixed(0)} ms, ` +
    `32 records ${kafkaRunMs.toFixed(0)} ms (mean of ${kafkaReads})`,
);
await resetState(rt);
await rt.close();
