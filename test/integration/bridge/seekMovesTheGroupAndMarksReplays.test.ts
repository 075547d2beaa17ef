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

test('seek: dry run counts, a seek moves the consumer group, dedupe holds unless redeliver, replays are marked', async () => {
  const topic = await stack.createTopic(1);
  const id = await stack.subscribe(topic, sink.url);
  const committed = async (): Promise<string | undefined> =>
    (await stack.rt.admin.committedOffsets(groupIdOf(id), topic))['0'];
  const events = Array.from({ length: 10 }, (_, n) => ({ payload: { n } }));
  await call(stack.baseUrl, 'POST', `/v1/topics/${topic}/events`, { events });
  await waitFor(() => sink.acknowledged().length === 10, 'first delivery');
  await waitFor(async () => (await committed()) === '10', 'committed');
  const seek = (body: unknown) => call(stack.baseUrl, 'POST', `/v1/subscriptions/${id}/seek`, body);

  const dry = await seek({ to: 'earliest', dryRun: true });
  assert.equal(dry.status, 200);
  assert.deepEqual(dry.body, {
    dryRun: true,
    partitions: { '0': { from: '10', to: '0', redelivered: '10' } },
  });
  assert.equal(await committed(), '10', 'a dry run moves nothing');

  const back = await seek({ offsets: { '0': '6' } });
  assert.equal(back.status, 200);
  assert.deepEqual(back.body.partitions, { '0': { from: '10', to: '6', redelivered: '4' } });
  assert.equal((await call(stack.baseUrl, 'GET', `/v1/subscriptions/${id}`)).body.state, 'active');
  await waitFor(async () => (await committed()) === '10', 'replayed range settled again');
  await sleep(300);
  assert.equal(
    sink.requests.length,
    10,
    'without redeliver, dedupe keeps replays from being pushed',
  );

  const again = await seek({ to: 'earliest', redeliver: true });
  assert.equal(again.status, 200);
  await waitFor(() => sink.acknowledged().length === 20, 'everything pushed again');
  const replays = sink.acknowledged().slice(10);
  assert.ok(
    replays.every((r) => r.headers['fanout-replay'] === 'seek'),
    'replays say so',
  );
  assert.deepEqual(
    replays.map((r) => (JSON.parse(r.body.toString()) as { n: number }).n),
    [...Array(10).keys()],
  );
  await waitFor(async () => (await committed()) === '10', 'the replay committed');

  // new events after the replay window are ordinary deliveries
  await call(stack.baseUrl, 'POST', `/v1/topics/${topic}/events`, { payload: { n: 10 } });
  await waitFor(() => sink.acknowledged().length === 21, 'a new event');
  assert.equal(sink.acknowledged()[20]!.headers['fanout-replay'], undefined);

  for (const [body, field] of [
    [{ offsets: { '0': '999' } }, 'offsets.0'],
    [{ offsets: { '7': '0' } }, 'offsets.7'],
    [{ to: 'middle' }, 'to'],
    [{ to: 'earliest', timestamp: 5 }, 'to'],
    [{ timestamp: 'yesterday' }, 'timestamp'],
  ] as const) {
    const res = await seek(body);
    assert.equal(res.status, 400, JSON.stringify(body));
    assert.equal((res.body as { error: { field: string } }).error.field, field);
  }
});
