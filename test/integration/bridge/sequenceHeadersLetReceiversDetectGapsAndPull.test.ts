import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { startBridge, type RunningBridge } from '../../../services/bridge/startBridge.ts';
import { call } from '../../helpers/api.ts';
import { startStackAndSink, stopAll, type TestStack } from '../../helpers/testStack.ts';
import { FAST_RETRY } from '../../helpers/testEnv.ts';
import {
  assertSequenceChains,
  headerOf,
  KEEP_FILTER,
  keepOrSkipEvents,
  keptBelow,
} from '../../helpers/sequenceDeliveries.ts';
import { waitFor } from '../../helpers/waitFor.ts';
import type { Received, WebhookSink } from '../../helpers/webhookSink.ts';

let stack: TestStack;
let sink: WebhookSink;
let bridge: RunningBridge | undefined;

before(async () => ({ stack, sink } = await startStackAndSink({ bridge: false })));

after(async () => {
  await bridge?.stop();
  await stopAll(stack, sink);
});

const header = headerOf;
const payloadOf = (r: Received) => JSON.parse(r.body.toString()) as { n: number; type: string };

test("fanout-seq counts each partition's deliveries and fanout-prev-id chains them, across a bridge restart and past filtered events; a receiver pulls what it missed, signed", async () => {
  const topic = await stack.createTopic(2);
  const created = await call(stack.baseUrl, 'POST', '/v1/subscriptions', {
    topic,
    endpoint: sink.url,
    filter: KEEP_FILTER,
    ...FAST_RETRY,
  });
  assert.equal(created.status, 201);
  const id = String(created.body.id);
  const secret = String(created.body.secret);
  bridge = await startBridge(stack.rt);

  // every third event is filtered out: it takes no sequence number
  const produce = async (from: number, to: number) => {
    const events = keepOrSkipEvents(from, to);
    const res = await call(stack.baseUrl, 'POST', `/v1/topics/${topic}/events`, { events });
    assert.equal(res.status, 202);
  };
  const kept = keptBelow;

  await produce(0, 30);
  await waitFor(() => sink.acknowledged().length === kept(30), 'first half delivered');
  // a graceful restart: the next bridge continues each partition's sequence where it stood
  await bridge.stop();
  bridge = await startBridge(stack.rt);
  await produce(30, 60);
  await waitFor(() => sink.acknowledged().length === kept(60), 'second half delivered');

  for (const r of sink.acknowledged()) assert.equal(payloadOf(r).type, 'keep');
  const byPartition = assertSequenceChains(sink.acknowledged());
  assert.equal(byPartition.size, 2);

  // a receiver that lost everything after its third delivery of partition 0 pulls the rest
  const p0 = byPartition.get('0')!;
  const res = await fetch(
    `${stack.baseUrl}/v1/subscriptions/${id}/events?partition=0&after=${header(p0[2]!, 'fanout-offset')}`,
  );
  assert.equal(res.status, 200);
  const text = await res.text();
  new Webhook(secret).verify(text, {
    'webhook-id': res.headers.get('webhook-id')!,
    'webhook-timestamp': res.headers.get('webhook-timestamp')!,
    'webhook-signature': res.headers.get('webhook-signature')!,
  });
  const pulled = JSON.parse(text) as {
    events: { id: string; offset: string; payload: { n: number } }[];
    next: string | null;
  };
  assert.deepEqual(
    pulled.events.map((e) => e.id),
    p0.slice(3).map((r) => header(r, 'webhook-id')),
    'exactly the deliveries after the one it had, filtered like them',
  );
  assert.equal(pulled.next, null);

  const paged = await call<{ events: { id: string }[]; next: string }>(
    stack.baseUrl,
    'GET',
    `/v1/subscriptions/${id}/events?partition=0&limit=2`,
  );
  assert.equal(paged.status, 200);
  assert.ok(paged.body.events.length <= 2);
  assert.notEqual(paged.body.next, null, 'a page that stops short says where to go on');

  const bad = await call<{ error: { field: string } }>(
    stack.baseUrl,
    'GET',
    `/v1/subscriptions/${id}/events?partition=7`,
  );
  assert.equal(bad.status, 400);
  assert.equal(bad.body.error.field, 'partition');
});
