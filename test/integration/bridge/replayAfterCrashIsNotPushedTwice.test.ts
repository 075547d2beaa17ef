import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { call } from '../../helpers/api.ts';
import { ServiceProcess } from '../../helpers/serviceProcess.ts';
import { startTestStack, type TestStack } from '../../helpers/testStack.ts';
import { sleep, waitFor } from '../../helpers/waitFor.ts';
import { WebhookSink } from '../../helpers/webhookSink.ts';
import { groupIdOf } from '../../../libs/registry/types.ts';

let stack: TestStack;
let sink: WebhookSink;
// commits only every minute: the kill lands after the endpoint's 2xx and before any commit
const bridge = new ServiceProcess('bridge', { FANOUT_COMMIT_INTERVAL_MS: '60000' });
const restarted = new ServiceProcess('bridge');

before(async () => {
  stack = await startTestStack({ bridge: false });
  sink = await new WebhookSink().start();
});

after(async () => {
  await bridge.kill('SIGKILL');
  await restarted.kill('SIGKILL');
  await stack?.stop();
  await sink?.stop();
});

test('a bridge killed between the endpoint 2xx and the offset commit does not push those events again', async () => {
  const topic = await stack.createTopic(2);
  const id = await stack.subscribe(topic, sink.url);
  const events = Array.from({ length: 50 }, (_, i) => ({ key: `k${i}`, payload: { i } }));
  assert.equal(
    (await call(stack.baseUrl, 'POST', `/v1/topics/${topic}/events`, { events })).status,
    202,
  );
  await bridge.start('bridge started');
  await waitFor(() => sink.acknowledged().length === 50, 'all 50 acknowledged by the endpoint');
  await sleep(200);
  const before = await stack.rt.admin.committedOffsets(groupIdOf(id), topic);
  assert.deepEqual(before, { '0': '0', '1': '0' }, 'nothing committed yet');
  await bridge.kill('SIGKILL');

  await restarted.start('bridge started');
  await waitFor(
    async () => {
      const c = await stack.rt.admin.committedOffsets(groupIdOf(id), topic);
      const perPartition = new Map<string, number>();
      for (const r of sink.acknowledged()) {
        const p = String(r.headers['fanout-partition']);
        perPartition.set(p, (perPartition.get(p) ?? 0) + 1);
      }
      return [...perPartition].every(([p, n]) => c[p] === String(n));
    },
    'the replayed events committed',
    60_000,
  );
  assert.equal(sink.requests.length, 50, 'no event pushed a second time');
  await restarted.kill('SIGTERM');
});

test('with Redis unreachable, deliveries go on without dedupe and the fallback is reported', async () => {
  sink.requests.length = 0;
  sink.received.length = 0;
  const topic = await stack.createTopic(1);
  await stack.subscribe(topic, sink.url);
  const noRedis = new ServiceProcess('bridge', { FANOUT_REDIS_URL: 'redis://127.0.0.1:1/0' });
  await noRedis.start('bridge started');
  try {
    const events = Array.from({ length: 10 }, (_, i) => ({ payload: { i } }));
    await call(stack.baseUrl, 'POST', `/v1/topics/${topic}/events`, { events });
    await waitFor(() => sink.acknowledged().length === 10, 'delivered without Redis');
    assert.match(noRedis.output, /dedupe check skipped: redis unavailable/);
    assert.match(noRedis.output, /dedupe mark skipped: redis unavailable/);
  } finally {
    assert.equal(await noRedis.kill('SIGTERM'), 0, 'still running, and exits cleanly');
  }
});
