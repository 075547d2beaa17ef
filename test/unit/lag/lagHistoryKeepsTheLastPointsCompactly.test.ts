import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { FanoutError } from '../../../libs/errors/FanoutError.ts';
import { LagHistory, type LagPoint } from '../../../libs/lag/lagHistory.ts';

// fixed seed so a failure replays
const SEED = Number(process.env.FANOUT_PROPERTY_SEED ?? 20261124);

/** What the lag monitor kept before: every point as an object, the oldest shifted out. */
function plainPush(points: LagPoint[], point: LagPoint, capacity: number): void {
  points.push(point);
  if (points.length > capacity) points.shift();
}

const point = (at: number, lagMessages = 0, lagSeconds = 0, deliveredPerSecond = 0): LagPoint => ({
  at,
  lagMessages,
  lagSeconds,
  deliveredPerSecond,
});

test('points come back oldest first, and only the last 360 of them', () => {
  const history = new LagHistory(360);
  assert.deepEqual(history.points(), []);
  for (let i = 0; i < 1000; i++)
    history.push(point(1_700_000_000_000 + i * 5000, i, i / 7, i * 1.5));
  const points = history.points();
  assert.equal(points.length, 360);
  assert.equal(history.length, 360);
  assert.deepEqual(points[0], point(1_700_000_000_000 + 640 * 5000, 640, 640 / 7, 960));
  assert.deepEqual(points[359], point(1_700_000_000_000 + 999 * 5000, 999, 999 / 7, 1498.5));
  for (let i = 1; i < points.length; i++) assert.ok(points[i]!.at > points[i - 1]!.at);
  assert.equal(history.runCount, 360, 'figures that all differ: a run each');
});

test('a quiet subscription keeps its figures once, with every point time, and the cap holds', () => {
  const history = new LagHistory(360);
  const plain: LagPoint[] = [];
  // an idle pattern: zeros, with a short blip now and then; times jitter like real ticks
  for (let i = 0; i < 2000; i++) {
    const blip = i % 500 === 250 || i % 500 === 251;
    const p = point(
      1_700_000_000_000 + i * 5000 + (i % 13),
      blip ? 3 : 0,
      blip ? 0.8 : 0,
      blip ? 0.6 : 0,
    );
    history.push(p);
    plainPush(plain, p, 360);
  }
  assert.deepEqual(history.points(), plain);
  // zeros, the blip, zeros again
  assert.equal(history.runCount, 3);
  for (let i = 0; i < 360; i++) history.push(point(1_800_000_000_000 + i));
  assert.equal(history.runCount, 1, 'the blip was dropped with its points');
  assert.equal(history.points().length, 360);
});

test('equal-run handling answers exactly what the plain array would, after every push', () => {
  // few distinct figures, so runs form, break and get cut at the oldest end; -0 and NaN
  // must come back as they went in (a run answers its first point's figures for all)
  const figure = fc.constantFrom(0, -0, 1, 2.5, Number.NaN, 1e15 + 1);
  const step = fc.record({
    dt: fc.integer({ min: -1000, max: 10_000 }),
    lagMessages: figure,
    lagSeconds: figure,
    deliveredPerSecond: figure,
    repeat: fc.integer({ min: 1, max: 30 }),
  });
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 40 }),
      fc.array(step, { maxLength: 60 }),
      (capacity, steps) => {
        const history = new LagHistory(capacity);
        const plain: LagPoint[] = [];
        let at = 1_700_000_000_000.5;
        for (const s of steps) {
          for (let r = 0; r < s.repeat; r++) {
            at += s.dt;
            const p = point(at, s.lagMessages, s.lagSeconds, s.deliveredPerSecond);
            history.push(p);
            plainPush(plain, p, capacity);
            // deepStrictEqual compares with Object.is: -0 is not 0, NaN is NaN
            assert.deepStrictEqual(history.points(), plain);
          }
        }
        assert.ok(history.runCount <= Math.max(1, plain.length));
      },
    ),
    { seed: SEED, numRuns: 300 },
  );
});

test('a history of no points cannot be made', () => {
  for (const capacity of [0, -1, 2.5, Number.NaN]) {
    assert.throws(
      () => new LagHistory(capacity),
      (err: unknown) => err instanceof FanoutError && err.code === 'FANOUT_INTERNAL',
    );
  }
});
