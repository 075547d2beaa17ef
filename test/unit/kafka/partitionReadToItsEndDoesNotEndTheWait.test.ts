import assert from 'node:assert/strict';
import { test } from 'node:test';
import { batchOf, consumerWithPausingFeed, settled } from '../../helpers/standInKafkaConsumer.ts';

test('a partition read to its end neither keeps the handler from waiting for the others nor ends the wait', async () => {
  const { consumer, eachBatch, full } = await consumerWithPausingFeed();
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
