import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { TopicAdmin } from '../../../libs/kafka/topicAdmin.ts';
import { LagMonitor } from '../../../libs/lag/lagMonitor.ts';
import { groupIdOf } from '../../../libs/registry/types.ts';
import { call } from '../../helpers/api.ts';
import { startTestStack, type TestStack } from '../../helpers/testStack.ts';

let stack: TestStack;
before(async () => {
  stack = await startTestStack({ bridge: false });
});
after(() => stack.stop());

const WINDOW_MS = 4000;

test('a group with nothing to read is asked again once per window, at once when records arrive or its subscription changes', async () => {
  const topic = await stack.createTopic(2);
  // no bridge: the group's offsets are only what this test sets from outside
  const id = await stack.subscribe(topic, 'http://127.0.0.1:9/hook', { startFrom: 'earliest' });
  const group = groupIdOf(id);
  const produce = async (n: number): Promise<void> => {
    const events = Array.from({ length: n }, (_, i) => ({ key: `k${i}`, payload: { i } }));
    const res = await call(stack.baseUrl, 'POST', `/v1/topics/${topic}/events`, { events });
    assert.equal(res.status, 202);
  };
  await produce(6);
  const ends = async (): Promise<Record<string, string>> =>
    (await stack.rt.admin.offsetBounds(topic)).high;
  await stack.rt.admin.setGroupOffsets(group, topic, await ends());

  let reads = 0;
  const admin = stack.rt.admin;
  const counting = new Proxy(admin, {
    get(target, key) {
      if (key === 'committedOffsets') {
        return (...args: Parameters<TopicAdmin['committedOffsets']>) => {
          if (args[0] === group) reads++;
          return target.committedOffsets(...args);
        };
      }
      const value: unknown = Reflect.get(target, key);
      return typeof value === 'function'
        ? (value as (...a: unknown[]) => unknown).bind(target)
        : value;
    },
  });
  let nowMs = Date.now();
  const monitor = new LagMonitor({
    ...stack.rt,
    admin: counting,
    intervalMs: 1000,
    windowMs: WINDOW_MS,
    now: () => nowMs,
  });
  const sample = async (advanceMs: number): Promise<number> => {
    nowMs += advanceMs;
    await monitor.refresh();
    const lag = monitor.all().find((l) => l.subscriptionId === id);
    assert.ok(lag !== undefined, 'the subscription is sampled');
    return lag.lagMessages;
  };

  assert.equal(await sample(0), 0, 'caught up');
  assert.equal(reads, 1);
  assert.equal(await sample(1000), 0);
  assert.equal(reads, 1, 'caught up on a quiet topic: not asked again within the window');

  // set from outside (as Kafka's own tools would, the group having no member): seen once the
  // window has passed, not before
  const behind = Object.fromEntries(
    Object.entries(await ends()).map(([p, end]) => [
      p,
      String(BigInt(end) - (p === '0' ? 1n : 0n)),
    ]),
  );
  await stack.rt.admin.setGroupOffsets(group, topic, behind);
  assert.equal(await sample(1000), 0);
  assert.equal(reads, 1);
  assert.equal(await sample(WINDOW_MS), 1, 'the reset is seen at the next full read');
  assert.equal(reads, 2);
  assert.equal(await sample(1000), 1);
  assert.equal(reads, 3, 'a group behind is asked every sample');

  // caught up again, then records arrive: asked at once
  await stack.rt.admin.setGroupOffsets(group, topic, await ends());
  assert.equal(await sample(1000), 0);
  assert.equal(await sample(1000), 0);
  assert.equal(reads, 4);
  await produce(2);
  assert.equal(await sample(1000), 2, 'new records: asked again, and behind by them');
  assert.equal(reads, 5);

  // caught up and quiet again, then its subscription changes (as a seek changes it): asked
  await stack.rt.admin.setGroupOffsets(group, topic, await ends());
  assert.equal(await sample(1000), 0);
  assert.equal(await sample(1000), 0);
  assert.equal(reads, 6);
  assert.equal((await call(stack.baseUrl, 'POST', `/v1/subscriptions/${id}/pause`)).status, 200);
  await sample(1000);
  assert.equal(reads, 7, 'a changed subscription is asked again');
  await monitor.stop();
});
