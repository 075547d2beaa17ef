import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { call } from '../../helpers/api.ts';
import { startTestStack, type TestStack } from '../../helpers/testStack.ts';
import { sleep, waitFor } from '../../helpers/waitFor.ts';
import { WebhookSink } from '../../helpers/webhookSink.ts';

let stack: TestStack;
let failing: WebhookSink;
let healthy: WebhookSink;
let alerts: WebhookSink;

before(async () => {
  alerts = await new WebhookSink().start();
  stack = await startTestStack({
    bridge: true,
    env: { FANOUT_CIRCUIT_FAILURE_THRESHOLD: '3', FANOUT_ALERT_WEBHOOK_URL: alerts.url },
  });
  failing = await new WebhookSink().start();
  healthy = await new WebhookSink().start();
});

after(async () => {
  await stack?.stop();
  for (const s of [failing, healthy, alerts]) await s?.stop();
});

const stateOf = async (id: string): Promise<string> =>
  String((await call(stack.baseUrl, 'GET', `/v1/subscriptions/${id}`)).body.state);
const alertTypes = (): string[] =>
  alerts
    .acknowledged()
    .map((r) => String((JSON.parse(r.body.toString()) as { type: string }).type));

test('repeated failures open the circuit: it probes at growing intervals, alerts, and closes on success; other subscriptions flow', async () => {
  const topic = await stack.createTopic(2);
  const bad = await stack.subscribe(topic, failing.url);
  await stack.subscribe(topic, healthy.url);
  let down = true;
  failing.respond = () => (down ? 500 : 200);

  const events = Array.from({ length: 20 }, (_, i) => ({ key: `k${i}`, payload: { i } }));
  await call(stack.baseUrl, 'POST', `/v1/topics/${topic}/events`, { events });

  await waitFor(async () => (await stateOf(bad)) === 'failing', 'circuit open, state failing');
  await waitFor(() => alertTypes().includes('circuit_opened'), 'alert webhook called');
  const opened = JSON.parse(alerts.acknowledged()[0]!.body.toString()) as {
    subscriptionId: string;
  };
  assert.equal(opened.subscriptionId, bad);

  // with the circuit open only probes go out: 1 s, then 2 s apart
  const before = failing.requests.length;
  await sleep(2500);
  const whileOpen = failing.requests.length - before;
  assert.ok(
    whileOpen <= 2,
    `${whileOpen} requests in 2.5 s while open (fast retries would send dozens)`,
  );

  await waitFor(
    () => healthy.acknowledged().length === 20,
    'the healthy subscription got everything',
  );

  down = false;
  await waitFor(
    () => failing.acknowledged().length === 20,
    'everything delivered after recovery',
    30_000,
  );
  await waitFor(async () => (await stateOf(bad)) === 'active', 'circuit closed, state active');
  await waitFor(() => alertTypes().includes('circuit_closed'), 'closing alert');
});

test('pause stops deliveries until resume, while other subscriptions go on', async () => {
  failing.received.length = 0;
  healthy.received.length = 0;
  failing.respond = () => 200;
  const topic = await stack.createTopic(1);
  const paused = await stack.subscribe(topic, failing.url);
  await stack.subscribe(topic, healthy.url);
  // two subscriptions from the test before, two from this one
  await waitFor(() => stack.bridge!.workerCount === 4, 'all four workers running');

  const res = await call(stack.baseUrl, 'POST', `/v1/subscriptions/${paused}/pause`);
  assert.equal(res.status, 200);
  assert.equal(res.body.state, 'paused');
  await waitFor(() => stack.bridge!.workerCount === 3, 'the paused worker stopped');
  const events = Array.from({ length: 5 }, (_, i) => ({ payload: { i } }));
  await call(stack.baseUrl, 'POST', `/v1/topics/${topic}/events`, { events });
  await waitFor(() => healthy.acknowledged().length === 5, 'the other subscription got them');
  await sleep(1000);
  assert.equal(failing.acknowledged().length, 0, 'nothing delivered while paused');

  const resumed = await call(stack.baseUrl, 'POST', `/v1/subscriptions/${paused}/resume`);
  assert.equal(resumed.body.state, 'active');
  await waitFor(() => failing.acknowledged().length === 5, 'delivered after resume');
});
