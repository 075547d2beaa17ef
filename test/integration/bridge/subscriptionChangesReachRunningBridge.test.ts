import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { call } from '../../helpers/api.ts';
import { startStackAndSink, stopAll, type TestStack } from '../../helpers/testStack.ts';
import { sleep, waitFor } from '../../helpers/waitFor.ts';
import type { WebhookSink } from '../../helpers/webhookSink.ts';

let stack: TestStack;
let sink: WebhookSink;

// the registry refresh at its production default, to test the promised 5 s
before(
  async () =>
    ({ stack, sink } = await startStackAndSink({
      bridge: true,
      env: { FANOUT_REGISTRY_REFRESH_MS: '2000' },
    })),
);

after(() => stopAll(stack, sink));

test('a running bridge starts delivering a new subscription within 5 s and stops for a deleted one', async () => {
  const topic = await stack.createTopic(1);
  const produce = (n: number) =>
    call(stack.baseUrl, 'POST', `/v1/topics/${topic}/events`, { payload: { n } });

  // produced before the subscription: not delivered (startFrom latest)
  assert.equal((await produce(0)).status, 202);
  const id = await stack.subscribe(topic, sink.url);
  const created = Date.now();
  // produced right after the 201, before any bridge can have joined: delivered
  assert.equal((await produce(1)).status, 202);
  await waitFor(() => sink.acknowledged().length >= 1, 'first delivery', 5_000);
  const pickedUpMs = Date.now() - created;
  console.log(`# new subscription delivering after ${pickedUpMs} ms`);
  assert.deepEqual(
    sink.acknowledged().map((r) => JSON.parse(r.body.toString())),
    [{ n: 1 }],
  );

  const del = await call(stack.baseUrl, 'DELETE', `/v1/subscriptions/${id}`);
  assert.equal(del.status, 204);
  assert.equal((await call(stack.baseUrl, 'GET', `/v1/subscriptions/${id}`)).status, 404);
  await waitFor(() => stack.bridge!.workerCount === 0, 'worker stopped', 5_000);
  assert.equal((await produce(2)).status, 202);
  await sleep(1500);
  assert.equal(sink.acknowledged().length, 1, 'nothing delivered after the delete');
});
