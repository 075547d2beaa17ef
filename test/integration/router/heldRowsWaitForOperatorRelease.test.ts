import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import type { SubscriptionLag } from '../../../libs/lag/lagMonitor.ts';
import { call } from '../../helpers/api.ts';
import { header, readTopic } from '../../helpers/readTopic.ts';
import { pinAndWait, routingOf, startWriteFanoutStack } from '../../helpers/routing.ts';
import { stopAll, type TestStack } from '../../helpers/testStack.ts';
import { heldEventsOf, waitForOneHeld } from '../../helpers/heldEvents.ts';
import { sleep, waitFor, waitForValue } from '../../helpers/waitFor.ts';
import type { Received, WebhookSink } from '../../helpers/webhookSink.ts';
import { deadLetterTopicOf } from '../../../libs/registry/types.ts';

// `onExhausted: hold` in write fan-out behaves as it does in a bridge
// (test/integration/bridge/heldKeyWaitsForOperatorRelease.test.ts), through the same API.

let stack: TestStack;
let sink: WebhookSink;

before(async () => {
  ({ stack, sink } = await startWriteFanoutStack());
});

after(() => stopAll(stack, sink));

beforeEach(() => {
  sink.received.length = 0;
  sink.requests.length = 0;
});

const payloadOf = (r: Received) => JSON.parse(r.body.toString()) as { key: string; seq: number };
const acked = (key: string) =>
  sink
    .acknowledged()
    .map(payloadOf)
    .filter((p) => p.key === key)
    .map((p) => p.seq);
const tries = (key: string) => sink.requests.filter((r) => payloadOf(r).key === key).length;

const heldOne = (id: string) => waitForOneHeld(stack.baseUrl, id);

async function writeFanoutSubscription(ordering: 'key' | 'partition', maxAttempts: number) {
  const topic = await stack.createTopic(1);
  const id = await stack.subscribe(topic, sink.url, {
    ordering,
    maxInFlight: 1,
    onExhausted: 'hold',
    retry: { initialDelayMs: 20, maxDelayMs: 50, maxAttempts },
  });
  await pinAndWait(stack.baseUrl, topic, 'write');
  return { topic, id };
}

test('write fan-out, key ordering: the exhausted key is parked until released, the others flow, and retry delivers it in order', async () => {
  const { topic, id } = await writeFanoutSubscription('key', 3);
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
  const held = await heldOne(id);
  assert.equal(held.items[0]!.key, 'bad');
  assert.equal(held.items[0]!.attempts, 3);
  assert.equal(held.items[0]!.lastStatus, 500);
  assert.equal(tries('bad'), 3, 'exactly the configured attempts, then held');
  // operators see why it lags, as for a bridge's held event
  await waitForValue(async () => {
    const status = await call<SubscriptionLag>(
      stack.baseUrl,
      'GET',
      `/v1/subscriptions/${id}/status`,
    );
    return status.body.causes.some((c) => c.cause === 'held_for_operator') ? true : undefined;
  }, 'held_for_operator among the lag causes');
  await sleep(1000);
  assert.equal(tries('bad'), 3, 'a held row is not leased again on its own');
  assert.equal((await routingOf(stack.baseUrl, topic)).state, 'write');

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
  assert.equal(
    tries('bad'),
    3 + 5,
    'a fresh budget: one more try for the held event, then the rest',
  );
  assert.equal((await heldEventsOf(stack.baseUrl, id)).total, 0);
});

test('write fan-out, partition ordering: a held row stops its partition; released to the dead letters, it is written there once and the rest is delivered', async () => {
  const { topic, id } = await writeFanoutSubscription('partition', 2);
  sink.respond = (r) => (payloadOf(r).seq === 0 ? 503 : 200);
  const events = [0, 1, 2].map((seq) => ({ key: 'k', payload: { key: 'k', seq } }));
  await call(stack.baseUrl, 'POST', `/v1/topics/${topic}/events`, { events });
  const held = await heldOne(id);
  await sleep(500);
  assert.deepEqual(acked('k'), [], 'the whole partition waits behind it');
  assert.equal(tries('k'), 2);

  await call(stack.baseUrl, 'POST', `/v1/subscriptions/${id}/held/release`, {
    eventIds: [held.items[0]!.eventId],
    action: 'dead-letter',
  });
  await waitFor(() => acked('k').length === 2, 'the rest delivered');
  assert.deepEqual(acked('k'), [1, 2]);
  assert.equal(tries('k'), 2 + 2, 'the released event is not tried again');
  const [dead] = await readTopic(stack.rt.kafka, deadLetterTopicOf(id), 1);
  assert.equal(JSON.parse(dead!.value!.toString()).seq, 0);
  assert.equal(header(dead!, 'fanout-dlq-attempts'), '2');
  assert.equal(header(dead!, 'fanout-dlq-last-status'), '503');
});

test('a topic with a held row still moves back to read fan-out: the bridge holds the same event under the same record and the release reaches it', async () => {
  const { topic, id } = await writeFanoutSubscription('partition', 2);
  let broken = true;
  sink.respond = (r) => (broken && payloadOf(r).seq === 0 ? 503 : 200);
  const events = [0, 1, 2].map((seq) => ({ key: 'k', payload: { key: 'k', seq } }));
  await call(stack.baseUrl, 'POST', `/v1/topics/${topic}/events`, { events });
  const held = await heldOne(id);

  await pinAndWait(stack.baseUrl, topic, 'read');
  // the bridge reads from the held event again and, its budget spent once more, waits on the record
  await waitFor(() => tries('k') >= 4, 'the bridge tried the held event');
  const stillHeld = await heldOne(id);
  assert.equal(stillHeld.items[0]!.eventId, held.items[0]!.eventId);
  assert.deepEqual(acked('k'), []);

  broken = false;
  await call(stack.baseUrl, 'POST', `/v1/subscriptions/${id}/held/release`, { action: 'retry' });
  await waitFor(() => acked('k').length === 3, 'delivered by the bridge after the release');
  assert.deepEqual(acked('k'), [0, 1, 2], 'in order, each once');
});
