import assert from 'node:assert/strict';
import { test } from 'node:test';
import { evaluateLag, type LagSample } from '../../../libs/lag/evaluateLag.ts';

const WINDOW = 10_000;

/** Samples 1 s apart of one partition: [committed, end] per second. */
function series(points: [number | null, number][]): LagSample[] {
  return points.map(([committed, end], i) => ({
    atMs: 1_000_000 + i * 1000,
    partitions: new Map([
      [0, { committed: committed === null ? null : BigInt(committed), low: 0n, end: BigInt(end) }],
    ]),
  }));
}

test('caught up is ok, however long since the last commit (no false stall on a quiet partition)', () => {
  const e = evaluateLag(series(Array.from({ length: 11 }, () => [50, 50])), WINDOW, 'active');
  assert.equal(e.status, 'ok');
  assert.equal(e.lag, 0n);
  assert.equal(e.drainSeconds, 0);
});

test('behind and not moving over a full window is stalled', () => {
  const e = evaluateLag(series(Array.from({ length: 11 }, () => [10, 50])), WINDOW, 'active');
  assert.equal(e.status, 'stalled');
  assert.equal(e.partitions[0]!.status, 'stalled');
  assert.equal(e.drainSeconds, null);
});

test('not stalled before the window has filled', () => {
  const e = evaluateLag(
    series([
      [10, 50],
      [10, 50],
      [10, 50],
    ]),
    WINDOW,
    'active',
  );
  assert.equal(e.status, 'ok');
});

test('a slow partition that keeps moving while lag grows is lagging, not stalled', () => {
  const points: [number, number][] = Array.from({ length: 11 }, (_, i) => [10 + i, 20 + 3 * i]);
  const e = evaluateLag(series(points), WINDOW, 'active');
  assert.equal(e.status, 'lagging');
  assert.equal(e.lag, 30n);
  assert.equal(e.deliveredPerSecond, 1);
  assert.equal(e.producedPerSecond, 3);
  assert.equal(e.drainSeconds, null, 'not catching up');
});

test('behind but catching up is ok, with a drain estimate from the net rate', () => {
  const points: [number, number][] = Array.from({ length: 11 }, (_, i) => [10 + 5 * i, 100 + i]);
  const e = evaluateLag(series(points), WINDOW, 'active');
  assert.equal(e.status, 'ok');
  assert.equal(e.lag, 50n);
  assert.equal(e.drainSeconds, 50 / (5 - 1));
});

test('lag that touched zero inside the window is not lagging', () => {
  const e = evaluateLag(
    series([
      [0, 2],
      [5, 5],
      [5, 7],
      [6, 9],
    ]),
    WINDOW,
    'active',
  );
  assert.equal(e.status, 'ok');
});

test('the subscription state wins: disabled, paused, then failing', () => {
  const stuck = series(Array.from({ length: 11 }, () => [10, 50]));
  assert.equal(evaluateLag(stuck, WINDOW, 'paused').status, 'paused');
  assert.equal(evaluateLag(stuck, WINDOW, 'failing').status, 'failing');
  assert.equal(evaluateLag(stuck, WINDOW, 'disabled').status, 'disabled');
  // the partition keeps its own evaluation underneath
  assert.equal(evaluateLag(stuck, WINDOW, 'paused').partitions[0]!.status, 'stalled');
});

test('a partition never committed counts its lag from the log start', () => {
  const e = evaluateLag(series([[null, 7]]), WINDOW, 'active');
  assert.equal(e.lag, 7n);
  assert.equal(e.partitions[0]!.committed, null);
});
