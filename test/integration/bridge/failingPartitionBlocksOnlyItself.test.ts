import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Partitioners } from 'kafkajs';
import { startStackAndSink, stopAll, type TestStack } from '../../helpers/testStack.ts';
import { sleep, waitFor } from '../../helpers/waitFor.ts';
import type { WebhookSink } from '../../helpers/webhookSink.ts';

let stack: TestStack;
let sink: WebhookSink;

// a tiny per-partition queue, so the stuck partition is paused and resumed on the way
before(
  async () =>
    ({ stack, sink } = await startStackAndSink({
      bridge: true,
      env: { FANOUT_BRIDGE_MAX_QUEUED_PER_PARTITION: '5' },
    })),
);

after(() => stopAll(stack, sink));

test('an event failing on one partition holds back only that partition; the others keep flowing', async () => {
  const topic = await stack.createTopic(3);
  await stack.subscribe(topic, sink.url);
  let partitionZeroDown = true;
  let partitionZeroAttempts = 0;
  sink.respond = (r) => {
    if (partitionZeroDown && r.headers['fanout-partition'] === '0') {
      partitionZeroAttempts++;
      return 500;
    }
    return 200;
  };

  const producer = stack.rt.kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  const perPartition = 60;
  const send = (partition: number, from: number, count: number) =>
    producer.send({
      topic,
      messages: Array.from({ length: count }, (_, i) => ({
        partition,
        value: JSON.stringify({ partition, i: from + i }),
      })),
    });
  // partition 0 first, and only once its delivery is failing do the others get events, in
  // several rounds, so they must be fetched while partition 0 is stuck
  await send(0, 0, perPartition);
  await waitFor(() => partitionZeroAttempts >= 2, 'partition 0 failing');
  for (let round = 0; round < 3; round++) {
    await send(1, round * 20, 20);
    await send(2, round * 20, 20);
    await sleep(200);
  }
  await producer.disconnect();

  const delivered = (p: string): number[] =>
    sink
      .acknowledged()
      .filter((r) => r.headers['fanout-partition'] === p)
      .map((r) => Number(r.headers['fanout-offset']));

  await waitFor(
    () => delivered('1').length === perPartition && delivered('2').length === perPartition,
    'partitions 1 and 2 delivered while partition 0 fails',
    30_000,
  );
  assert.equal(delivered('0').length, 0, 'nothing of partition 0 acknowledged yet');
  await sleep(500);
  assert.equal(delivered('0').length, 0, 'partition 0 is not skipped past its failing event');

  partitionZeroDown = false;
  await waitFor(
    () => delivered('0').length === perPartition,
    'partition 0 delivered after recovery',
  );
  for (const p of ['0', '1', '2']) {
    assert.deepEqual(
      delivered(p),
      Array.from({ length: perPartition }, (_, i) => i),
      `partition ${p} in order, each once`,
    );
  }
});
