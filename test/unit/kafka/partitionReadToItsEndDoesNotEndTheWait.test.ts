import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Kafka } from 'kafkajs';
import { createSubscriptionConsumer } from '../../../libs/kafka/subscriptionConsumer.ts';
import { createLogger } from '../../../libs/log/logger.ts';

interface Payload {
  batch: {
    topic: string;
    partition: number;
    highWatermark: string;
    messages: { key: null; value: Buffer; offset: string; timestamp: string }[];
    isEmpty(): boolean;
    lastOffset(): string;
  };
  resolveOffset(offset: string): void;
}
type EachBatch = (payload: Payload) => Promise<void>;

/**
 * The client's side of KafkaJS that the adapter drives, enough to call its batch handler the
 * way KafkaJS does. What is tested is the adapter's own flow control, not Kafka.
 */
function fakeKafka(): { kafka: Kafka; eachBatch: () => EachBatch } {
  let handler: EachBatch | undefined;
  const consumer = {
    events: { CRASH: 'crash', REBALANCING: 'rebalancing', GROUP_JOIN: 'join' },
    on: () => undefined,
    connect: async () => undefined,
    subscribe: async () => undefined,
    run: async (options: { eachBatch: EachBatch }) => {
      handler = options.eachBatch;
    },
    pause: () => undefined,
    resume: () => undefined,
    disconnect: async () => undefined,
    commitOffsets: async () => undefined,
  };
  // only the members above are used by the adapter
  const kafka = { consumer: () => consumer } as unknown as Kafka;
  return { kafka, eachBatch: () => handler! };
}

/** A batch of one record at `offset`, fetched when the partition ended before `highWatermark`. */
function batchOf(partition: number, offset: number, highWatermark: number): Payload {
  const messages = [
    { key: null, value: Buffer.from('{}'), offset: String(offset), timestamp: '1700000000000' },
  ];
  return {
    batch: {
      topic: 't',
      partition,
      highWatermark: String(highWatermark),
      messages,
      isEmpty: () => false,
      lastOffset: () => String(offset),
    },
    resolveOffset: () => undefined,
  };
}

const settled = async (p: Promise<unknown>, ms: number): Promise<boolean> =>
  Promise.race([p.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), ms))]);

test('a partition read to its end neither keeps the handler from waiting for the others nor ends the wait', async () => {
  const { kafka, eachBatch } = fakeKafka();
  const consumer = createSubscriptionConsumer(kafka, {
    groupId: 'g',
    topic: 't',
    fromBeginning: true,
    sessionTimeoutMs: 30_000,
    log: createLogger('error'),
  });
  const full = new Set<number>();
  await consumer.start({
    push: async (partition) => {
      if (full.has(partition)) consumer.pause(partition);
    },
    reset: async () => undefined,
  });
  // partition 1 has been read to its end; partition 0 has far more to come
  assert.equal(await settled(eachBatch()(batchOf(1, 0, 1)), 50), true, 'nothing is paused');
  assert.equal(await settled(eachBatch()(batchOf(0, 0, 100)), 50), true, 'nothing is paused');

  // partition 0 is full: a fetch now would only long-poll partition 1, which has nothing
  full.add(0);
  const held = eachBatch()(batchOf(0, 1, 100));
  assert.equal(await settled(held, 100), false, 'the handler returned to fetch an ended partition');
  // the ended partition's lane fills and drains: still nothing worth a fetch
  consumer.pause(1);
  consumer.resume(1);
  assert.equal(await settled(held, 50), false, 'the ended partition ended the wait');
  consumer.resume(0);
  assert.equal(await settled(held, 50), true, 'the resume of the partition behind releases it');

  // once the partitions paused have all been read to their end, the others are long-polled as
  // usual: a fetch can only bring records produced since, on any of them
  full.clear();
  full.add(1);
  assert.equal(await settled(eachBatch()(batchOf(0, 2, 3)), 50), true, 'nothing is paused');
  const ended = eachBatch()(batchOf(1, 1, 2));
  assert.equal(await settled(ended, 50), true, 'held for a partition with nothing more to read');
  consumer.resume(1);
  await consumer.stop();
});
