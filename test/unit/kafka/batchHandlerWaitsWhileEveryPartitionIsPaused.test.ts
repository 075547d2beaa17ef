import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createSubscriptionConsumer } from '../../../libs/kafka/subscriptionConsumer.ts';
import { createLogger } from '../../../libs/log/logger.ts';
import { batchOf, settled, standInKafka } from '../../helpers/standInKafkaConsumer.ts';

test('when every partition with data is paused, the batch handler waits for a resume', async () => {
  const { kafka, eachBatch } = standInKafka();
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
