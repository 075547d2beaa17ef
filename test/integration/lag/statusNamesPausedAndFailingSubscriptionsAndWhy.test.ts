import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { SubscriptionLag } from '../../../libs/lag/lagMonitor.ts';
import { call } from '../../helpers/api.ts';
import { scrape, sumOf } from '../../helpers/promText.ts';
import { startStackAndSink, stopAll, type TestStack } from '../../helpers/testStack.ts';
import { waitFor } from '../../helpers/waitFor.ts';
import type { WebhookSink } from '../../helpers/webhookSink.ts';

let stack: TestStack;
let sink: WebhookSink;

before(async () => {
  ({ stack, sink } = await startStackAndSink({
    bridge: true,
    env: { FANOUT_CIRCUIT_FAILURE_THRESHOLD: '3' },
  }));
});
after(() => stopAll(stack, sink));

const statusOf = async (id: string): Promise<SubscriptionLag> =>
  (await call<SubscriptionLag>(stack.baseUrl, 'GET', `/v1/subscriptions/${id}/status`)).body;
const produce = async (topic: string, n: number): Promise<void> => {
  const events = Array.from({ length: n }, (_, i) => ({ payload: { i } }));
  const res = await call(stack.baseUrl, 'POST', `/v1/topics/${topic}/events`, { events });
  assert.equal(res.status, 202);
};

test('a paused subscription is measured from its committed offsets: paused, its lag in messages and seconds, and why', async () => {
  const topic = await stack.createTopic(2);
  const id = await stack.subscribe(topic, sink.url);
  assert.equal((await call(stack.baseUrl, 'POST', `/v1/subscriptions/${id}/pause`)).status, 200);
  await produce(topic, 6);
  await waitFor(async () => (await statusOf(id)).lagMessages === 6, 'six events of lag');
  await waitFor(async () => (await statusOf(id)).lagSeconds >= 1, 'the oldest event ages');
  const s = await statusOf(id);
  assert.equal(s.status, 'paused');
  assert.equal(s.state, 'paused');
  assert.deepEqual(
    s.causes.map((c) => c.cause),
    ['paused'],
  );
  assert.equal(s.partitions.length, 2);
  assert.equal(
    s.partitions.reduce((a, p) => a + p.lagMessages, 0),
    6,
  );
  assert.ok(s.partitions.every((p) => p.lagMessages === 0 || p.oldestUndeliveredAt !== null));
  assert.equal(s.consumerGroup, `fanout.sub.${id}`);
  const metrics = await scrape(`${stack.baseUrl}/metrics`);
  assert.equal(
    sumOf(metrics, 'fanout_subscription_status', { subscription: id, status: 'paused' }),
    1,
  );
  assert.ok(sumOf(metrics, 'fanout_subscription_lag_seconds', { subscription: id }) >= 1);

  // resumed, it drains and the evaluation follows
  await call(stack.baseUrl, 'POST', `/v1/subscriptions/${id}/resume`);
  await waitFor(async () => {
    const now = await statusOf(id);
    return now.status === 'ok' && now.lagMessages === 0;
  }, 'drained after resume');
  // the gauges follow the evaluation (series are rewritten only when a figure changed)
  await waitFor(async () => {
    const now = await scrape(`${stack.baseUrl}/metrics`);
    return (
      sumOf(now, 'fanout_subscription_status', { subscription: id, status: 'ok' }) === 1 &&
      sumOf(now, 'fanout_subscription_status', { subscription: id, status: 'paused' }) === 0 &&
      sumOf(now, 'fanout_subscription_lag_messages', { subscription: id }) === 0
    );
  }, 'the gauges show it drained');

  // deleted, its lag series go
  const lagSeries = /^fanout_(subscription_|partition_|consumer_committed_offset)/;
  await call(stack.baseUrl, 'DELETE', `/v1/subscriptions/${id}`);
  await waitFor(
    async () =>
      !(await scrape(`${stack.baseUrl}/metrics`)).some(
        (m) => lagSeries.test(m.name) && m.labels.subscription === id,
      ),
    'no lag series left for the deleted subscription',
  );
});

test('an endpoint that is down opens the circuit: failing, with the circuit named as the cause', async () => {
  const topic = await stack.createTopic(1);
  const down = await stack.subscribe(topic, 'http://127.0.0.1:9/refused');
  await produce(topic, 4);
  await waitFor(async () => (await statusOf(down)).status === 'failing', 'failing', 30_000);
  const s = await statusOf(down);
  assert.ok(
    s.causes.some((c) => c.cause === 'circuit_open'),
    JSON.stringify(s.causes),
  );
  assert.equal(s.lagMessages, 4);
  const metrics = await scrape(`${stack.baseUrl}/metrics`);
  assert.equal(sumOf(metrics, 'fanout_circuit_open', { subscription: down }), 1);
  assert.ok(
    sumOf(metrics, 'fanout_delivery_attempts_total', { subscription: down, outcome: 'network' }) >=
      3,
  );
});

test('status of a bad or unknown id is a JSON 4xx naming the field', async () => {
  const bad = await call<{ error: { code: string; field: string } }>(
    stack.baseUrl,
    'GET',
    '/v1/subscriptions/not-an-id/status',
  );
  assert.equal(bad.status, 400);
  assert.equal(bad.body.error.field, 'id');
  const unknown = await call<{ error: { code: string } }>(
    stack.baseUrl,
    'GET',
    '/v1/subscriptions/00000000-0000-4000-8000-000000000000/status',
  );
  assert.equal(unknown.status, 404);
  assert.equal(unknown.body.error.code, 'FANOUT_SUBSCRIPTION_NOT_FOUND');
  const history = await call(stack.baseUrl, 'GET', '/v1/lag?history=maybe');
  assert.equal(history.status, 400);
  const all = await call<{ subscriptions: (SubscriptionLag & { history: unknown[] })[] }>(
    stack.baseUrl,
    'GET',
    '/v1/lag?history=true',
  );
  assert.equal(all.status, 200);
  // the failing subscription of the test before (the paused one's was deleted)
  assert.ok(all.body.subscriptions.length >= 1);
  assert.ok(all.body.subscriptions.every((s) => Array.isArray(s.history)));
});
