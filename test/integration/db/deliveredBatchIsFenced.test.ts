import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, afterEach, before, beforeEach, test } from 'node:test';
import type pg from 'pg';
import { createPool } from '../../../libs/db/createPool.ts';
import { ensureDatabase } from '../../../libs/db/ensureDatabase.ts';
import { migrate } from '../../../libs/db/migrate.ts';
import { DeliveredBatcher } from '../../../libs/deliveries/deliveredBatcher.ts';
import { leaseDeliveries } from '../../../libs/deliveries/leaseDeliveries.ts';
import type { LeasedDelivery } from '../../../libs/deliveries/leasedDelivery.ts';
import { markDeliveredMany } from '../../../libs/deliveries/markDeliveredMany.ts';
import { createLogger } from '../../../libs/log/logger.ts';
import { uniqueName } from '../../helpers/testStack.ts';
import { TEST_ENV } from '../../helpers/testEnv.ts';

// Real PostgreSQL; rows are made by hand and leased with the workers' lease statement.
let pool: pg.Pool;
let topic: string;
let sub: string;

before(async () => {
  const url = TEST_ENV.FANOUT_DATABASE_URL!;
  await ensureDatabase(url);
  pool = createPool(url, createLogger('error'));
  await migrate(pool);
  await cleanUp();
});

async function cleanUp(): Promise<void> {
  await pool.query(`DELETE FROM subscriptions WHERE topic LIKE 'marked-%'`);
  await pool.query(`DELETE FROM events WHERE topic LIKE 'marked-%'`);
  await pool.query(`DELETE FROM topics WHERE name LIKE 'marked-%'`);
}

afterEach(cleanUp);

after(async () => {
  await pool?.end();
});

beforeEach(async () => {
  topic = uniqueName('marked');
  sub = randomUUID();
  await pool.query(`INSERT INTO topics (name, partitions) VALUES ($1, 1)`, [topic]);
  await pool.query(
    `INSERT INTO subscriptions (id, topic, endpoint, start_from)
     VALUES ($1, $2, 'http://127.0.0.1:9/hook', 'latest')`,
    [sub, topic],
  );
  await pool.query(
    `INSERT INTO events (topic, partition, kafka_offset, event_id, content_type, body, produced_at)
     SELECT $1, 0, g, 'e' || g, 'application/json', '\\x7b7d', now() FROM generate_series(0, 3) g`,
    [topic],
  );
  await pool.query(
    `INSERT INTO deliveries (subscription_id, topic, partition, kafka_offset, event_id,
       next_attempt)
     SELECT $1, $2, 0, g, 'e' || g, now() - interval '1 second' FROM generate_series(0, 3) g`,
    [sub, topic],
  );
});

/** The four rows as one run, by offset. */
async function leaseRun(): Promise<LeasedDelivery[]> {
  const rows = (await leaseDeliveries(pool, 'w', 1000, 60_000, [], 4)).filter(
    (r) => r.subscriptionId === sub,
  );
  assert.equal(rows.length, 4);
  return rows.sort((a, b) => Number(a.event.offset) - Number(b.event.offset));
}

/** Another worker took the row over after its lease lapsed: the old token no longer fences it. */
async function takeOver(row: LeasedDelivery): Promise<void> {
  await pool.query(`UPDATE deliveries SET lease_token = gen_random_uuid() WHERE id = $1`, [row.id]);
}

async function statusByOffset(): Promise<Array<[string, string, number]>> {
  const res = await pool.query<{ kafka_offset: string; status: string; attempts: number }>(
    `SELECT kafka_offset::text, status, attempts FROM deliveries WHERE subscription_id = $1
     ORDER BY kafka_offset`,
    [sub],
  );
  return res.rows.map((r) => [r.kafka_offset, r.status, r.attempts]);
}

test('one statement marks the rows whose lease is held, and leaves a row taken over alone', async () => {
  const rows = await leaseRun();
  await takeOver(rows[1]!);
  const marked = await markDeliveredMany(
    pool,
    rows.slice(0, 3).map((r, i) => ({ id: r.id, leaseToken: r.leaseToken, attempts: i + 1 })),
  );
  assert.deepEqual([...marked].sort(), [rows[0]!.id, rows[2]!.id].sort());
  assert.deepEqual(await statusByOffset(), [
    ['0', 'delivered', 1],
    ['1', 'in_flight', 0],
    ['2', 'delivered', 3],
    ['3', 'in_flight', 0],
  ]);
});

test('the batcher answers each caller for its own row, alone or asked for together', async () => {
  const rows = await leaseRun();
  await takeOver(rows[2]!);
  const batcher = new DeliveredBatcher(pool);
  const fence = (r: LeasedDelivery): { id: string; leaseToken: string; attempts: number } => ({
    id: r.id,
    leaseToken: r.leaseToken,
    attempts: 1,
  });
  // the first goes alone; the rest, asked for while it runs, go together
  const answers = await Promise.all(rows.map((r) => batcher.mark(fence(r))));
  assert.deepEqual(answers, [true, true, false, true]);
  assert.deepEqual(await statusByOffset(), [
    ['0', 'delivered', 1],
    ['1', 'delivered', 1],
    ['2', 'in_flight', 0],
    ['3', 'delivered', 1],
  ]);
  // a row already marked is not marked again
  assert.equal(await batcher.mark(fence(rows[0]!)), false);
});
