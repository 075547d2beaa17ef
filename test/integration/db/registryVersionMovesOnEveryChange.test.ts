import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, afterEach, before, test } from 'node:test';
import type pg from 'pg';
import { createPool } from '../../../libs/db/createPool.ts';
import { ensureDatabase } from '../../../libs/db/ensureDatabase.ts';
import { migrate } from '../../../libs/db/migrate.ts';
import { DEFAULT_RETRY_POLICY } from '../../../libs/delivery/retryPolicy.ts';
import { createLogger } from '../../../libs/log/logger.ts';
import { RegistryCache } from '../../../libs/registry/registryCache.ts';
import {
  readRegistryVersion,
  unchangedSince,
  type RegistryVersion,
} from '../../../libs/registry/registryVersion.ts';
import {
  deleteSubscription,
  insertSubscription,
  listSubscriptions,
  rotateSecret,
  setPaused,
  updateSubscription,
} from '../../../libs/registry/subscriptionStore.ts';
import { DEFAULT_DELIVERY_SETTINGS, DEFAULT_EVENT_FORMAT } from '../../../libs/registry/types.ts';
import {
  pinRoute,
  recordDecision,
  transitionRoute,
} from '../../../libs/routing/topicRouteStore.ts';
import { uniqueName } from '../../helpers/testStack.ts';
import { TEST_ENV } from '../../helpers/testEnv.ts';
import { waitFor } from '../../helpers/waitFor.ts';

// Real PostgreSQL and the migration's triggers; rows are made through the stores the API uses.
let pool: pg.Pool;
const topics: string[] = [];

before(async () => {
  const url = TEST_ENV.FANOUT_DATABASE_URL!;
  await ensureDatabase(url);
  pool = createPool(url, createLogger('error'));
  await migrate(pool);
});

afterEach(async () => {
  await pool.query('DELETE FROM subscriptions WHERE topic = ANY($1)', [topics]);
  await pool.query('DELETE FROM topics WHERE name = ANY($1)', [topics]);
});

after(async () => {
  await pool?.end();
});

async function newTopic(): Promise<string> {
  const name = uniqueName('regver');
  topics.push(name);
  await pool.query('INSERT INTO topics (name, partitions) VALUES ($1, 1)', [name]);
  return name;
}

async function subscribe(topic: string): Promise<string> {
  const sub = await insertSubscription(pool, {
    id: randomUUID(),
    topic,
    endpoint: 'http://127.0.0.1:9/hook',
    secret: 'first-secret',
    startFrom: 'latest',
    startOffsets: {},
    retry: DEFAULT_RETRY_POLICY,
    delivery: DEFAULT_DELIVERY_SETTINGS,
    filter: null,
    format: DEFAULT_EVENT_FORMAT,
  });
  return sub.id;
}

/** Runs a change and returns the counters before and after it. */
async function around(change: () => Promise<unknown>): Promise<[RegistryVersion, RegistryVersion]> {
  const before = await readRegistryVersion(pool);
  await change();
  return [before, await readRegistryVersion(pool)];
}

function assertMoved(before: string | null, after: string | null, what: string): void {
  assert.ok(before !== null && after !== null, `${what}: the counter row exists`);
  assert.ok(BigInt(after) > BigInt(before), `${what}: ${before} -> ${after}`);
  assert.equal(unchangedSince(before, after), false, what);
}

test('every insert, update and delete of a subscription moves its counter, and only its counter', async () => {
  const topic = await newTopic();
  let id = '';
  const changes: [string, () => Promise<unknown>][] = [
    ['insert', async () => (id = await subscribe(topic))],
    ['update', () => updateSubscription(pool, id, { endpoint: 'http://127.0.0.1:9/other' })],
    ['pause', () => setPaused(pool, id, true)],
    ['resume', () => setPaused(pool, id, false)],
    ['secret rotation', () => rotateSecret(pool, id, 'second-secret', 60_000)],
    ['soft delete', () => deleteSubscription(pool, id)],
    ['row delete', () => pool.query('DELETE FROM subscriptions WHERE id = $1', [id])],
  ];
  for (const [what, change] of changes) {
    const [before, after] = await around(change);
    assertMoved(before.subscriptions, after.subscriptions, what);
    assert.equal(after.topicRoutes, before.topicRoutes, `${what} leaves the routes' counter`);
  }
  const idle = await around(() => pool.query('SELECT count(*) FROM subscriptions'));
  assert.ok(unchangedSince(idle[0].subscriptions, idle[1].subscriptions), 'a read moves nothing');
});

