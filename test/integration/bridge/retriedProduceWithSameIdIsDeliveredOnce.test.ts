import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { call } from '../../helpers/api.ts';
import { startStackAndSink, stopAll, type TestStack } from '../../helpers/testStack.ts';
import { sleep, waitFor } from '../../helpers/waitFor.ts';
import type { WebhookSink } from '../../helpers/webhookSink.ts';
import { EVENT_ID_HEADER } from '../../../libs/events/recordHeaders.ts';

let stack: TestStack;
let sink: WebhookSink;

before(async () => ({ stack, sink } = await startStackAndSink({ bridge: true })));

after(() => stopAll(stack, sink));

test('a producer that retries after a 503 with the same event id gets it delivered once', async () => {
  const topic = await stack.createTopic(1);
  await stack.subscribe(topic, sink.url);
  const id = randomUUID();
  const event = { id, key: 'order-1', payload: { order: 1 } };
  // the first write "timed out" from the producer's side; it sends the same event again
  const first = await call<{ events: { id: string; offset: string }[] }>(
    stack.baseUrl,
    'POST',
    `/v1/topics/${topic}/events`,
    event,
  );
  await waitFor(() => sink.acknowledged().length === 1, 'first copy delivered');
  const again = await call<{ events: { id: string; offset: string }[] }>(
    stack.baseUrl,
    'POST',
    `/v1/topics/${topic}/events`,
    { events: [event, { key: 'order-2', payload: { order: 2 } }] },
  );
  assert.equal(first.status, 202);
  assert.equal(again.status, 202);
  assert.equal(first.body.events[0]!.id, id);
  assert.equal(again.body.events[0]!.id, id, 'the id the producer gave is kept');
  assert.notEqual(again.body.events[0]!.offset, first.body.events[0]!.offset, 'written twice');
  await waitFor(() => sink.acknowledged().length === 2, 'the next event delivered');
  await sleep(300);
  const ids = sink.acknowledged().map((r) => String(r.headers['webhook-id']));
  assert.equal(ids.filter((x) => x === id).length, 1, 'the copy was not pushed');
  assert.equal(ids.length, 2);

  const dup = await call<{ error: { field: string } }>(
    stack.baseUrl,
    'POST',
    `/v1/topics/${topic}/events`,
    { events: [event, event] },
  );
  assert.equal(dup.status, 400);
  assert.equal(dup.body.error.field, 'events[1].id');
  const bad = await call<{ error: { field: string } }>(
    stack.baseUrl,
    'POST',
    `/v1/topics/${topic}/events`,
    { id: 'order-1', payload: {} },
  );
  assert.equal(bad.status, 400);
  assert.equal(bad.body.error.field, 'id');
});

test('two copies of one event fetched together (written twice by a retrying producer) are pushed once', async () => {
  sink.received.length = 0;
  const topic = await stack.createTopic(1);
  await stack.subscribe(topic, sink.url);
  const id = randomUUID();
  const producer = stack.rt.kafka.producer();
  await producer.connect();
  try {
    // both copies in one write: the bridge fetches them in one batch, before either is marked
    await producer.send({
      topic,
      messages: [0, 1].map(() => ({
        key: 'k',
        value: JSON.stringify({ copy: true }),
        headers: { [EVENT_ID_HEADER]: id },
      })),
    });
    await producer.send({ topic, messages: [{ key: 'k', value: JSON.stringify({ next: 1 }) }] });
  } finally {
    await producer.disconnect();
  }
  await waitFor(() => sink.acknowledged().length === 2, 'the copy and the next event');
  await sleep(300);
  const ids = sink.acknowledged().map((r) => String(r.headers['webhook-id']));
  assert.equal(ids.filter((x) => x === id).length, 1);
});
