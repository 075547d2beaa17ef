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

const produce = (topic: string, n: number) =>
  call(stack.baseUrl, 'POST', `/v1/topics/${topic}/events`, { payload: { n } });

test('429 with Retry-After holds the retry back at least that long', async () => {
  const topic = await stack.createTopic(1);
  await stack.subscribe(topic, sink.url, { retry: { initialDelayMs: 10, maxDelayMs: 20 } });
  let calls = 0;
  sink.respond = () => (++calls === 1 ? { status: 429, headers: { 'retry-after': '1' } } : 200);
  assert.equal((await produce(topic, 1)).status, 202);
  await waitFor(() => sink.acknowledged().length === 1, 'delivered after the 429');
  const [firstTry, secondTry] = sink.requests;
  const gap = secondTry!.at - firstTry!.at;
  assert.ok(gap >= 950, `waited ${gap} ms, Retry-After said 1 s (backoff alone: under 20 ms)`);
  assert.equal(secondTry!.headers['fanout-attempt'], '2');
});

test('410 Gone disables the subscription with its reason; re-enabling resumes at the same event', async () => {
  sink.requests.length = 0;
  sink.received.length = 0;
  const topic = await stack.createTopic(1);
  const id = await stack.subscribe(topic, sink.url);
  await waitFor(() => stack.bridge!.workerCount === 2, 'worker started');
  let gone = true;
  sink.respond = () => (gone ? 410 : 200);
  assert.equal((await produce(topic, 1)).status, 202);

  await waitFor(async () => {
    const sub = await call(stack.baseUrl, 'GET', `/v1/subscriptions/${id}`);
    return sub.body.state === 'disabled';
  }, 'subscription disabled');
  const sub = await call(stack.baseUrl, 'GET', `/v1/subscriptions/${id}`);
  assert.match(String(sub.body.disabledReason), /410/);
  await waitFor(
    () => stack.bridge!.workerCount === 1,
    'worker of the disabled subscription stopped',
  );
  const triedBefore = sink.requests.length;
  assert.equal((await produce(topic, 2)).status, 202);
  await sleep(1500);
  assert.equal(sink.requests.length, triedBefore, 'nothing is sent to a disabled subscription');

  gone = false;
  const patched = await call(stack.baseUrl, 'PATCH', `/v1/subscriptions/${id}`, {
    state: 'active',
  });
  assert.equal(patched.status, 200);
  assert.equal(patched.body.state, 'active');
  assert.equal(patched.body.disabledReason, undefined);
  await waitFor(() => sink.acknowledged().length === 2, 'both events delivered after re-enabling');
  assert.deepEqual(
    sink.acknowledged().map((r) => JSON.parse(r.body.toString())),
    [{ n: 1 }, { n: 2 }],
  );
});

test('PATCH changes the retry policy and validates it, naming the field', async () => {
  const topic = await stack.createTopic(1);
  const id = await stack.subscribe(topic, sink.url);
  const ok = await call(stack.baseUrl, 'PATCH', `/v1/subscriptions/${id}`, {
    retry: { maxAttempts: 3, maxAgeMs: null },
    timeoutMs: 1500,
  });
  assert.equal(ok.status, 200);
  assert.deepEqual(ok.body.retry, {
    initialDelayMs: 50,
    maxDelayMs: 400,
    multiplier: 2,
    maxAttempts: 3,
    maxAgeMs: null,
  });
  assert.equal(ok.body.timeoutMs, 1500);
  const cases: [unknown, string][] = [
    [{ retry: { maxAttempts: 0 } }, 'retry.maxAttempts'],
    [{ retry: { maxAttempts: null, maxAgeMs: null } }, 'retry.maxAttempts'],
    [{ retry: { initialDelayMs: 5000, maxDelayMs: 100 } }, 'retry.initialDelayMs'],
    [{ retry: { multiplier: 'x' } }, 'retry.multiplier'],
    [{ retry: { jitter: true } }, 'retry.jitter'],
    [{ timeoutMs: 5 }, 'timeoutMs'],
    [{ state: 'disabled' }, 'state'],
    [{ endpoint: 'ftp://x' }, 'endpoint'],
    [{ topic: 'other' }, 'topic'],
  ];
  for (const [body, field] of cases) {
    const res = await call<{ error: { field: string; code: string } }>(
      stack.baseUrl,
      'PATCH',
      `/v1/subscriptions/${id}`,
      body,
    );
    assert.equal(res.status, 400, JSON.stringify(body));
    assert.equal(res.body.error.code, 'FANOUT_VALIDATION');
    assert.equal(res.body.error.field, field, JSON.stringify(body));
  }
});
