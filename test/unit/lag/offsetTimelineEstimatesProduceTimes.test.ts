import assert from 'node:assert/strict';
import { test } from 'node:test';
import { OffsetTimeline } from '../../../libs/lag/offsetTimeline.ts';

test('the produce time of an offset is interpolated between the samples around it', () => {
  const t = new OffsetTimeline();
  t.add(1000, 0n);
  t.add(2000, 10n);
  t.add(3000, 10n);
  t.add(4000, 30n);
  // offsets 0..9 were written between 1000 and 2000
  assert.equal(t.producedAt(0n), 1100);
  assert.equal(t.producedAt(9n), 2000);
  // offsets 10..29 between 3000 and 4000
  assert.equal(t.producedAt(10n), 3050);
  assert.equal(t.producedAt(29n), 4000);
  assert.equal(t.producedAt(30n), undefined, 'not written yet');
});

test('an offset written before the first point has no estimate; the start bounds its age', () => {
  const t = new OffsetTimeline();
  t.add(5000, 100n);
  t.add(6000, 110n);
  assert.equal(t.producedAt(50n), undefined);
  assert.equal(t.startMs, 5000);
});

test('seeds from the past slot in before live samples, and runs of equal ends stay compact', () => {
  const t = new OffsetTimeline();
  t.add(10_000, 40n);
  for (let at = 11_000; at <= 20_000; at += 1000) t.add(at, 40n);
  assert.equal(t.size, 2);
  t.add(0, 0n);
  t.add(5000, 20n);
  assert.equal(t.startMs, 0);
  assert.equal(t.producedAt(19n), 5000);
  assert.equal(t.producedAt(39n), 10_000);
});
