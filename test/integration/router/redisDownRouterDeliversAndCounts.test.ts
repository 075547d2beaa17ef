import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { call } from '../../helpers/api.ts';
import { sumOf } from '../../helpers/promText.ts';
import { PINNED_ROUTER_ENV, pinAndWait } from '../../helpers/routing.ts';
import type { ServiceProcess } from '../../helpers/serviceProcess.ts';
import { afterMarksGivenUp, startServiceWithoutRedis } from '../../helpers/serviceWithoutRedis.ts';
import { startStackAndSink, stopAll, type TestStack } from '../../helpers/testStack.ts';
import { waitFor } from '../../helpers/waitFor.ts';
import type { WebhookSink } from '../../helpers/webhookSink.ts';

let stack: TestStack;
let sink: WebhookSink;
let router: ServiceProcess | undefined;

before(async () => {
  ({ stack, sink } = await startStackAndSink({ bridge: true }));
});
after(async () => {
  await router?.kill('SIGTERM');
  await stopAll(stack, sink);
});

test('with Redis down a router delivers write fan-out rows anyway and counts the unchecked events and skipped marks on its own /metrics', async () => {
  let base: string;
  ({ process: router, base } = await startServiceWithoutRedis('router', PINNED_ROUTER_ENV));

  const topic = await stack.createTopic(1);
  const id = await stack.subscribe(topic, sink.url);
  await pinAndWait(stack.baseUrl, topic, 'write');
  const events = Array.from({ length: 10 }, (_, i) => ({ key: `k${i}`, payload: { i } }));
  await call(stack.baseUrl, 'POST', `/v1/topics/${topic}/events`, { events });
  await waitFor(() => sink.acknowledged().length === 10, 'all ten delivered without Redis');

  const samples = await afterMarksGivenUp(base, id, 10);
  assert.equal(sumOf(samples, 'fanout_dedupe_marks_skipped_total', { subscription: id }), 10);
  assert.ok(sumOf(samples, 'fanout_dedupe_unchecked_events_total', { subscription: id }) >= 10);
  assert.equal(sink.acknowledged().length, 10, 'each event once');
});
