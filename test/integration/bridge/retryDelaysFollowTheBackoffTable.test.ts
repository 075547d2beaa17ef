import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { call } from '../../helpers/api.ts';
import { readTopic } from '../../helpers/readTopic.ts';
import { startStackAndSink, stopAll, type TestStack } from '../../helpers/testStack.ts';
import { waitFor } from '../../helpers/waitFor.ts';
import { WebhookSink, type Received } from '../../helpers/webhookSink.ts';
import { deadLetterTopicOf } from '../../../libs/registry/types.ts';

let stack: TestStack;
let sink: WebhookSink;
const alerts = new WebhookSink();

before(async () => {
  await alerts.start();
  ({ stack, sink } = await startStackAndSink({
    bridge: true,
    env: { FANOUT_ALERT_WEBHOOK_URL: alerts.url },
  }));
});

after(() => stopAll(stack, sink, alerts));

const retry = { initialDelayMs: 200, maxDelayMs: 800, multiplier: 2 };
// full jitter: the wait before attempt k+1 is drawn from [0, min(max, initial × 2^(k-1))]
const ceiling = (k: number): number =>
  Math.min(retry.maxDelayMs, retry.initialDelayMs * retry.multiplier ** (k - 1));
// what the test itself adds to a wait: scheduling, the HTTP round trip, a busy machine
const SLACK_MS = 250;

const to = (name: string) => (r: Received) => r.path === `/hook/${name}`;

test('an endpoint that fails 4 times then recovers gets exactly 5 attempts, spaced within the backoff table; one that always fails gets maxAttempts, then the dead-letter topic (made then) and an alert', async () => {
  const topic = await stack.createTopic(1);
  const recovering = await stack.subscribe(topic, `${sink.url}/recovering`, {
    retry: { ...retry, maxAttempts: 10 },
  });
  const failing = await stack.subscribe(topic, `${sink.url}/failing`, {
    retry: { ...retry, maxAttempts: 4 },
  });
  let recoveringCalls = 0;
  sink.respond = (r) => {
    if (r.path === '/hook/failing') return 503;
    return ++recoveringCalls <= 4 ? 500 : 200;
  };
  await call(stack.baseUrl, 'POST', `/v1/topics/${topic}/events`, { payload: { n: 1 } });

  await waitFor(() => sink.acknowledged().some(to('recovering')), 'recovered delivery');
  const attempts = sink.requests.filter(to('recovering'));
  assert.equal(attempts.length, 5, 'exactly 4 failures and the success');
  const table = attempts.slice(1).map((r, i) => ({
    attempt: i + 2,
    ceilingMs: ceiling(i + 1),
    observedMs: r.at - attempts[i]!.at,
    header: r.headers['fanout-attempt'],
  }));
  console.log(JSON.stringify({ backoff: table }));
  for (const row of table) {
    assert.equal(row.header, String(row.attempt));
    assert.ok(
      row.observedMs <= row.ceilingMs + SLACK_MS,
      `attempt ${row.attempt} came ${row.observedMs} ms after the last (ceiling ${row.ceilingMs})`,
    );
  }

  const [dead] = await readTopic(stack.rt.kafka, deadLetterTopicOf(failing), 1);
  assert.equal(String(dead!.headers!['fanout-dlq-attempts']), '4');
  assert.equal(sink.requests.filter(to('failing')).length, 4, 'exactly maxAttempts attempts');
  await waitFor(
    () =>
      alerts.requests.some((r) => {
        const a = JSON.parse(r.body.toString()) as { type: string; subscriptionId: string };
        return a.type === 'events_dead_lettered' && a.subscriptionId === failing;
      }),
    'a dead-letter alert at the alert webhook',
  );
  assert.ok(
    !alerts.requests.some(
      (r) =>
        (JSON.parse(r.body.toString()) as { subscriptionId: string }).subscriptionId === recovering,
    ),
    'no alert for the subscription that recovered',
  );
  // dead-letter topics are made at the first dead letter, not with the subscription
  assert.equal(await stack.rt.admin.partitionCount(deadLetterTopicOf(failing)), 1);
  assert.equal(await stack.rt.admin.partitionCount(deadLetterTopicOf(recovering)), undefined);
});
