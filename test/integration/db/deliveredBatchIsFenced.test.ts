import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DeliveredBatcher } from '../../../libs/deliveries/deliveredBatcher.ts';
import { leaseDeliveries } from '../../../libs/deliveries/leaseDeliveries.ts';
import type { LeasedDelivery } from '../../../libs/deliveries/leasedDelivery.ts';
import { markDeliveredMany } from '../../../libs/deliveries/markDeliveredMany.ts';
import { handMadeRowsEachTest } from '../../helpers/handMadeDeliveries.ts';

// Real PostgreSQL; rows are made by hand and leased with the workers' lease statement.
const db = handMadeRowsEachTest('marked', 4);

/** The four rows as one run, by offset. */
async function leaseRun(): Promise<LeasedDelivery[]> {
  const rows = (await leaseDeliveries(db.pool, 'w', 1000, 60_000, [], 4)).filter(
    (r) => r.subscriptionId === db.sub,
  );
  assert.equal(rows.length, 4);
  return rows.sort((a, b) => Number(a.event.offset) - Number(b.event.offset));
}

/** Another worker took the row over after its lease lapsed: the old token no longer fences it. */
async function takeOver(row: LeasedDelivery): Promise<void> {
  await db.pool.query(`UPDATE deliveries SET lease_token = gen_random_uuid() WHERE id = $1`, [
    row.id,
  ]);
}

async function statusByOffset(): Promise<Array<[string, string, number]>> {
  const res = await db.pool.query<{ kafka_offset: string; status: string; attempts: number }>(
    `SELECT kafka_offset::text, status, attempts FROM deliveries WHERE subscription_id = $1
     ORDER BY kafka_offset`,
    [db.sub],
  );
  return res.rows.map((r) => [r.kafka_offset, r.status, r.attempts]);
}

test('one statement marks the rows whose lease is held, and leaves a row taken over alone', async () => {
  const rows = await leaseRun();
  await takeOver(rows[1]!);
  const marked = await markDeliveredMany(
    db.pool,
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
  const batcher = new DeliveredBatcher(db.pool);
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
