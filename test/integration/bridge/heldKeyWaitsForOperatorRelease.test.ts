import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { call } from '../../helpers/api.ts';
import { readTopic } from '../../helpers/readTopic.ts';
import { startStackAndSink, stopAll, type TestStack } from '../../helpers/testStack.ts';
import { heldEventsOf, waitForOneHeld } from '../../helpers/heldEvents.ts';
import { sleep, waitFor } from '../../helpers/waitFor.ts';
import type { Received, WebhookSink } from '../../helpers/webhookSink.ts';
import { deadLetterTopicOf } from '../../../libs/registry/types.ts';

let stack: TestStack;
let sink: WebhookSink;

before(async () => {
  ({ stack, sink } = await startStackAndSink({ bridge: true }));
});

after(() => stopAll(stack, sink));

const payloadOf = (r: Received) => JSON.parse(r.body.toString()) as { key: string; seq: number };
const acked = (key: string) =>
  sink
    .acknowledged()
    .map(payloadOf)
    .filter((p) => p.key === key)
    .map((p) => p.seq);

test('onExhausted hold: the exhausted key stays parked (even with every in-flight slot otherwise free) until released, then goes on in order', async () => {
  const topic = await stack.createTopic(1);
  // maxInFlight 1: a parked key must not keep its slot, or nothing else could flow
  const id = await stack.subscribe(topic, sink.url, {
    ordering: 'key',
    maxInFlight: 1,
    onExhausted: 'hold',
    retry: { initialDelayMs: 20, maxDelayMs: 50, maxAttempts: 3 },
  });
  let broken = true;
  sink.respond = (r) => (broken && payloadOf(r).key === 'bad' ? 500 : 200);
  const events = [];
  for (let seq = 0; seq < 5; seq++) {
    for (const key of ['bad', 'a', 'b']) events.push({ key, payload: { key, seq } });
  }
  await call(stack.baseUrl, 'POST', `/v1/topics/${topic}/events`, { events });

  await waitFor(
    () => acked('a').length === 5 && acked('b').length === 5,
    'other keys flow past the held one',
  );
  const held = await waitForOneHeld(stack.baseUrl, id);
  assert.equal(held.items[0]!.key, 'bad');
  assert.equal(held.items[0]!.attempts, 3);
  assert.equal(held.items[0]!.lastStatus, 500);
  const triesBefore = sink.requests.filter((r) => payloadOf(r).key === 'bad').length;
  assert.equal(triesBefore, 3, 'exactly the configured attempts, then held');
  await sleep(1000);
  assert.equal(
    sink.requests.filter((r) => payloadOf(r).key === 'bad').length,
    3,
    'a held event is not tried again on its own',
  );

  broken = false;
  const released = await call<{ released: number }>(
    stack.baseUrl,
    'POST',
    `/v1/subscriptions/${id}/held/release`,
    { action: 'retry' },
  );
  assert.equal(released.status, 202);
  assert.equal(released.body.released, 1);
  await waitFor(() => acked('bad').length === 5, 'the released key delivered');
  assert.deepEqual(acked('bad'), [0, 1, 2, 3, 4], 'in order');
  assert.equal((await heldEventsOf(stack.baseUrl, id)).total, 0);
});

test('a held event released with action dead-letter goes to the dead-letter topic and its key moves on', async () => {
  sink.received.length = 0;
  sink.requests.length = 0;
  const topic = await stack.createTopic(1);
  const id = await stack.subscribe(topic, sink.url, {
    onExhausted: 'hold',
    retry: { initialDelayMs: 20, maxDelayMs: 50, maxAttempts: 2 },
  });
  sink.respond = (r) => (payloadOf(r).seq === 0 ? 503 : 200);
  const events = [0, 1, 2].map((seq) => ({ key: 'k', payload: { key: 'k', seq } }));
  await call(stack.baseUrl, 'POST', `/v1/topics/${topic}/events`, { events });
  const held = await waitForOneHeld(stack.baseUrl, id);
  assert.deepEqual(acked('k'), [], 'partition mode: the whole partition waits behind it');

  const bad = await call(stack.baseUrl, 'POST', `/v1/subscriptions/${id}/held/release`, {
    action: 'drop',
  });
  assert.equal(bad.status, 400);
  assert.equal((bad.body as { error: { field: string } }).error.field, 'action');

  await call(stack.baseUrl, 'POST', `/v1/subscriptions/${id}/held/release`, {
    eventIds: [held.items[0]!.eventId],
    action: 'dead-letter',
  });
  await waitFor(() => acked('k').length === 2, 'the rest delivered');
  assert.deepEqual(acked('k'), [1, 2]);
  const [dead] = await readTopic(stack.rt.kafka, deadLetterTopicOf(id), 1);
  assert.equal(JSON.parse(dead!.value!.toString()).seq, 0);
});
