import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { call } from '../../helpers/api.ts';
import { assertInOrderWithReplays } from '../../helpers/deliveryLedger.ts';
import { ServiceProcess } from '../../helpers/serviceProcess.ts';
import { startTestStack, type TestStack } from '../../helpers/testStack.ts';
import { sleep, waitFor } from '../../helpers/waitFor.ts';
import { WebhookSink } from '../../helpers/webhookSink.ts';
import { groupIdOf } from '../../../libs/registry/types.ts';

let stack: TestStack;
let sink: WebhookSink;
const a = new ServiceProcess('bridge');
const b = new ServiceProcess('bridge');

before(async () => {
  stack = await startTestStack({ bridge: false });
  sink = await new WebhookSink().start();
});

after(async () => {
  await a.kill('SIGKILL');
  await b.kill('SIGKILL');
  await stack?.stop();
  await sink?.stop();
});

async function groupMembers(groupId: string): Promise<{ state: string; members: number }> {
  const admin = stack.rt.kafka.admin();
  await admin.connect();
  try {
    const { groups } = await admin.describeGroups([groupId]);
    return { state: groups[0]!.state, members: groups[0]!.members.length };
  } finally {
    await admin.disconnect();
  }
}

test('two bridges share a subscription; one SIGKILLed mid-stream, the other takes over; SIGTERM exits 0 after committing', async () => {
  const topic = await stack.createTopic(4);
  const id = await stack.subscribe(topic, sink.url);
  sink.delayMs = 3;
  await a.start('bridge started');
  await b.start('bridge started');
  await waitFor(
    async () => (await groupMembers(groupIdOf(id))).members === 2,
    'both bridges in the group',
  );

  const expected = new Map<string, number>();
  for (let round = 0; round < 4; round++) {
    const events = Array.from({ length: 200 }, (_, i) => ({
      key: `k${(round * 200 + i) % 53}`,
      payload: { round, i },
    }));
    const res = await call<{ events: { partition: number }[] }>(
      stack.baseUrl,
      'POST',
      `/v1/topics/${topic}/events`,
      { events },
    );
    for (const e of res.body.events) {
      expected.set(String(e.partition), (expected.get(String(e.partition)) ?? 0) + 1);
    }
  }
  await waitFor(() => sink.acknowledged().length >= 200, 'delivery under way on both');
  await a.kill('SIGKILL');
  await waitFor(
    () => new Set(sink.acknowledged().map((r) => r.headers['webhook-id'])).size >= 800,
    'the survivor delivered everything',
    90_000,
  );
  assert.deepEqual(
    assertInOrderWithReplays(sink.acknowledged()),
    expected,
    'every partition complete and in order: lost = 0',
  );
  console.log(
    `# scale-out: 800 events, duplicates after SIGKILL=${sink.acknowledged().length - 800}`,
  );

  // SIGTERM mid-stream on a slow endpoint: requests in flight finish, offsets are committed
  sink.delayMs = 40;
  const more = Array.from({ length: 100 }, (_, i) => ({ key: `m${i}`, payload: { more: i } }));
  const res = await call<{ events: { partition: number }[] }>(
    stack.baseUrl,
    'POST',
    `/v1/topics/${topic}/events`,
    { events: more },
  );
  assert.equal(res.status, 202);
  const before = sink.acknowledged().length;
  await waitFor(() => sink.acknowledged().length >= before + 5, 'slow deliveries under way');
  assert.equal(await b.kill('SIGTERM'), 0, 'exit code 0');
  await sleep(100);
  assert.equal(
    sink.requests.length,
    sink.received.length,
    'every request in flight was answered and counted',
  );
  const group = await groupMembers(groupIdOf(id));
  assert.equal(group.members, 0, 'the bridge left the group');
  const committed = await stack.rt.admin.committedOffsets(groupIdOf(id), topic);
  const acked = new Map<string, number>();
  for (const r of sink.acknowledged()) {
    const p = String(r.headers['fanout-partition']);
    acked.set(p, Math.max(acked.get(p) ?? 0, Number(r.headers['fanout-offset']) + 1));
  }
  for (const [p, next] of acked) {
    assert.equal(
      committed[p],
      String(next),
      `partition ${p}: everything acknowledged is committed`,
    );
  }
});
