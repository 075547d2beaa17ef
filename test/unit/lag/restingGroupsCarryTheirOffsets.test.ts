import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { LagSample, PartitionSample } from '../../../libs/lag/evaluateLag.ts';
import { restingCommitted } from '../../../libs/lag/restingOffsets.ts';

const sample = (parts: Record<number, [bigint | null, bigint, bigint]>): LagSample => ({
  atMs: 0,
  partitions: new Map(
    Object.entries(parts).map(([p, [committed, low, end]]): [number, PartitionSample] => [
      Number(p),
      { committed, low, end },
    ]),
  ),
});
const bounds = (parts: Record<number, [string, string]>) => ({
  low: Object.fromEntries(Object.entries(parts).map(([p, [low]]) => [p, low])),
  high: Object.fromEntries(Object.entries(parts).map(([p, [, end]]) => [p, end])),
});

test('a group at the end of a log that did not move keeps its offsets', () => {
  assert.deepEqual(
    restingCommitted(
      sample({ 0: [5n, 0n, 5n], 1: [3n, 1n, 3n] }),
      bounds({ 0: ['0', '5'], 1: ['1', '3'] }),
    ),
    { 0: '5', 1: '3' },
  );
});

test('a partition never committed on and holding no record stays uncommitted', () => {
  assert.deepEqual(
    restingCommitted(
      sample({ 0: [null, 0n, 0n], 1: [2n, 0n, 2n] }),
      bounds({ 0: ['0', '0'], 1: ['0', '2'] }),
    ),
    { 1: '2' },
  );
});

test('anything else is asked of Kafka', () => {
  const b = bounds({ 0: ['0', '5'] });
  assert.equal(restingCommitted(undefined, b), undefined, 'no sample yet');
  assert.equal(restingCommitted(sample({ 0: [4n, 0n, 5n] }), b), undefined, 'behind');
  assert.equal(
    restingCommitted(sample({ 0: [5n, 0n, 5n] }), bounds({ 0: ['0', '6'] })),
    undefined,
    'the end moved',
  );
  assert.equal(
    restingCommitted(sample({ 0: [null, 0n, 5n] }), b),
    undefined,
    'never committed, records to read',
  );
  assert.equal(
    restingCommitted(sample({ 0: [null, 0n, 0n] }), bounds({ 0: ['3', '0'] })),
    undefined,
    'the log start moved',
  );
  assert.equal(
    restingCommitted(sample({ 0: [5n, 0n, 5n] }), bounds({ 0: ['0', '5'], 1: ['0', '0'] })),
    undefined,
    'a partition was added',
  );
});
