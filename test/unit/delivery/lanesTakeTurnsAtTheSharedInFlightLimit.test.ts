import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FanoutEvent } from '../../../libs/events/fanoutEvent.ts';
import { InFlightLimit } from '../../../libs/delivery/inFlightLimit.ts';
import { OrderedLane, type LaneOutcome } from '../../../libs/delivery/orderedLane.ts';

function event(partition: number, offset: number): FanoutEvent {
  return {
    id: `p${partition}-${offset}`,
    topic: 't',
    partition,
    offset: String(offset),
    key: `k${offset}`,
    body: Buffer.alloc(0),
    contentType: 'application/json',
    timestampMs: 0,
    headers: {},
  };
}

test('partitions with work take turns at the in-flight limit they share', async () => {
  const limit = new InFlightLimit(2);
  const started: FanoutEvent[] = [];
  const pending: ((o: LaneOutcome) => void)[] = [];
  const lanes = [0, 1].map(
    () =>
      new OrderedLane({
        mode: 'none',
        limit,
        maxQueued: 100,
        onFull: () => undefined,
        onDrained: () => undefined,
        deliver: (e) =>
          new Promise<LaneOutcome>((resolve) => {
            started.push(e);
            pending.push(resolve);
          }),
      }),
  );
  // partition 0's lane comes first and has more than the limit's worth of work
  lanes[0]!.push([0, 1, 2, 3, 4, 5].map((o) => event(0, o)));
  lanes[1]!.push([0, 1, 2, 3, 4, 5].map((o) => event(1, o)));
  assert.deepEqual(
    started.map((e) => e.partition),
    [0, 0],
  );
  // every answer frees one slot; the lane that just took one waits for the other's turn
  for (let i = 0; i < 4; i++) {
    pending.shift()!('acknowledged');
    await new Promise((r) => setImmediate(r));
  }
  const afterFirst = started.slice(2).map((e) => e.partition);
  assert.deepEqual(
    afterFirst.filter((p) => p === 1).length,
    afterFirst.filter((p) => p === 0).length,
    `slots went to ${afterFirst.join(',')}`,
  );
});
