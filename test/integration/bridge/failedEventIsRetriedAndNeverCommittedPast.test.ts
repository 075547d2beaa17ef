import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { call } from '../../helpers/api.ts';
import { startStackAndSink, stopAll, type TestStack } from '../../helpers/testStack.ts';
import { sleep, waitFor } from '../../helpers/waitFor.ts';
import type { WebhookSink } from '../../helpers/webhookSink.ts';
import { groupIdOf } from '../../../libs/registry/types.ts';

let stack: TestStack;
let sink: WebhookSink;

before(async () => ({ stack, sink } = await startStackAndSink({ bridge: true })));

after(() => stopAll(stack, sink));

test('an endpoint that refuses, fails and times out gets every event later, in order, and the offset never passes an undelivered event', async () => {
  const topic = await stack.createTopic(2);
  const subscriptionId = await stack.subscribe(topic, sink.url, { timeoutMs: 300 });

  // Watch the group's committed offsets for the whole test: at no moment may a commit be ahead
  // of what the endpoint has acknowledged on that partition.
  const violations: string[] = [];
  let watching = true;
  let samples = 0;
  const watcher = (async () => {
    while (watching) {
      const acked = new Map<string, number>();
      for (const r of sink.acknowledged()) {
        const p = String(r.headers['fanout-partition']);
        acked.set(p, (acked.get(p) ?? 0) + 1);
      }
      const committed = await stack.rt.admin.committedOffsets(groupIdOf(subscriptionId), topic);
      for (const [p, offset] of Object.entries(committed)) {
        if (Number(offset) > (acked.get(p) ?? 0)) {
          violations.push(
            `partition ${p} committed ${offset} with ${acked.get(p) ?? 0} acknowledged`,
          );
        }
      }
      samples++;
      await sleep(50);
    }
  })();

  // Phase 1: the endpoint is down (connections refused).
  await sink.stop();
  const events = Array.from({ length: 40 }, (_, i) => ({ key: `k${i % 7}`, payload: { i } }));
  const res = await call<{ events: { partition: number; offset: string }[] }>(
    stack.baseUrl,
    'POST',
    `/v1/topics/${topic}/events`,
    { events },
  );
  assert.equal(res.status, 202);
  await sleep(1500);

  // Phase 2: back up, but answering 500 to the first requests and never answering others.
  let answered = 0;
  sink.respond = () => {
    answered++;
    if (answered <= 4) return 500;
    if (answered <= 6) return 'hang';
    if (answered <= 8) return 503;
    return 200;
  };
  await sink.start();

  try {
    await waitFor(
      () => sink.acknowledged().length >= events.length,
      'all events delivered',
      60_000,
    );
    await sleep(300);
  } finally {
    watching = false;
    await watcher;
  }

  assert.deepEqual(violations, [], 'no commit ahead of the acknowledged events');
  assert.ok(samples > 10, `committed offsets were sampled (${samples})`);
  const got = sink.acknowledged();
  assert.equal(got.length, events.length, 'each event acknowledged exactly once');
  const perPartition = new Map<string, number[]>();
  for (const r of got) {
    const p = String(r.headers['fanout-partition']);
    perPartition.set(p, [...(perPartition.get(p) ?? []), Number(r.headers['fanout-offset'])]);
  }
  for (const [p, offsets] of perPartition) {
    assert.deepEqual(
      offsets,
      offsets.map((_, i) => i),
      `partition ${p} delivered 0..n-1 in order`,
    );
  }
  assert.ok(
    got.some((r) => Number(r.headers['fanout-attempt']) > 1),
    'some events needed more than one attempt',
  );
  await waitFor(async () => {
    const committed = await stack.rt.admin.committedOffsets(groupIdOf(subscriptionId), topic);
    return [...perPartition].every(([p, o]) => committed[p] === String(o.length));
  }, 'final commit covers every delivered event');
});
