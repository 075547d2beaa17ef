import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { call } from '../../helpers/api.ts';
import { pinAndWait, startWriteFanoutStack } from '../../helpers/routing.ts';
import { stopAll, type TestStack } from '../../helpers/testStack.ts';
import { FAST_RETRY } from '../../helpers/testEnv.ts';
import {
  assertSequenceChains,
  KEEP_FILTER,
  keepOrSkipEvents,
  keptBelow,
} from '../../helpers/sequenceDeliveries.ts';
import { waitFor } from '../../helpers/waitFor.ts';
import type { Received, WebhookSink } from '../../helpers/webhookSink.ts';

let stack: TestStack;
let sink: WebhookSink;

before(async () => {
  ({ stack, sink } = await startWriteFanoutStack());
});

after(() => stopAll(stack, sink));

const payloadOf = (r: Received) => JSON.parse(r.body.toString()) as { n: number; type: string };

test('fanout-seq and fanout-prev-id run on without a gap as a topic moves from bridges to write fan-out and back, past filtered events', async () => {
  const topic = await stack.createTopic(2);
  const created = await call(stack.baseUrl, 'POST', '/v1/subscriptions', {
    topic,
    endpoint: sink.url,
    filter: KEEP_FILTER,
    ...FAST_RETRY,
  });
  assert.equal(created.status, 201);

  // every third event is filtered out: it takes no sequence number
  const produce = async (from: number, to: number) => {
    const events = keepOrSkipEvents(from, to);
    const res = await call(stack.baseUrl, 'POST', `/v1/topics/${topic}/events`, { events });
    assert.equal(res.status, 202);
  };
  const kept = keptBelow;
  const deliveredBy = new Map<number, string>();
  const stamp = (mode: string) => {
    for (const r of sink.acknowledged()) {
      const n = payloadOf(r).n;
      if (!deliveredBy.has(n)) deliveredBy.set(n, mode);
    }
  };

  await produce(0, 30);
  await waitFor(() => sink.acknowledged().length === kept(30), 'delivered by the bridge');
  stamp('read');
  await pinAndWait(stack.baseUrl, topic, 'write');
  await produce(30, 60);
  await waitFor(() => sink.acknowledged().length === kept(60), 'delivered from rows');
  stamp('write');
  await pinAndWait(stack.baseUrl, topic, 'read');
  await produce(60, 90);
  await waitFor(() => sink.acknowledged().length === kept(90), 'delivered by the bridge again');
  stamp('read again');
  assert.deepEqual(
    new Set(deliveredBy.values()),
    new Set(['read', 'write', 'read again']),
    'each mode delivered a part',
  );

  for (const r of sink.acknowledged()) assert.equal(payloadOf(r).type, 'keep');
  const byPartition = assertSequenceChains(
    sink.acknowledged(),
    (r) => `(event ${payloadOf(r).n}, ${deliveredBy.get(payloadOf(r).n)})`,
  );
  assert.equal(byPartition.size, 2);
});
