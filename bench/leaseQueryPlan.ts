/**
 * The lease's plan and cost on a realistic table: prints EXPLAIN (ANALYZE, BUFFERS) of the
 * exact statements the workers run (the candidates, then the lease of those), and the mean time
 * of the pair, for
 *   A. steady state: S subscriptions, E events each, 95 % delivered and the newest 5 % pending;
 *   B. A plus one slow subscriber with a backlog of B pending rows on one partition;
 * each with the write fan-out indexes, then without `deliveries_unsettled` (dropped inside a
 * rolled-back transaction) to show what it buys. Every lease runs in a rolled-back transaction.
 * Local stack up, then: `node bench/leaseQueryPlan.ts [subscriptions] [events] [backlog]`.
 */
import { CANDIDATES_SQL, LEASE_SQL } from '../libs/deliveries/leaseDeliveries.ts';
import { createRuntime } from '../services/runtime/createRuntime.ts';
import { resetState } from '../test/helpers/testStack.ts';
import { BENCH_ENV } from './benchEnv.ts';

const subscriptions = Number(process.argv[2] ?? 64);
const eventsPerSub = Number(process.argv[3] ?? 3000);
const backlog = Number(process.argv[4] ?? 20000);
const rt = await createRuntime('bench', { ...process.env, ...BENCH_ENV });
const { pool } = rt;
await resetState(rt);

async function seed(): Promise<void> {
  await pool.query(`INSERT INTO topics (name, partitions) VALUES ('plan-t', 3), ('plan-slow', 1)`);
  await pool.query(
    `INSERT INTO subscriptions (id, topic, endpoint, start_from)
     SELECT gen_random_uuid(), 'plan-t', 'http://127.0.0.1:9/hook', 'latest'
     FROM generate_series(1, $1)`,
    [subscriptions],
  );
  await pool.query(
    `INSERT INTO events (topic, partition, kafka_offset, event_id, content_type, body, produced_at)
     SELECT 'plan-t', g % 3, g / 3, gen_random_uuid()::text, 'application/json',
       convert_to(repeat('x', 1024), 'UTF8'), now()
     FROM generate_series(0, $1 - 1) g`,
    [eventsPerSub],
  );
  await pool.query(
    `INSERT INTO deliveries (subscription_id, topic, partition, kafka_offset, event_id, status,
       delivered_at, next_attempt)
     SELECT s.id, e.topic, e.partition, e.kafka_offset, e.event_id,
       CASE WHEN e.kafka_offset < $1 THEN 'delivered' ELSE 'pending' END,
       CASE WHEN e.kafka_offset < $1 THEN now() END, now() - interval '1 second'
     FROM subscriptions s CROSS JOIN events e WHERE s.topic = 'plan-t' AND e.topic = 'plan-t'`,
    [Math.floor((eventsPerSub / 3) * 0.95)],
  );
}

async function addBacklog(): Promise<void> {
  await pool.query(
    `INSERT INTO subscriptions (id, topic, endpoint, start_from)
     VALUES (gen_random_uuid(), 'plan-slow', 'http://127.0.0.1:9/hook', 'latest')`,
  );
  await pool.query(
    `INSERT INTO events (topic, partition, kafka_offset, event_id, content_type, body, produced_at)
     SELECT 'plan-slow', 0, g, gen_random_uuid()::text, 'application/json', '\\x00', now()
     FROM generate_series(0, $1 - 1) g`,
    [backlog],
  );
  // the head row is in flight (a slow endpoint), so every row behind it is blocked
  await pool.query(
    `INSERT INTO deliveries (subscription_id, topic, partition, kafka_offset, event_id, status,
       next_attempt)
     SELECT s.id, 'plan-slow', 0, e.kafka_offset, e.event_id,
       CASE WHEN e.kafka_offset = 0 THEN 'in_flight' ELSE 'pending' END,
       now() - interval '1 minute'
     FROM subscriptions s JOIN events e ON e.topic = s.topic WHERE s.topic = 'plan-slow'`,
  );
}

async function measure(label: string, dropUnsettled: boolean): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    if (dropUnsettled) await client.query('DROP INDEX deliveries_unsettled');
    // the lease takes the candidates' ids: the plan is of both statements, in turn
    const ids = async (): Promise<string[]> =>
      (await client.query<{ id: string }>(CANDIDATES_SQL, [32, []])).rows.map((r) => r.id);
    const plan = await client.query<{ 'QUERY PLAN': string }>(
      `EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) ${CANDIDATES_SQL}`,
      [32, []],
    );
    plan.rows.push(
      ...(
        await client.query<{ 'QUERY PLAN': string }>(
          `EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) ${LEASE_SQL}`,
          ['bench', 32, 60000, await ids(), 16],
        )
      ).rows,
    );
    await client.query('ROLLBACK');
    const runs = 20;
    const started = process.hrtime.bigint();
    for (let i = 0; i < runs; i++) {
      await client.query('BEGIN');
      if (dropUnsettled) await client.query('DROP INDEX deliveries_unsettled');
      await client.query(LEASE_SQL, ['bench', 32, 60000, await ids(), 16]);
      await client.query('ROLLBACK');
    }
    const ms = Number(process.hrtime.bigint() - started) / 1e6 / runs;
    console.log(
      `\n=== ${label}: lease of 32 heads with runs of up to 16, mean ${ms.toFixed(2)} ms over ${runs} runs`,
    );
    for (const r of plan.rows) console.log(r['QUERY PLAN']);
  } finally {
    client.release();
  }
}

await seed();
await pool.query('ANALYZE deliveries; ANALYZE events; ANALYZE subscriptions');
const rows = (await pool.query<{ n: string }>('SELECT count(*) AS n FROM deliveries')).rows[0]!.n;
console.log(`A: ${subscriptions} subscriptions x ${eventsPerSub} events = ${rows} rows`);
await measure('A steady state, with indexes', false);
await measure('A steady state, without deliveries_unsettled', true);
await addBacklog();
await pool.query('ANALYZE deliveries; ANALYZE events');
console.log(`\nB: A plus one subscriber with ${backlog} rows blocked behind an in-flight head`);
await measure('B with a blocked backlog, with indexes', false);
await resetState(rt);
await rt.close();
