import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { call } from '../../helpers/api.ts';
import { pinAndWait, startWriteFanoutStack } from '../../helpers/routing.ts';
import { stopAll, type TestStack } from '../../helpers/testStack.ts';
import { sleep, waitFor } from '../../helpers/waitFor.ts';
import type { WebhookSink } from '../../helpers/webhookSink.ts';

// A worker that finds nothing polls less and less (up to 8 poll intervals); what makes rows due
// in its own process must wake it. With a 15 s poll, either delivery below would otherwise wait
// 15 s or more.
const POLL_MS = 15_000;
const WITHIN_MS = 6_000;

let stack: TestStack;
let sink: WebhookSink;

before(async () => {
  ({ stack, sink } = await startWriteFanoutStack({ FANOUT_DELIVERY_POLL_MS: String(POLL_MS) }));
});

after(() => stopAll(stack, sink));

async function produce(topic: string, key: string): Promise<void> {
  const res = await call(stack.baseUrl, 'POST', `/v1/topics/${topic}/events`, {
    events: [{ key, payload: { key } }],
  });
  assert.equal(res.status, 202);
}

test('an idle worker delivers the rows its router makes, and its own retries, without waiting for its poll', async () => {
  const topic = await stack.createTopic(1);
  await stack.subscribe(topic, sink.url, {
    retry: { initialDelayMs: 200, maxDelayMs: 200, maxAttempts: 5 },
  });
  await pinAndWait(stack.baseUrl, topic, 'write');
  // the worker has looked, found nothing and waits at least one poll interval
  await sleep(1000);

  let started = Date.now();
  await produce(topic, 'first');
  await waitFor(() => sink.acknowledged().length === 1, 'the first event', WITHIN_MS);
  const firstMs = Date.now() - started;

  // the next request fails once: the row goes back due 200 ms later, and the worker that gave
  // it back is woken for it
  let failed = false;
  sink.respond = () => {
    if (failed) return 200;
    failed = true;
    return 500;
  };
  started = Date.now();
  await produce(topic, 'second');
  await waitFor(() => sink.acknowledged().length === 2, 'the retried event', WITHIN_MS);
  const retriedMs = Date.now() - started;
  assert.equal(sink.requests.length, 3, 'one failed attempt, then the retry');
  console.log(`# delivered in ${firstMs} ms; retried and delivered in ${retriedMs} ms`);
});
