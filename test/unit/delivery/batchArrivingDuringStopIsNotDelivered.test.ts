import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DeliveryLanes } from '../../../libs/delivery/deliveryLanes.ts';
import type { FanoutEvent } from '../../../libs/events/fanoutEvent.ts';
import { createLogger } from '../../../libs/log/logger.ts';

function event(offset: number): FanoutEvent {
  return {
    id: `e${offset}`,
    topic: 't',
    partition: 0,
    offset: String(offset),
    key: null,
    body: Buffer.alloc(0),
    contentType: 'application/json',
    timestampMs: 0,
    headers: {},
  };
}

/**
 * A batch still waiting on its dedupe check when the lanes stop (or are reset by a rebalance)
 * must not start a lane of its own: that lane would deliver a later offset while the closed
 * lane's earlier event was never acknowledged — out of order, and never closed.
 */
for (const how of ['stop', 'reset'] as const) {
  test(
    `a batch whose dedupe check ends after ${how} is dropped, not delivered`,
    { timeout: 10_000 },
    async () => {
      const delivered: string[] = [];
      let answerDedupe: (ids: Set<string>) => void = () => undefined;
      let dedupeCalls = 0;
      const lanes = new DeliveryLanes({
        control: {
          pause: () => undefined,
          resume: () => undefined,
          epoch: () => 0,
          commit: () => Promise.resolve(true),
        },
        deliver: async (e, isOpen) => {
          delivered.push(e.offset);
          // the first event keeps failing until its lane closes
          if (e.offset === '0') {
            while (isOpen()) await new Promise((r) => setTimeout(r, 5));
            return 'abandoned';
          }
          return 'acknowledged';
        },
        alreadyDelivered: (events) =>
          ++dedupeCalls === 1
            ? Promise.resolve(new Set())
            : new Promise<Set<string>>((resolve) => {
                answerDedupe = resolve;
                void events;
              }),
        maxQueuedPerPartition: 100,
        ordering: 'partition',
        maxInFlight: 4,
        commitIntervalMs: 60_000,
        log: createLogger('error', {}),
      });
      try {
        await lanes.push(0, [event(0)]);
        const late = lanes.push(0, [event(65)]);
        await new Promise((r) => setTimeout(r, 20));
        const closing = how === 'stop' ? lanes.stop() : lanes.reset('rebalancing', () => undefined);
        answerDedupe(new Set());
        await late;
        await closing;
        await new Promise((r) => setTimeout(r, 20));
        assert.deepEqual(delivered, ['0'], 'offset 65 never started');
      } finally {
        await lanes.stop();
      }
    },
  );
}
