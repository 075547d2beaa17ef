import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Kafka } from 'kafkajs';
import { createSubscriptionConsumer } from '../../../libs/kafka/subscriptionConsumer.ts';
import { createLogger } from '../../../libs/log/logger.ts';

type EachBatch = (payload: {
  batch: {
    topic: string;
    partition: number;
    messages: { key: null; value: Buffer; offset: string; timestamp: string }[];
    isEmpty(): boolean;
    lastOffset(): string;
  };
  resolveOffset(offset: string): void;
}) => Promise<void>;

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

function batchOf(partition: number, offset: number): Parameters<EachBatch>[0] {
  const messages = [
    { key: null, value: Buffer.from('{}'), offset: String(offset), timestamp: '1700000000000' },
  ];
  return {
    batch: {
      topic: 't',
      partition,
      messages,
      isEmpty: () => false,
      lastOffset: () => String(offset),
    },
    resolveOffset: () => undefined,
  };
}

const settled = async (p: Promise<unknown>, ms: number): Promise<boolean> =>
  Promise.race([p.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), ms))]);

test('when every partition with data is paused, the batch handler waits for a resume', async () => {
  const { kafka, eachBatch } = fakeKafka();
  const consumer = createSubscriptionConsumer(kafka, {
    groupId: 'g',
    topic: 't',
    fromBeginning: true,
    sessionTimeoutMs: 30_000,
    log: createLogger('error'),
  });
  // the feed pauses a partition once it is full, as the delivery lanes do
  const full = new Set<number>();
  await consumer.start({
    push: async (partition) => {
      if (full.has(partition)) consumer.pause(partition);
    },
    reset: async () => undefined,
  });
  assert.equal(await settled(eachBatch()(batchOf(1, 0)), 50), true, 'nothing is paused');
  full.add(0);
  const first = eachBatch()(batchOf(0, 0));
  assert.equal(await settled(first, 50), true, 'partition 1 still flows: KafkaJS may fetch it');

  // now both are paused: returning would let KafkaJS sleep through the coming resume
  full.add(1);
  const held = eachBatch()(batchOf(1, 1));
  assert.equal(await settled(held, 100), false, 'the handler returned with every partition paused');
  consumer.resume(0);
  assert.equal(await settled(held, 50), true, 'a resume releases it at once');

  // and no resume at all: it gives up after KafkaJS's own wait, as KafkaJS would have slept
  consumer.pause(0);
  const started = Date.now();
  await eachBatch()(batchOf(1, 2));
  const waited = Date.now() - started;
  assert.ok(waited >= 450 && waited < 2000, `waited ${waited} ms`);
  await consumer.stop();
});
