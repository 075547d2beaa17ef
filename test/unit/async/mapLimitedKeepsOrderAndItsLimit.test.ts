import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { mapLimited } from '../../../libs/async/mapLimited.ts';

test('results come back in the items’ order with never more than the limit under way', async () => {
  let running = 0;
  let most = 0;
  const items = Array.from({ length: 50 }, (_, i) => i);
  const out = await mapLimited(items, 4, async (n) => {
    running++;
    most = Math.max(most, running);
    // later items finish sooner, so completion order differs from item order
    await sleep((50 - n) % 7);
    running--;
    return n * 2;
  });
  assert.deepEqual(
    out,
    items.map((n) => n * 2),
  );
  assert.equal(most, 4);
});

test('a failure rejects the whole map; no items gives no calls', async () => {
  await assert.rejects(
    mapLimited([1, 2, 3], 2, async (n) => {
      if (n === 2) throw new Error('two');
      return n;
    }),
    /two/,
  );
  let calls = 0;
  assert.deepEqual(
    await mapLimited([], 3, async () => {
      calls++;
      return 0;
    }),
    [],
  );
  assert.equal(calls, 0);
});
