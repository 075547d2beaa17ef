import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { call } from '../../helpers/api.ts';
import { readTopic } from '../../helpers/readTopic.ts';
import { startStackAndSink, stopAll, type TestStack } from '../../helpers/testStack.ts';
import { FAST_RETRY } from '../../helpers/testEnv.ts';
import { waitFor } from '../../helpers/waitFor.ts';
import type { Received, WebhookSink } from '../../helpers/webhookSink.ts';
import { deadLetterTopicOf, groupIdOf } from '../../../libs/registry/types.ts';

let stack: TestStack;
let sink: WebhookSink;

before(async () => ({ stack, sink } = await startStackAndSink({ bridge: true })));

after(() => stopAll(stack, sink));

interface Item {
  id: string;
  partition: number;
  offset: string;
  seq: number;
  payload: { n: number };
}
const itemsOf = (r: Received) => JSON.parse(r.body.toString()) as Item[];

test('a batching subscription gets up to maxEvents per request as a JSON array, in order, signed; a 2xx acknowledges them all', async () => {
  const topic = await stack.createTopic(1);
  const created = await call(stack.baseUrl, 'POST', '/v1/subscriptions', {
    topic,
    endpoint: sink.url,
    batch: { maxEvents: 10, maxWaitMs: 200 },
    ...FAST_RETRY,
  });
  assert.equal(created.status, 201);
  assert.deepEqual(created.body.batch, { maxEvents: 10, maxWaitMs: 200 });
  const id = String(created.body.id);
  const events = Array.from({ length: 35 }, (_, n) => ({ key: `k${n % 3}`, payload: { n } }));
  await call(stack.baseUrl, 'POST', `/v1/topics/${topic}/events`, { events });

  const items = () => sink.acknowledged().flatMap(itemsOf);
  await waitFor(() => items().length === 35, 'all 35 events delivered');
  assert.deepEqual(
    items().map((i) => i.payload.n),
    [...Array(35).keys()],
    'in order, each once',
  );
  assert.deepEqual(
    items().map((i) => i.seq),
    [...Array(35).keys()].map((n) => n + 1),
  );
  const requests = sink.acknowledged();
  assert.ok(requests.length >= 4 && requests.length <= 8, `${requests.length} requests for 35`);
  for (const r of requests) {
    const n = itemsOf(r).length;
    assert.ok(n >= 1 && n <= 10, `batch of ${n}`);
    assert.equal(r.headers['fanout-batch-size'], String(n));
    new Webhook(String(created.body.secret)).verify(r.body.toString(), {
      'webhook-id': String(r.headers['webhook-id']),
      'webhook-timestamp': String(r.headers['webhook-timestamp']),
      'webhook-signature': String(r.headers['webhook-signature']),
    });
  }
  await waitFor(async () => {
    const c = await stack.rt.admin.committedOffsets(groupIdOf(id), topic);
    return c['0'] === '35';
  }, 'everything committed');
});

test('a batch that keeps failing is retried whole, then each of its events is dead-lettered on its own', async () => {
  sink.received.length = 0;
  sink.requests.length = 0;
  const topic = await stack.createTopic(1);
  const id = await stack.subscribe(topic, sink.url, {
    batch: { maxEvents: 5, maxWaitMs: 300 },
    retry: { initialDelayMs: 20, maxDelayMs: 50, maxAttempts: 3 },
  });
  sink.respond = (r) => (itemsOf(r).some((i) => i.payload.n === 2) ? 500 : 200);
  const events = Array.from({ length: 5 }, (_, n) => ({ key: 'k', payload: { n } }));
  await call(stack.baseUrl, 'POST', `/v1/topics/${topic}/events`, { events });

  const dead = await readTopic(stack.rt.kafka, deadLetterTopicOf(id), 5);
  assert.deepEqual(
    dead.map((m) => (JSON.parse(m.value!.toString()) as { n: number }).n),
    [0, 1, 2, 3, 4],
  );
  assert.equal(sink.requests.length, 3, 'the batch tried exactly maxAttempts times');
  assert.ok(sink.requests.every((r) => itemsOf(r).length === 5));
  await waitFor(async () => {
    const c = await stack.rt.admin.committedOffsets(groupIdOf(id), topic);
    return c['0'] === '5';
  }, 'the partition moved on');
});