test('every insert, update and delete of a topic route moves its counter, and only its counter', async () => {
  const topic = await newTopic();
  const changes: [string, () => Promise<unknown>][] = [
    ['insert', () => pinRoute(pool, topic, 'write')],
    [
      'upsert',
      () => recordDecision(pool, topic, { subscriptions: 1, eventsPerSecond: 2, reason: 'test' }),
    ],
    ['transition', () => transitionRoute(pool, topic, 'read', 'to_write')],
    ['delete', () => pool.query('DELETE FROM topic_routes WHERE topic = $1', [topic])],
  ];
  for (const [what, change] of changes) {
    const [before, after] = await around(change);
    assertMoved(before.topicRoutes, after.topicRoutes, what);
    assert.equal(
      after.subscriptions,
      before.subscriptions,
      `${what} leaves the subscriptions' counter`,
    );
  }
  // a topic's deletion reaches its route by cascade, which moves the counter too
  await pinRoute(pool, topic, 'read');
  const [before, after] = await around(() =>
    pool.query('DELETE FROM topics WHERE name = $1', [topic]),
  );
  assertMoved(before.topicRoutes, after.topicRoutes, 'cascade from the topic');
});

test('a change committed after a reader saw the counter moves it past what was seen; a rollback does not', async () => {
  const topic = await newTopic();
  const a = await subscribe(topic);
  const b = await subscribe(topic);
  const first = await pool.connect();
  const second = await pool.connect();
  try {
    const seen = await readRegistryVersion(pool);
    await first.query('BEGIN');
    await first.query(`UPDATE subscriptions SET endpoint = 'http://127.0.0.1:9/a' WHERE id = $1`, [
      a,
    ]);
    // the second writer's bump waits for the first one's transaction
    const secondPid = (await second.query<{ pid: number }>('SELECT pg_backend_pid() AS pid'))
      .rows[0]!.pid;
    await second.query('BEGIN');
    const secondUpdate = second.query(
      `UPDATE subscriptions SET endpoint = 'http://127.0.0.1:9/b' WHERE id = $1`,
      [b],
    );
    await waitFor(async () => {
      const res = await pool.query(
        `SELECT 1 FROM pg_stat_activity WHERE pid = $1 AND wait_event_type = 'Lock'`,
        [secondPid],
      );
      return res.rowCount === 1;
    }, 'the second writer waiting for the counter');
    assert.equal(
      (await readRegistryVersion(pool)).subscriptions,
      seen.subscriptions,
      'an uncommitted change is not visible in the counter',
    );
    await first.query('COMMIT');
    await secondUpdate;
    const afterFirst = await readRegistryVersion(pool);
    assert.equal(BigInt(afterFirst.subscriptions!), BigInt(seen.subscriptions!) + 1n);
    await second.query('COMMIT');
    const afterSecond = await readRegistryVersion(pool);
    assert.equal(BigInt(afterSecond.subscriptions!), BigInt(seen.subscriptions!) + 2n);

    await first.query('BEGIN');
    await first.query('DELETE FROM subscriptions WHERE id = $1', [a]);
    await first.query('ROLLBACK');
    assert.equal((await readRegistryVersion(pool)).subscriptions, afterSecond.subscriptions);
  } finally {
    first.release();
    second.release();
  }
});

test('a registry cache answers the same listing while its table is unchanged, and reads again after a change', async () => {
  const topic = await newTopic();
  const first = await subscribe(topic);
  let reads = 0;
  const cache = new RegistryCache(pool, 'subscriptions', async (p) => {
    reads++;
    return listSubscriptions(p, topic);
  });
  const a = await cache.get();
  assert.deepEqual(
    a.map((s) => s.id),
    [first],
  );
  // a route changing is not a subscription changing
  await recordDecision(pool, topic, { subscriptions: 1, eventsPerSecond: 0, reason: 'test' });
  assert.equal(await cache.get(), a, 'the same object: nothing re-read');
  assert.equal(reads, 1);
  const second = await subscribe(topic);
  const b = await cache.get();
  assert.equal(reads, 2);
  assert.deepEqual(b.map((s) => s.id).sort(), [first, second].sort());
});
