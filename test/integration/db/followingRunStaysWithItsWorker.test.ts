import assert from 'node:assert/strict';
import { test } from 'node:test';
import { leaseDeliveries } from '../../../libs/deliveries/leaseDeliveries.ts';
import type { LeasedDelivery } from '../../../libs/deliveries/leasedDelivery.ts';
import { leaseFollowingRuns } from '../../../libs/deliveries/leaseFollowingRuns.ts';
import { sweepExpiredLeases } from '../../../libs/deliveries/sweepExpiredLeases.ts';
import { handMadeRowsEachTest, makeDueRows } from '../../helpers/handMadeDeliveries.ts';

// Real PostgreSQL, the statement a worker runs for the rows behind the last one it holds.
const db = handMadeRowsEachTest('follow', 10);

const heads = (owner: string, run: number): Promise<LeasedDelivery[]> =>
  leaseDeliveries(db.pool, owner, 1000, 60_000, [], run).then((rows) =>
    rows
      .filter((r) => r.subscriptionId === db.sub)
      .sort((a, b) => Number(a.event.offset) - Number(b.event.offset)),
  );
const offsets = (rows: LeasedDelivery[]): string[] => rows.map((r) => r.event.offset);
const leaseFollowingRun = (
  pool: typeof db.pool,
  owner: string,
  held: LeasedDelivery,
  leaseMs: number,
  runLength: number,
): Promise<LeasedDelivery[]> =>
  leaseFollowingRuns(pool, owner, [held], leaseMs, runLength).then((runs) => runs[0]!);

test('the run behind a held row comes in order, up to the run length, and only while that row is held', async () => {
  const run = await heads('a', 3);
  assert.deepEqual(offsets(run), ['0', '1', '2']);
  const next = await leaseFollowingRun(db.pool, 'a', run[2]!, 60_000, 3);
  assert.deepEqual(offsets(next), ['3', '4', '5'], 'the next three, in offset order');
  assert.ok(next.every((r) => r.leaseToken !== run[2]!.leaseToken && r.ordering === 'partition'));
  assert.deepEqual(await heads('b', 3), [], 'another worker finds no head in this partition');

  // every lease lapses and is swept back: the old holder of offset 5 no longer holds it
  assert.ok((await sweepExpiredLeases(db.pool, 1000, new Date(Date.now() + 120_000))) >= 6);
  assert.deepEqual(
    await leaseFollowingRun(db.pool, 'a', next[2]!, 60_000, 3),
    [],
    'a lost lease brings no run: rows 6–8 are not taken past a head another worker may hold',
  );
  assert.deepEqual(offsets(await heads('b', 2)), ['0', '1'], 'the partition is free again');
});

test('the run stops before a row that is not due; a paused subscription gets none', async () => {
  const run = await heads('a', 2);
  assert.deepEqual(offsets(run), ['0', '1']);
  await db.pool.query(
    `UPDATE deliveries SET next_attempt = now() + interval '1 minute'
     WHERE subscription_id = $1 AND kafka_offset = 4`,
    [db.sub],
  );
  const next = await leaseFollowingRun(db.pool, 'a', run[1]!, 60_000, 5);
  assert.deepEqual(offsets(next), ['2', '3'], 'no gap: offset 4 waits, and so does what follows');

  await db.pool.query(
    `UPDATE deliveries SET next_attempt = now() - interval '1 second'
     WHERE subscription_id = $1 AND kafka_offset = 4`,
    [db.sub],
  );
  await db.pool.query(`UPDATE subscriptions SET state = 'paused' WHERE id = $1`, [db.sub]);
  assert.deepEqual(await leaseFollowingRun(db.pool, 'a', next[1]!, 60_000, 5), []);
  await db.pool.query(`UPDATE subscriptions SET state = 'active' WHERE id = $1`, [db.sub]);
  assert.deepEqual(
    offsets(await leaseFollowingRun(db.pool, 'a', next[1]!, 60_000, 5)),
    ['4', '5', '6', '7', '8'],
    'resumed: the run follows again',
  );
});

test('one statement leases the runs behind several held rows, each its own', async () => {
  const other = await makeDueRows(db.pool, 'follow', 10);
  const both = await leaseDeliveries(db.pool, 'a', 1000, 60_000, [], 2);
  const runOf = (sub: string): LeasedDelivery[] =>
    both
      .filter((r) => r.subscriptionId === sub)
      .sort((x, y) => Number(x.event.offset) - Number(y.event.offset));
  const [mine, theirs] = [runOf(db.sub), runOf(other.sub)];
  assert.deepEqual(
    [offsets(mine), offsets(theirs)],
    [
      ['0', '1'],
      ['0', '1'],
    ],
  );
  const runs = await leaseFollowingRuns(db.pool, 'a', [mine[1]!, theirs[1]!], 60_000, 4);
  assert.deepEqual(runs.map(offsets), [
    ['2', '3', '4', '5'],
    ['2', '3', '4', '5'],
  ]);
  assert.ok(runs[0]!.every((r) => r.subscriptionId === db.sub));
  assert.ok(runs[1]!.every((r) => r.subscriptionId === other.sub));
});
