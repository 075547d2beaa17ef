import assert from 'node:assert/strict';
import { test } from 'node:test';
import { backoffCeiling, backoffDelay } from '../../../libs/delivery/backoff.ts';

const policy = { initialMs: 100, maxMs: 2000, multiplier: 2 };

test('the ceiling doubles per attempt and stops at the maximum', () => {
  const table = [1, 2, 3, 4, 5, 6, 10].map((a) => backoffCeiling(a, policy));
  assert.deepEqual(table, [100, 200, 400, 800, 1600, 2000, 2000]);
});

test('full jitter spans zero to the ceiling', () => {
  assert.equal(
    backoffDelay(3, policy, () => 0),
    0,
  );
  assert.equal(
    backoffDelay(3, policy, () => 0.5),
    200,
  );
  assert.equal(
    backoffDelay(3, policy, () => 0.999999),
    399,
  );
  for (let attempt = 1; attempt < 30; attempt++) {
    const d = backoffDelay(attempt, policy);
    assert.ok(d >= 0 && d < backoffCeiling(attempt, policy));
  }
});
