import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { StatementBatcher } from '../../../libs/db/statementBatcher.ts';

/** A statement that doubles its items, recording each batch it was given. */
function doubling(batches: number[][], failWhen?: (items: number[]) => boolean) {
  return async (items: number[]): Promise<number[]> => {
    batches.push([...items]);
    await sleep(5);
    if (failWhen?.(items)) throw new Error('deadlock detected');
    return items.map((n) => n * 2);
  };
}

test('a lone item goes at once; items submitted while a statement runs share the next one', async () => {
  const batches: number[][] = [];
  const b = new StatementBatcher(doubling(batches), 100);
  const first = b.submit(1);
  const rest = [2, 3, 4].map((n) => b.submit(n));
  assert.equal(await first, 2);
  assert.deepEqual(await Promise.all(rest), [4, 6, 8], 'each caller gets its own result');
  assert.deepEqual(batches, [[1], [2, 3, 4]]);
});

test('at most maxBatch items per statement', async () => {
  const batches: number[][] = [];
  const b = new StatementBatcher(doubling(batches), 2);
  await Promise.all([1, 2, 3, 4, 5].map((n) => b.submit(n)));
  assert.deepEqual(batches, [[1], [2, 3], [4, 5]]);
});

test('with gatherMs, items submitted within the window share the first statement', async () => {
  const batches: number[][] = [];
  const b = new StatementBatcher(doubling(batches), 100, 20);
  const a = b.submit(1);
  await sleep(5);
  const c = b.submit(2);
  assert.deepEqual(await Promise.all([a, c]), [2, 4]);
  assert.deepEqual(batches, [[1, 2]]);
});

test('a failed batch is tried item by item: one failing item fails only its caller', async () => {
  const batches: number[][] = [];
  const b = new StatementBatcher(
    doubling(batches, (items) => items.includes(3)),
    100,
    10,
  );
  const results = await Promise.allSettled([1, 3, 5].map((n) => b.submit(n)));
  assert.deepEqual(
    results.map((r) => r.status),
    ['fulfilled', 'rejected', 'fulfilled'],
  );
  assert.deepEqual(batches, [[1, 3, 5], [1], [3], [5]]);
  // the batcher goes on after a failure
  assert.equal(await b.submit(7), 14);
});
