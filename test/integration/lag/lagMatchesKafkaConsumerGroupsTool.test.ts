import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { SubscriptionLag } from '../../../libs/lag/lagMonitor.ts';
import { groupIdOf } from '../../../libs/registry/types.ts';
import { call } from '../../helpers/api.ts';
import { describeGroup } from '../../helpers/kafkaTool.ts';
import { scrape, sumOf } from '../../helpers/promText.ts';
import { startStackAndSink, stopAll, type TestStack } from '../../helpers/testStack.ts';
import { sleep, waitFor } from '../../helpers/waitFor.ts';
import type { WebhookSink } from '../../helpers/webhookSink.ts';

let stack: TestStack;
let sink: WebhookSink;

before(async () => {
  ({ stack, sink } = await startStackAndSink());
});
after(() => stopAll(stack, sink));

const statusOf = async (id: string): Promise<SubscriptionLag> => {
  const res = await call<SubscriptionLag>(stack.baseUrl, 'GET', `/v1/subscriptions/${id}/status`);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body;
};
const offsetsOf = (s: SubscriptionLag): string =>
  JSON.stringify(s.partitions.map((p) => [p.committedOffset, p.logEndOffset]));

test("per-partition committed offset, log-end offset and lag match Kafka's kafka-consumer-groups, and the stuck subscription is stalled with events parked in retry", async () => {
  const topic = await stack.createTopic(3);
  const id = await stack.subscribe(topic, sink.url);
  // twelve requests succeed, then the endpoint fails every request: each partition stops at
  // its first failed event, at an offset of its own
  let answered = 0;
  sink.respond = () => (++answered <= 12 ? 200 : 500);
  const producedAt = Date.now();
  const events = Array.from({ length: 30 }, (_, i) => ({ key: `k${i}`, payload: { i } }));
  assert.equal(
    (await call(stack.baseUrl, 'POST', `/v1/topics/${topic}/events`, { events })).status,
    202,
  );
  await waitFor(() => sink.acknowledged().length === 12, 'twelve acknowledged');

  // the monitor samples every second; wait until its figures stop moving
  let before = '';
  await waitFor(async () => {
    const res = await call<SubscriptionLag>(stack.baseUrl, 'GET', `/v1/subscriptions/${id}/status`);
    if (res.status !== 200) return false; // not sampled yet
    const now = offsetsOf(res.body);
    const same = now === before;
    before = now;
    if (!same) await sleep(1500);
    return same;
  }, 'committed offsets to settle');
  const tool = (await describeGroup(groupIdOf(id))).filter((r) => r.topic === topic);
  const ours = await statusOf(id);
  assert.equal(offsetsOf(ours), before, 'offsets moved while the tool ran');
  assert.equal(tool.length, 3);
  for (const row of tool) {
    const p = ours.partitions.find((x) => x.partition === row.partition)!;
    assert.equal(p.committedOffset, row.currentOffset, `partition ${row.partition} committed`);
    assert.equal(p.logEndOffset, row.logEndOffset, `partition ${row.partition} log end`);
    assert.equal(String(p.lagMessages), row.lag, `partition ${row.partition} lag`);
  }
  const toolLag = tool.reduce((a, r) => a + Number(r.lag), 0);
  assert.equal(ours.lagMessages, toolLag);
  assert.equal(toolLag, 30 - 12);

  // lag in seconds: the oldest undelivered event was produced by this test, so its age is the
  // time since then, within the sampling interval
  const age = (Date.now() - producedAt) / 1000;
  assert.ok(
    Math.abs(ours.lagSeconds - age) <= 1.5,
    `lagSeconds ${ours.lagSeconds}, produced ${age}s ago`,
  );

  // the same figures as metrics
  const samples = await scrape(`${stack.baseUrl}/metrics`);
  assert.equal(sumOf(samples, 'fanout_partition_lag_messages', { subscription: id }), toolLag);
  assert.equal(sumOf(samples, 'fanout_subscription_lag_messages', { subscription: id }), toolLag);

  // nothing moves for a whole window while behind: stalled, and we can say why
  await waitFor(async () => (await statusOf(id)).status === 'stalled', 'status stalled', 20_000);
  const stalled = await statusOf(id);
  assert.ok(
    stalled.causes.some((c) => c.cause === 'parked_in_retry'),
    JSON.stringify(stalled.causes),
  );
  assert.equal(stalled.drainSeconds, null);
  assert.equal(stalled.group?.members, 1);
  const metrics = await scrape(`${stack.baseUrl}/metrics`);
  assert.equal(
    sumOf(metrics, 'fanout_subscription_status', { subscription: id, status: 'stalled' }),
    1,
  );
  assert.equal(sumOf(metrics, 'fanout_subscription_status', { subscription: id }), 1);

  // the endpoint recovers: lag drains to zero and the evaluation returns to ok
  sink.respond = () => 200;
  await waitFor(async () => {
    const s = await statusOf(id);
    return s.status === 'ok' && s.lagMessages === 0 && s.lagSeconds === 0;
  }, 'caught up and ok');
});
