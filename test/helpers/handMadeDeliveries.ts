import { randomUUID } from 'node:crypto';
import { after, afterEach, before, beforeEach } from 'node:test';
import type pg from 'pg';
import { createPool } from '../../libs/db/createPool.ts';
import { ensureDatabase } from '../../libs/db/ensureDatabase.ts';
import { migrate } from '../../libs/db/migrate.ts';
import { createLogger } from '../../libs/log/logger.ts';
import { TEST_ENV } from './testEnv.ts';
import { uniqueName } from './testStack.ts';

/** The test database, migrated, for tests that make write fan-out rows by hand. */
export async function openDeliveryDatabase(): Promise<pg.Pool> {
  const url = TEST_ENV.FANOUT_DATABASE_URL!;
  await ensureDatabase(url);
  const pool = createPool(url, createLogger('error'));
  await migrate(pool);
  return pool;
}

/**
 * Deletes the topics (and their subscriptions, events and rows) named with this prefix: the
 * lease statement takes the oldest due rows of any test, so each test file keeps to its own.
 */
export async function dropHandMadeRows(pool: pg.Pool, prefix: string): Promise<void> {
  await pool.query(`DELETE FROM subscriptions WHERE topic LIKE $1`, [`${prefix}-%`]);
  await pool.query(`DELETE FROM events WHERE topic LIKE $1`, [`${prefix}-%`]);
  await pool.query(`DELETE FROM topics WHERE name LIKE $1`, [`${prefix}-%`]);
}

/**
 * A one-partition topic with one subscription and `count` events at offsets 0.., each with a
 * delivery row due a second ago, as the router would have written them.
 */
export async function makeDueRows(
  pool: pg.Pool,
  prefix: string,
  count: number,
): Promise<{ topic: string; sub: string }> {
  const topic = uniqueName(prefix);
  const sub = randomUUID();
  await pool.query(`INSERT INTO topics (name, partitions) VALUES ($1, 1)`, [topic]);
  await pool.query(
    `INSERT INTO subscriptions (id, topic, endpoint, start_from)
     VALUES ($1, $2, 'http://127.0.0.1:9/hook', 'latest')`,
    [sub, topic],
  );
  await pool.query(
    `INSERT INTO events (topic, partition, kafka_offset, event_id, content_type, body, produced_at)
     SELECT $1, 0, g, 'e' || g, 'application/json', '\\x7b7d', now()
     FROM generate_series(0, $2::int - 1) g`,
    [topic, count],
  );
  await pool.query(
    `INSERT INTO deliveries (subscription_id, topic, partition, kafka_offset, event_id,
       next_attempt)
     SELECT $1, $2, 0, g, 'e' || g, now() - interval '1 second'
     FROM generate_series(0, $3::int - 1) g`,
    [sub, topic, count],
  );
  return { topic, sub };
}

/**
 * The hooks of a test file on hand-made rows: the database opened before its tests (its rows
 * of earlier runs dropped), `count` due rows made before each test and dropped after it, the
 * pool closed at the end. The answer's fields are filled in by those hooks.
 */
export function handMadeRowsEachTest(
  prefix: string,
  count: number,
): { pool: pg.Pool; topic: string; sub: string } {
  // the pool is set by the `before` hook, which runs before any test can read it
  const db = { pool: undefined as unknown as pg.Pool, topic: '', sub: '' };
  before(async () => {
    db.pool = await openDeliveryDatabase();
    await dropHandMadeRows(db.pool, prefix);
  });
  beforeEach(async () => {
    Object.assign(db, await makeDueRows(db.pool, prefix, count));
  });
  afterEach(() => dropHandMadeRows(db.pool, prefix));
  after(async () => {
    await db.pool?.end();
  });
  return db;
}
