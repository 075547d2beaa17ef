import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { call } from '../../helpers/api.ts';
import { startStackAndSink, stopAll, type TestStack } from '../../helpers/testStack.ts';
import { sleep, waitFor } from '../../helpers/waitFor.ts';
import type { Received, WebhookSink } from '../../helpers/webhookSink.ts';
import { groupIdOf } from '../../../libs/registry/types.ts';

let stack: TestStack;
let sink: WebhookSink;

before(async () => {
  ({ stack, sink } = await startStackAndSink({ bridge: true }));
  sink.delayMs = 20;
});

after(() => stopAll(stack, sink));

const payloadOf = (r: Received) => JSON.parse(r.body.toString()) as { key: string; seq: number };

test('key mode: keys run in parallel inside one partition, each key in order; a failing key holds back only itself and the commit', async () => {
  const topic = await stack.createTopic(1);
  const id = await stack.subscribe(topic, sink.url, { ordering: 'key', maxInFlight: 8 });
  let poisoned = true;
  sink.respond = (r) => (poisoned && payloadOf(r).key === 'poison' ? 500 : 200);

  const keys = ['poison', ...Array.from({ length: 19 }, (_, i) => `k${i}`)];
  const events = [];
  for (let seq = 0; seq < 10; seq++) {
    for (const key of keys) events.push({ key, payload: { key, seq } });
  }
  const res = await call<{ events: { offset: string }[] }>(
    stack.baseUrl,
    'POST',
    `/v1/topics/${topic}/events`,
    { events },
  );
  assert.equal(res.status, 202);
  const firstPoisonOffset = res.body.events[0]!.offset;

  const acked = (key: string) =>
    sink
      .acknowledged()
      .map(payloadOf)
      .filter((p) => p.key === key)
      .map((p) => p.seq);
  await waitFor(
    () => keys.slice(1).every((k) => acked(k).length === 10),
    'every healthy key delivered while "poison" fails',
  );
  assert.deepEqual(acked('poison'), [], 'the failing key is parked');
  assert.ok(sink.maxConcurrent > 1, `keys ran in parallel (${sink.maxConcurrent} at once)`);
  assert.ok(sink.maxConcurrent <= 8, `never above maxInFlight (${sink.maxConcurrent})`);
  for (const k of keys.slice(1))
    assert.deepEqual(acked(k), [...Array(10).keys()], `key ${k} in order`);
  await sleep(300);
  const held = await stack.rt.admin.committedOffsets(groupIdOf(id), topic);
  assert.equal(held['0'], firstPoisonOffset, 'commit held at the lowest unacknowledged offset');

  poisoned = false;
  await waitFor(() => acked('poison').length === 10, 'the parked key delivered after recovery');
  assert.deepEqual(acked('poison'), [...Array(10).keys()], 'and in order');
  await waitFor(async () => {
    const c = await stack.rt.admin.committedOffsets(groupIdOf(id), topic);
    return c['0'] === String(events.length);
  }, 'everything committed');
});

test('none mode: bounded concurrency, and a failing event retries without holding back the rest', async () => {
  sink.received.length = 0;
  sink.requests.length = 0;
  sink.maxConcurrent = 0;
  const topic = await stack.createTopic(1);
  const id = await stack.subscribe(topic, sink.url, { ordering: 'none', maxInFlight: 4 });
  let failures = 0;
  sink.respond = (r) => {
    if (payloadOf(r).seq === 0 && failures < 5) {
      failures++;
      return 503;
    }
    return 200;
  };
  const events = Array.from({ length: 60 }, (_, seq) => ({
    key: 'same',
    payload: { key: 'same', seq },
  }));
  await call(stack.baseUrl, 'POST', `/v1/topics/${topic}/events`, { events });
  await waitFor(() => sink.acknowledged().length === 60, 'all delivered');
  const order = sink.acknowledged().map((r) => payloadOf(r).seq);
  assert.notEqual(order[0], 0, 'the failing first event did not hold the others back');
  assert.equal(failures, 5);
  assert.ok(sink.maxConcurrent > 1 && sink.maxConcurrent <= 4, `concurrency ${sink.maxConcurrent}`);
  await waitFor(async () => {
    const c = await stack.rt.admin.committedOffsets(groupIdOf(id), topic);
    return c['0'] === '60';
  }, 'everything committed');
});
