import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Partitioners } from 'kafkajs';
import { call } from '../../helpers/api.ts';
import { startStackAndSink, stopAll, type TestStack } from '../../helpers/testStack.ts';
import { waitFor } from '../../helpers/waitFor.ts';
import { WebhookSink } from '../../helpers/webhookSink.ts';

let stack: TestStack;
let sink: WebhookSink;

before(async () => ({ stack, sink } = await startStackAndSink({ bridge: true })));

after(() => stopAll(stack, sink));

function byPartition(): Map<string, bigint[]> {
  const out = new Map<string, bigint[]>();
  for (const r of sink.acknowledged()) {
    const p = String(r.headers['fanout-partition']);
    out.set(p, [...(out.get(p) ?? []), BigInt(String(r.headers['fanout-offset']))]);
  }
  return out;
}

function assertStrictlyIncreasing(offsets: Map<string, bigint[]>): void {
  for (const [p, list] of offsets) {
    for (let i = 1; i < list.length; i++) {
      assert.ok(list[i]! > list[i - 1]!, `partition ${p}: offset ${list[i]} after ${list[i - 1]}`);
    }
  }
}

test('events produced through the API arrive once each, in partition order, id and payload intact', async () => {
  const topic = await stack.createTopic(3);
  await stack.subscribe(topic, sink.url);
  const sent: { id: string; partition: number; offset: string; payload: unknown }[] = [];
  for (let batch = 0; batch < 6; batch++) {
    const events = Array.from({ length: 50 }, (_, i) => ({
      key: `k${(batch * 50 + i) % 17}`,
      payload: { n: batch * 50 + i, text: 'héllo' },
    }));
    const res = await call<{ events: { id: string; partition: number; offset: string }[] }>(
      stack.baseUrl,
      'POST',
      `/v1/topics/${topic}/events`,
      { events },
    );
    assert.equal(res.status, 202);
    res.body.events.forEach((e, i) => sent.push({ ...e, payload: events[i]!.payload }));
  }
  await waitFor(() => sink.acknowledged().length >= sent.length, 'all 300 events delivered');
  const got = sink.acknowledged();
  assert.equal(got.length, sent.length, 'no event delivered twice');
  const byId = new Map(got.map((r) => [String(r.headers['webhook-id']), r]));
  for (const e of sent) {
    const r = byId.get(e.id);
    assert.ok(r, `event ${e.id} delivered`);
    assert.deepEqual(JSON.parse(r.body.toString('utf8')), e.payload);
    assert.equal(r.headers['fanout-partition'], String(e.partition));
    assert.equal(r.headers['fanout-offset'], e.offset);
    assert.equal(r.headers['fanout-topic'], topic);
    assert.equal(r.headers['content-type'], 'application/json');
  }
  // the same key always lands on the same partition, as Kafka's Java client would place it
  const partitionOfKey = new Map<string, string>();
  for (const r of got) {
    const key = String(r.headers['fanout-key']);
    const p = String(r.headers['fanout-partition']);
    assert.equal(partitionOfKey.get(key) ?? p, p, `key ${key} on one partition`);
    partitionOfKey.set(key, p);
  }
  assertStrictlyIncreasing(byPartition());
});

test('events produced by a plain Kafka client are delivered with a stable id from their coordinates', async () => {
  sink.received.length = 0;
  const topic = await stack.createTopic(2);
  const subscriptionId = await stack.subscribe(topic, sink.url);
  const producer = stack.rt.kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  const values = Array.from({ length: 40 }, (_, i) => JSON.stringify({ plain: i }));
  await producer.send({
    topic,
    messages: values.map((value, i) => ({ key: `p${i % 5}`, value })),
  });
  await producer.disconnect();
  await waitFor(() => sink.acknowledged().length >= values.length, 'plain events delivered');
  const got = sink.acknowledged();
  assert.equal(got.length, values.length);
  assert.deepEqual(
    got.map((r) => r.body.toString('utf8')).sort(),
    [...values].sort(),
    'bodies delivered byte for byte',
  );
  const ids = new Set(got.map((r) => String(r.headers['webhook-id'])));
  assert.equal(ids.size, values.length, 'every event has its own id');
  assertStrictlyIncreasing(byPartition());

  // Replaying the topic from the start in a second subscription yields the very same ids.
  const replaySink = await new WebhookSink().start();
  try {
    await stack.subscribe(topic, replaySink.url, { startFrom: 'earliest' });
    await waitFor(() => replaySink.acknowledged().length >= values.length, 'replay delivered');
    const replayIds = new Set(
      replaySink.acknowledged().map((r) => String(r.headers['webhook-id'])),
    );
    assert.deepEqual([...replayIds].sort(), [...ids].sort());
  } finally {
    await replaySink.stop();
  }
  assert.ok(subscriptionId);
});
