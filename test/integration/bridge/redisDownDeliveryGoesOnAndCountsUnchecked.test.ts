import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { call } from '../../helpers/api.ts';
import { sumOf } from '../../helpers/promText.ts';
import type { ServiceProcess } from '../../helpers/serviceProcess.ts';
import { afterMarksGivenUp, startServiceWithoutRedis } from '../../helpers/serviceWithoutRedis.ts';
import { startStackAndSink, stopAll, type TestStack } from '../../helpers/testStack.ts';
import { waitFor } from '../../helpers/waitFor.ts';
import type { WebhookSink } from '../../helpers/webhookSink.ts';

let stack: TestStack;
let sink: WebhookSink;
let bridge: ServiceProcess | undefined;

before(async () => {
  ({ stack, sink } = await startStackAndSink({ bridge: false }));
});
after(async () => {
  await bridge?.kill('SIGTERM');
  await stopAll(stack, sink);
});

test('with Redis down a bridge process delivers anyway, counts the unchecked events on its own /metrics, and its /readyz names redis', async () => {
  const topic = await stack.createTopic(2);
  const id = await stack.subscribe(topic, sink.url);
  let base: string;
  ({ process: bridge, base } = await startServiceWithoutRedis('bridge'));

  const events = Array.from({ length: 10 }, (_, i) => ({ key: `k${i}`, payload: { i } }));
  await call(stack.baseUrl, 'POST', `/v1/topics/${topic}/events`, { events });
  await waitFor(() => sink.acknowledged().length === 10, 'all ten delivered without Redis');

  // The sink counts an answer when it sends it; the bridge settles, and gives up its marks
  // (gathered for a few milliseconds), a little later.
  const samples = await afterMarksGivenUp(base, id, 10);
  assert.equal(sumOf(samples, 'fanout_dedupe_unchecked_events_total', { subscription: id }), 10);
  assert.equal(sumOf(samples, 'fanout_dedupe_marks_skipped_total', { subscription: id }), 10);
  assert.equal(
    sumOf(samples, 'fanout_events_settled_total', { subscription: id, outcome: 'delivered' }),
    10,
  );
  assert.equal((await fetch(`${base}/healthz`)).status, 200);
  const ready = await fetch(`${base}/readyz`);
  assert.equal(ready.status, 503);
  const body = (await ready.json()) as { checks: Record<string, string> };
  assert.match(body.checks.redis!, /^failed/);
  assert.equal(body.checks.kafka, 'ok');
});
