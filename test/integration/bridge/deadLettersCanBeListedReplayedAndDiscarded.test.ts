import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { call } from '../../helpers/api.ts';
import { startStackAndSink, stopAll, type TestStack } from '../../helpers/testStack.ts';
import { sleep, waitFor } from '../../helpers/waitFor.ts';
import type { WebhookSink } from '../../helpers/webhookSink.ts';

let stack: TestStack;
let sink: WebhookSink;

before(async () => ({ stack, sink } = await startStackAndSink({ bridge: true })));

after(() => stopAll(stack, sink));

interface Page {
  total: number;
  next?: string;
  items: {
    id: string;
    eventId: string;
    status: string;
    payload: { n: number; poison: boolean };
    attempts: number;
    lastStatus: number;
    original: { topic: string; partition: number; offset: string };
  }[];
}

test('dead letters can be counted, listed by page, discarded and replayed through the endpoint', async () => {
  const topic = await stack.createTopic(1);
  const id = await stack.subscribe(topic, sink.url, {
    retry: { initialDelayMs: 20, maxDelayMs: 40, maxAttempts: 2 },
  });
  let healed = false;
  sink.respond = (r) =>
    !healed && (JSON.parse(r.body.toString()) as { poison: boolean }).poison ? 500 : 200;
  const events = [0, 1, 2, 3, 4].map((n) => ({ payload: { n, poison: n % 2 === 0 } }));
  const produced = await call<{ events: { id: string }[] }>(
    stack.baseUrl,
    'POST',
    `/v1/topics/${topic}/events`,
    { events },
  );
  const base = `/v1/subscriptions/${id}/dead-letters`;
  await waitFor(
    async () => (await call<Page>(stack.baseUrl, 'GET', base)).body.total === 3,
    'three dead letters',
  );
  await waitFor(() => sink.acknowledged().length === 2, 'the healthy events delivered');

  const first = await call<Page>(stack.baseUrl, 'GET', `${base}?limit=2`);
  assert.equal(first.body.items.length, 2);
  assert.ok(first.body.next);
  const second = await call<Page>(stack.baseUrl, 'GET', `${base}?limit=2&after=${first.body.next}`);
  assert.equal(second.body.items.length, 1);
  const all = [...first.body.items, ...second.body.items];
  assert.deepEqual(
    all.map((d) => d.payload.n),
    [0, 2, 4],
  );
  assert.deepEqual(
    all.map((d) => d.eventId),
    [0, 2, 4].map((n) => produced.body.events[n]!.id),
  );
  for (const d of all) {
    assert.equal(d.attempts, 2);
    assert.equal(d.lastStatus, 500);
    assert.equal(d.original.topic, topic);
  }

  const discarded = await call(stack.baseUrl, 'POST', `${base}/discard`, { ids: [all[0]!.id] });
  assert.deepEqual(discarded.body, { discarded: 1 });
  healed = true;
  const replay = await call(stack.baseUrl, 'POST', `${base}/replay`);
  assert.equal(replay.status, 202);
  assert.deepEqual(replay.body, { requested: 2 });
  await waitFor(
    async () =>
      (await call<Page>(stack.baseUrl, 'GET', `${base}?status=replayed`)).body.total === 2,
    'both replayed',
  );
  const replayed = sink.acknowledged().filter((r) => r.headers['fanout-replay'] === 'dead-letter');
  assert.deepEqual(
    replayed.map((r) => (JSON.parse(r.body.toString()) as { n: number }).n).sort(),
    [2, 4],
  );
  assert.equal((await call<Page>(stack.baseUrl, 'GET', base)).body.total, 0);
  assert.equal((await call<Page>(stack.baseUrl, 'GET', `${base}?status=discarded`)).body.total, 1);
  await sleep(300);
  assert.ok(
    !sink.acknowledged().some((r) => (JSON.parse(r.body.toString()) as { n: number }).n === 0),
    'the discarded one was never delivered',
  );
  const bad = await call<{ error: { field: string } }>(stack.baseUrl, 'POST', `${base}/replay`, {
    ids: ['x'],
  });
  assert.equal(bad.status, 400);
  assert.equal(bad.body.error.field, 'ids[0]');
});
