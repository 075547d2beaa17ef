import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { SubscriptionLag } from '../../../libs/lag/lagMonitor.ts';
import { call } from '../../helpers/api.ts';
import { pinAndWait, startWriteFanoutStack } from '../../helpers/routing.ts';
import { stopAll, type TestStack } from '../../helpers/testStack.ts';
import { waitFor } from '../../helpers/waitFor.ts';
import type { WebhookSink } from '../../helpers/webhookSink.ts';

let stack: TestStack;
let sink: WebhookSink;

before(async () => {
  ({ stack, sink } = await startWriteFanoutStack());
});
after(() => stopAll(stack, sink));

const statusOf = async (id: string): Promise<SubscriptionLag> =>
  (await call<SubscriptionLag>(stack.baseUrl, 'GET', `/v1/subscriptions/${id}/status`)).body;

test('in write fan-out a subscription lags by its open delivery rows, not by its idle consumer group', async () => {
  const topic = await stack.createTopic(2);
  const id = await stack.subscribe(topic, sink.url);
  await pinAndWait(stack.baseUrl, topic, 'write');
  sink.respond = () => 500;
  const events = Array.from({ length: 7 }, (_, i) => ({ key: `k${i}`, payload: { i } }));
  await call(stack.baseUrl, 'POST', `/v1/topics/${topic}/events`, { events });

  await waitFor(async () => (await statusOf(id)).lagMessages === 7, 'seven open rows');
  await waitFor(async () => (await statusOf(id)).lagSeconds >= 1, 'the oldest row ages');
  const s = await statusOf(id);
  assert.equal(s.mode, 'write');
  assert.deepEqual(s.partitions, []);
  assert.ok(!s.causes.some((c) => c.cause === 'no_consumer'), JSON.stringify(s.causes));
  assert.notEqual(s.status, 'stalled');

  sink.respond = () => 200;
  await waitFor(async () => {
    const now = await statusOf(id);
    return now.lagMessages === 0 && now.lagSeconds === 0 && now.status === 'ok';
  }, 'rows delivered, ok');
});
