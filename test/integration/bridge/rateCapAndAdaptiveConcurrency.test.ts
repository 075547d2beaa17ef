import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { call } from '../../helpers/api.ts';
import { startStackAndSink, stopAll, type TestStack } from '../../helpers/testStack.ts';
import { waitFor } from '../../helpers/waitFor.ts';
import type { WebhookSink } from '../../helpers/webhookSink.ts';

let stack: TestStack;
let sink: WebhookSink;

before(async () => ({ stack, sink } = await startStackAndSink({ bridge: true })));

after(() => stopAll(stack, sink));

const produce = async (topic: string, count: number) => {
  const events = Array.from({ length: count }, (_, n) => ({ key: `k${n}`, payload: { n } }));
  const res = await call(stack.baseUrl, 'POST', `/v1/topics/${topic}/events`, { events });
  assert.equal(res.status, 202);
};

test('rateLimit caps deliveries per second (after a one-second burst) whatever maxInFlight allows', async () => {
  const topic = await stack.createTopic(1);
  await stack.subscribe(topic, sink.url, { ordering: 'none', maxInFlight: 16, rateLimit: 20 });
  await produce(topic, 60);
  await waitFor(() => sink.acknowledged().length === 60, 'all delivered');
  const times = sink.acknowledged().map((r) => r.at);
  const span = Math.max(...times) - Math.min(...times);
  // 20 from the burst, then 40 at 20/s: at least 2 s, on however fast a machine
  assert.ok(span >= 1800, `60 events at 20/s took ${span} ms`);
});

test('concurrency backs off when the endpoint answers 503 and comes back when it recovers', async () => {
  sink.received.length = 0;
  sink.requests.length = 0;
  sink.delayMs = 100;
  const topic = await stack.createTopic(1);
  await stack.subscribe(topic, sink.url, { ordering: 'none', maxInFlight: 16 });
  let overloaded = true;
  sink.respond = () => (overloaded ? 503 : 200);
  await produce(topic, 120);
  await waitFor(() => sink.requests.length >= 40, 'the endpoint was hit while overloaded');
  overloaded = false;
  const recoveredAt = Date.now();
  await waitFor(() => sink.acknowledged().length === 120, 'all delivered after recovery');
  const before = sink.requests.filter((r) => r.at < recoveredAt);
  const firstAfter = sink.requests.filter((r) => r.at >= recoveredAt).slice(0, 10);
  const peakBefore = Math.max(...before.slice(0, 16).map((r) => r.concurrent));
  const peakAfter = Math.max(...firstAfter.map((r) => r.concurrent));
  assert.ok(peakBefore >= 12, `at first up to maxInFlight at once (${peakBefore})`);
  assert.ok(peakAfter <= 8, `after the 503s at most half as many (${peakAfter})`);
  const latest = Math.max(
    ...sink
      .acknowledged()
      .slice(-20)
      .map((r) => r.concurrent),
  );
  assert.ok(latest > peakAfter, `climbing back while it answers (${peakAfter} → ${latest})`);
});
