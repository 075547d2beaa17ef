import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { call } from '../../helpers/api.ts';
import { assertInOrderWithReplays } from '../../helpers/deliveryLedger.ts';
import { pinAndWait, routingOf } from '../../helpers/routing.ts';
import { startTestStack, type TestStack } from '../../helpers/testStack.ts';
import { waitFor } from '../../helpers/waitFor.ts';
import { WebhookSink } from '../../helpers/webhookSink.ts';

let stack: TestStack;
let steady: WebhookSink;
let flaky: WebhookSink;

before(async () => {
  stack = await startTestStack({
    bridge: true,
    router: true,
    env: {
      FANOUT_ROUTER_AUTO: 'false',
      FANOUT_ROUTER_DECIDE_INTERVAL_MS: '300',
      FANOUT_DELIVERY_POLL_MS: '50',
    },
  });
  steady = await new WebhookSink().start();
  flaky = await new WebhookSink().start();
});

after(async () => {
  await stack?.stop();
  await steady?.stop();
  await flaky?.stop();
});

/** Produces small batches through the API until stopped; counts what each partition got. */
function produceSteadily(topic: string): { stop(): Promise<Map<string, number>>; sent(): number } {
  const expected = new Map<string, number>();
  let running = true;
  let sent = 0;
  const loop = (async () => {
    for (let round = 0; running; round++) {
      const events = Array.from({ length: 10 }, (_, i) => ({
        key: `k${(round * 10 + i) % 31}`,
        payload: { round, i },
      }));
      const res = await call<{ events: { partition: number }[] }>(
        stack.baseUrl,
        'POST',
        `/v1/topics/${topic}/events`,
        { events },
      );
      assert.equal(res.status, 202);
      for (const e of res.body.events) {
        expected.set(String(e.partition), (expected.get(String(e.partition)) ?? 0) + 1);
      }
      sent += events.length;
      await new Promise((r) => setTimeout(r, 40));
    }
  })();
  return {
    sent: () => sent,
    async stop() {
      running = false;
      await loop;
      return expected;
    },
  };
}

test('read → write → read under steady load, one endpoint failing a third of the time: nothing lost, skipped or reordered per partition', async () => {
  const topic = await stack.createTopic(3);
  await stack.subscribe(topic, steady.url);
  await stack.subscribe(topic, flaky.url);
  let n = 0;
  flaky.respond = () => (n++ % 3 === 0 ? 500 : 200);
  assert.equal((await routingOf(stack.baseUrl, topic)).mode, 'read');

  const producer = produceSteadily(topic);
  await waitFor(() => steady.acknowledged().length >= 100, 'bridges delivering', 60_000);

  await pinAndWait(stack.baseUrl, topic, 'write');
  const atWrite = producer.sent();
  // rows are being made and delivered: the router is past the switch
  await waitFor(
    async () =>
      Number(
        (
          await stack.rt.pool.query<{ n: string }>(
            `SELECT count(*) AS n FROM deliveries WHERE topic = $1 AND status = 'delivered'`,
            [topic],
          )
        ).rows[0]!.n,
      ) >= 100,
    'write fan-out delivering',
    60_000,
  );
  await waitFor(() => producer.sent() >= atWrite + 150, 'more produced in write mode', 60_000);

  await pinAndWait(stack.baseUrl, topic, 'read');
  const atRead = producer.sent();
  await waitFor(() => producer.sent() >= atRead + 150, 'more produced after the switch back');
  const expected = await producer.stop();
  const total = [...expected.values()].reduce((a, b) => a + b, 0);

  for (const [name, sink] of [
    ['steady', steady],
    ['flaky', flaky],
  ] as const) {
    await waitFor(
      () => new Set(sink.acknowledged().map((r) => r.headers['webhook-id'])).size >= total,
      `${name}: all ${total} events acknowledged`,
      120_000,
    );
    assert.deepEqual(
      assertInOrderWithReplays(sink.acknowledged()),
      expected,
      `${name}: every partition complete and in order across both switches`,
    );
    console.log(
      `# ${name}: ${total} events, ${sink.acknowledged().length - total} duplicates, ${sink.requests.length} requests`,
    );
  }
  const rows = await stack.rt.pool.query<{ status: string; n: string }>(
    `SELECT status, count(*) AS n FROM deliveries WHERE topic = $1 GROUP BY status`,
    [topic],
  );
  console.log(`# rows by status: ${JSON.stringify(rows.rows)}`);
  assert.ok(rows.rows.every((r) => r.status === 'delivered'));
});
