import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { SubscriptionLag } from '../../../libs/lag/lagMonitor.ts';
import { call } from '../../helpers/api.ts';
import { startStackAndSink, stopAll, type TestStack } from '../../helpers/testStack.ts';
import { waitFor } from '../../helpers/waitFor.ts';
import { WebhookSink } from '../../helpers/webhookSink.ts';

let stack: TestStack;
let slow: WebhookSink;
let fast: WebhookSink;

before(async () => {
  ({ stack, sink: slow } = await startStackAndSink());
  fast = await new WebhookSink().start();
});
after(async () => {
  await stopAll(stack, slow);
  await fast?.stop();
});

const causesOf = async (id: string): Promise<SubscriptionLag> =>
  (await call<SubscriptionLag>(stack.baseUrl, 'GET', `/v1/subscriptions/${id}/status`)).body;

test('the bridges report why a subscription lags: a slow endpoint, the in-flight cap, the rate limit', async () => {
  // requests take 800 ms against a 2 s timeout: slow; one at a time: the cap is always full
  slow.delayMs = 800;
  const topic = await stack.createTopic(1);
  const capped = await stack.subscribe(topic, slow.url, { maxInFlight: 1 });
  const paced = await stack.subscribe(topic, fast.url, { rateLimit: 1 });
  const events = Array.from({ length: 30 }, (_, i) => ({ payload: { i } }));
  await call(stack.baseUrl, 'POST', `/v1/topics/${topic}/events`, { events });

  let seen: SubscriptionLag | undefined;
  await waitFor(async () => {
    seen = await causesOf(capped);
    const causes = seen.causes?.map((c) => c.cause) ?? [];
    return causes.includes('endpoint_slow') && causes.includes('throttled_in_flight');
  }, 'slow endpoint and in-flight cap named');
  assert.equal(seen!.delivery?.bridges, 1);
  assert.ok(seen!.delivery!.meanResponseMs! >= 800, JSON.stringify(seen!.delivery));

  await waitFor(async () => {
    seen = await causesOf(paced);
    return (seen.causes ?? []).some((c) => c.cause === 'throttled_rate_limit');
  }, 'rate limit named');
  assert.ok(!seen!.causes.some((c) => c.cause === 'endpoint_slow'), JSON.stringify(seen!.causes));
});
