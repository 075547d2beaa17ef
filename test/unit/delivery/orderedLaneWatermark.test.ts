import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FanoutEvent } from '../../../libs/events/fanoutEvent.ts';
import { InFlightLimit } from '../../../libs/delivery/inFlightLimit.ts';
import {
  OrderedLane,
  type LaneOutcome,
  type OrderingMode,
} from '../../../libs/delivery/orderedLane.ts';

function event(offset: number, key: string | null): FanoutEvent {
  return {
    id: `e${offset}`,
    topic: 't',
    partition: 0,
    offset: String(offset),
    key,
    body: Buffer.alloc(0),
    contentType: 'application/json',
    timestampMs: 0,
    headers: {},
  };
}

/** A lane whose deliveries are settled by hand, to watch what starts and what is committed. */
function laneWith(mode: OrderingMode, maxInFlight: number) {
  const started: FanoutEvent[] = [];
  const pending = new Map<string, (o: LaneOutcome) => void>();
  const lane = new OrderedLane({
    mode,
    limit: new InFlightLimit(maxInFlight),
    maxQueued: 100,
    onFull: () => undefined,
    onDrained: () => undefined,
    deliver: (e) =>
      new Promise<LaneOutcome>((resolve) => {
        started.push(e);
        pending.set(e.offset, resolve);
      }),
  });
  const ack = async (offset: number): Promise<void> => {
    pending.get(String(offset))!('acknowledged');
    await new Promise((r) => setImmediate(r));
  };
  return { lane, started, ack };
}

test('partition mode starts one event at a time, in offset order', async () => {
  const { lane, started, ack } = laneWith('partition', 10);
  lane.push([event(0, 'a'), event(1, 'b'), event(2, 'a')]);
  assert.deepEqual(
    started.map((e) => e.offset),
    ['0'],
  );
  await ack(0);
  assert.deepEqual(
    started.map((e) => e.offset),
    ['0', '1'],
  );
  assert.equal(lane.watermark, '1');
  await ack(1);
  await ack(2);
  assert.equal(lane.watermark, '3');
});

test('key mode runs different keys at once, one per key, and commits only below the lowest unsettled offset', async () => {
  const { lane, started, ack } = laneWith('key', 10);
  lane.push([event(0, 'a'), event(1, 'b'), event(2, 'a'), event(3, null), event(4, null)]);
  assert.deepEqual(
    started.map((e) => e.offset),
    ['0', '1', '3', '4'],
    'offset 2 waits for key a',
  );
  await ack(1);
  await ack(3);
  assert.equal(lane.watermark, undefined, 'offset 0 still out: nothing committable');
  await ack(0);
  assert.deepEqual(
    started.map((e) => e.offset),
    ['0', '1', '3', '4', '2'],
  );
  assert.equal(lane.watermark, '2', 'settled 0 and 1; 2 is in flight');
  await ack(2);
  assert.equal(lane.watermark, '4');
  await ack(4);
  assert.equal(lane.watermark, '5');
});

test('none mode is bounded by the in-flight limit', async () => {
  const { lane, started, ack } = laneWith('none', 2);
  lane.push([event(0, 'k'), event(1, 'k'), event(2, 'k')]);
  assert.equal(started.length, 2);
  await ack(1);
  assert.equal(started.length, 3);
  assert.equal(lane.watermark, undefined);
  await ack(0);
  assert.equal(lane.watermark, '2');
});
