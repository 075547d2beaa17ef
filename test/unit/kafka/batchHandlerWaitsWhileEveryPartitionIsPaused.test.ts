import assert from 'node:assert/strict';
import { test } from 'node:test';
import { batchOf, consumerWithPausingFeed, settled } from '../../helpers/standInKafkaConsumer.ts';

test('when every partition with data is paused, the batch handler waits for a resume', async () => {
  const { consumer, eachBatch, full } = await consumerWithPausingFeed();
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
