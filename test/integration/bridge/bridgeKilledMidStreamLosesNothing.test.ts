import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { call } from '../../helpers/api.ts';
import { assertInOrderWithReplays } from '../../helpers/deliveryLedger.ts';
import { ServiceProcess } from '../../helpers/serviceProcess.ts';
import { startTestStack, type TestStack } from '../../helpers/testStack.ts';
import { waitFor } from '../../helpers/waitFor.ts';
import { WebhookSink } from '../../helpers/webhookSink.ts';

let stack: TestStack;
let sink: WebhookSink;
const bridge = new ServiceProcess('bridge');

before(async () => {
  stack = await startTestStack({ bridge: false });
  sink = await new WebhookSink().start();
  sink.delayMs = 3; // slow enough that the kill lands mid-stream
});

after(async () => {
  await bridge.kill('SIGKILL');
  await stack?.stop();
  await sink?.stop();
});

test('a bridge SIGKILLed mid-stream and restarted delivers every event, partition order kept', async () => {
  const topic = await stack.createTopic(3);
  await stack.subscribe(topic, sink.url);
  const total = 600;
  for (let b = 0; b < total / 200; b++) {
    const events = Array.from({ length: 200 }, (_, i) => ({
      key: `k${(b * 200 + i) % 31}`,
      payload: { n: b * 200 + i },
    }));
    const res = await call(stack.baseUrl, 'POST', `/v1/topics/${topic}/events`, { events });
    assert.equal(res.status, 202);
  }

  await bridge.start('bridge started');
  await waitFor(() => sink.acknowledged().length >= 150, 'delivery under way');
  const code = await bridge.kill('SIGKILL');
  const atKill = sink.acknowledged().length;
  assert.ok(atKill < total, `killed mid-stream (${atKill} of ${total} delivered)`);
  assert.equal(code, null, 'killed by the signal, not exited');

  await bridge.start('bridge started');
  await waitFor(() => distinctIds().size >= total, 'every event delivered after restart', 90_000);

  const complete = assertInOrderWithReplays(sink.acknowledged());
  const delivered = [...complete.values()].reduce((a, b) => a + b, 0);
  assert.equal(delivered, total, 'lost = 0');
  const duplicates = sink.acknowledged().length - total;
  console.log(
    `# bridge kill: events=${total} delivered_at_kill=${atKill} duplicates=${duplicates}`,
  );
  await bridge.kill('SIGTERM');
});

function distinctIds(): Set<string> {
  return new Set(sink.acknowledged().map((r) => String(r.headers['webhook-id'])));
}
