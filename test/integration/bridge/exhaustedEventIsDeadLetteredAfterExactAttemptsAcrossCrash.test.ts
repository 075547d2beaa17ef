import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { call } from '../../helpers/api.ts';
import { header, readTopic } from '../../helpers/readTopic.ts';
import { ServiceProcess } from '../../helpers/serviceProcess.ts';
import { startTestStack, type TestStack } from '../../helpers/testStack.ts';
import { waitFor } from '../../helpers/waitFor.ts';
import { WebhookSink } from '../../helpers/webhookSink.ts';

let stack: TestStack;
let sink: WebhookSink;
const first = new ServiceProcess('bridge');
const second = new ServiceProcess('bridge');

before(async () => {
  stack = await startTestStack({ bridge: false });
  sink = await new WebhookSink().start();
});

after(async () => {
  await first.kill('SIGKILL');
  await second.kill('SIGKILL');
  await stack?.stop();
  await sink?.stop();
});

test('an event that keeps failing reaches the dead-letter topic after exactly maxAttempts, although the bridge died mid-retry', async () => {
  const topic = await stack.createTopic(1);
  const id = await stack.subscribe(topic, sink.url, {
    retry: { initialDelayMs: 200, maxDelayMs: 200, multiplier: 1, maxAttempts: 5 },
  });
  // The poison event fails every time; its second attempt never gets an answer, and the
  // bridge is SIGKILLed while it waits. The event after it is fine.
  sink.respond = (r) => {
    const body = JSON.parse(r.body.toString()) as { poison?: boolean };
    if (!body.poison) return 200;
    return r.headers['fanout-attempt'] === '2' ? 'hang' : 500;
  };
  const res = await call<{ events: { id: string; offset: string }[] }>(
    stack.baseUrl,
    'POST',
    `/v1/topics/${topic}/events`,
    { events: [{ payload: { poison: true } }, { payload: { poison: false } }] },
  );
  assert.equal(res.status, 202);
  const poisonId = res.body.events[0]!.id;
  const poisonAttempts = (): string[] =>
    sink.requests
      .filter((r) => r.headers['webhook-id'] === poisonId)
      .map((r) => String(r.headers['fanout-attempt']));

  await first.start('bridge started');
  await waitFor(() => poisonAttempts().length >= 2, 'second attempt under way');
  await first.kill('SIGKILL');

  // another bridge process takes the partition over once the dead member's session expires
  await second.start('bridge started');
  const [dead] = await readTopic(stack.rt.kafka, `fanout.dlq.${id}`, 1, 60_000);
  await waitFor(() => sink.acknowledged().length === 1, 'the next event delivered');

  assert.deepEqual(poisonAttempts(), ['1', '2', '3', '4', '5'], 'five attempts, none repeated');
  assert.equal(header(dead!, 'fanout-event-id'), poisonId);
  assert.equal(header(dead!, 'fanout-dlq-attempts'), '5');
  assert.equal(header(dead!, 'fanout-dlq-last-status'), '500');
  assert.equal(header(dead!, 'fanout-dlq-original-topic'), topic);
  assert.equal(header(dead!, 'fanout-dlq-original-partition'), '0');
  assert.equal(header(dead!, 'fanout-dlq-original-offset'), res.body.events[0]!.offset);
  assert.deepEqual(JSON.parse(dead!.value!.toString()), { poison: true });
  assert.equal(
    (await stack.rt.pool.query('SELECT 1 FROM retry_state WHERE subscription_id = $1', [id]))
      .rowCount,
    0,
    'retry state cleared once settled',
  );
  await second.kill('SIGTERM');
});
