import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  CANDIDATES_SQL,
  LEASE_SQL,
  leaseDeliveries,
} from '../../../libs/deliveries/leaseDeliveries.ts';
import type { LeasedDelivery } from '../../../libs/deliveries/leasedDelivery.ts';
import {
  markDelivered,
  releaseDeliveries,
  releaseDelivery,
} from '../../../libs/deliveries/settleDelivery.ts';
import { sweepExpiredLeases } from '../../../libs/deliveries/sweepExpiredLeases.ts';
import { handMadeRowsEachTest } from '../../helpers/handMadeDeliveries.ts';

// Real PostgreSQL, the lease statement the workers run; rows are made by hand.
const db = handMadeRowsEachTest('lease', 5);

const lease = (owner: string, run = 1): Promise<LeasedDelivery[]> =>
  leaseDeliveries(db.pool, owner, 1000, 60_000, [], run).then((rows) =>
    rows.filter((r) => r.subscriptionId === db.sub),
  );
const offsets = (rows: LeasedDelivery[]): string[] =>
  rows.map((r) => r.event.offset).sort((a, b) => Number(a) - Number(b));

test('one partition, one row at a time: a second worker gets nothing while the head is in flight', async () => {
  const a = await lease('a');
  assert.deepEqual(offsets(a), ['0']);
  assert.deepEqual(await lease('b'), [], 'the head is in flight: nothing behind it is leased');
  assert.ok(await markDelivered(db.pool, a[0]!, 1));
  assert.deepEqual(offsets(await lease('b')), ['1'], 'the next row once the head settled');
});

test('a lapsed lease is swept back, and its old holder can no longer settle the row', async () => {
  const [held] = await lease('a');
  // time moves past the lease
  assert.ok((await sweepExpiredLeases(db.pool, 1000, new Date(Date.now() + 120_000))) >= 1);
  const after = await db.pool.query<{ status: string }>(
    'SELECT status FROM deliveries WHERE id = $1',
    [held!.id],
  );
  assert.equal(after.rows[0]!.status, 'pending', 'swept back to pending');
  const [retaken] = await lease('b');
  assert.equal(retaken!.event.offset, held!.event.offset);
  assert.notEqual(retaken!.leaseToken, held!.leaseToken);
  assert.equal(await markDelivered(db.pool, held!, 1), false, 'the stale token is fenced out');
  assert.equal(await markDelivered(db.pool, retaken!, 1), true);
});

test('a run comes in order behind its head and never jumps a row still in flight', async () => {
  const run = await lease('a', 3);
  assert.deepEqual(offsets(run), ['0', '1', '2']);
  const [head, second, third] = [...run].sort(
    (x, y) => Number(x.event.offset) - Number(y.event.offset),
  );
  // the head went back due at once while rows 1–2 are still being handed back: a new run may
  // take the head, but not rows 3–4 past the ones still in flight
  await releaseDelivery(db.pool, head!, Date.now() - 1000);
  const again = await lease('b', 3);
  assert.deepEqual(offsets(again), ['0'], 'no gap: the run stops before a row in flight');
  // the head failed: it goes back with a later next attempt
  await releaseDelivery(db.pool, again[0]!, Date.now() + 60_000);
  assert.deepEqual(await lease('b', 3), [], 'head not due, rows 1–2 in flight: nothing');
  await releaseDeliveries(db.pool, [second!, third!], Date.now());
  assert.deepEqual(await lease('b', 3), [], 'head not due: rows 1–4 wait behind it');
  await db.pool.query(
    `UPDATE deliveries SET next_attempt = now() - interval '1 second'
    WHERE subscription_id = $1`,
    [db.sub],
  );
  assert.deepEqual(offsets(await lease('b', 3)), ['0', '1', '2'], 'due again: the same run');
});

test('a candidate another worker leased meanwhile is neither leased nor locked: that worker settles it at once', async () => {
  const candidates = await db.pool.query<{ id: string }>(CANDIDATES_SQL, [1000, []]);
  const a = await lease('a');
  assert.deepEqual(offsets(a), ['0']);
  assert.ok(
    candidates.rows.some((c) => c.id === a[0]!.id),
    'the head was a candidate',
  );
  const b = await db.pool.connect();
  try {
    await b.query('BEGIN');
    const got = await b.query<{ subscription_id: string }>(LEASE_SQL, [
      'b',
      1000,
      60_000,
      candidates.rows.map((c) => c.id),
      1,
    ]);
    assert.equal(got.rows.filter((r) => r.subscription_id === db.sub).length, 0);
    // b's transaction is still open: a lock it kept on the row would hold this settle up
    const settled = await Promise.race([
      markDelivered(db.pool, a[0]!, 1),
      new Promise<string>((resolve) => setTimeout(() => resolve('waited'), 2000)),
    ]);
    assert.equal(settled, true, 'settled without waiting for the other lease');
  } finally {
    await b.query('ROLLBACK');
    b.release();
  }
});
