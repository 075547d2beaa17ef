import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { call } from '../../helpers/api.ts';
import { startStackAndSink, stopAll, type TestStack } from '../../helpers/testStack.ts';
import { waitFor } from '../../helpers/waitFor.ts';
import type { WebhookSink } from '../../helpers/webhookSink.ts';
import { groupIdOf } from '../../../libs/registry/types.ts';

let stack: TestStack;
let sink: WebhookSink;

before(async () => ({ stack, sink } = await startStackAndSink({ bridge: true })));

after(() => stopAll(stack, sink));

test('a subscription with a filter gets only matching events; the others are skipped and their offsets still advance', async () => {
  const topic = await stack.createTopic(1);
  const filter = {
    and: [
      { field: 'payload.type', eq: 'order.created' },
      { field: 'headers.region', in: ['eu', 'uk'] },
    ],
  };
  const id = await stack.subscribe(topic, sink.url, { filter });
  const shown = await call(stack.baseUrl, 'GET', `/v1/subscriptions/${id}`);
  assert.deepEqual(shown.body.filter, filter);

  const events = [
    { payload: { type: 'order.created', n: 0 }, headers: { region: 'eu' } },
    { payload: { type: 'order.paid', n: 1 }, headers: { region: 'eu' } },
    { payload: { type: 'order.created', n: 2 }, headers: { region: 'us' } },
    { payload: { type: 'order.created', n: 3 }, headers: { region: 'uk' } },
    { payload: { type: 'order.created', n: 4 } },
  ];
  await call(stack.baseUrl, 'POST', `/v1/topics/${topic}/events`, { events });
  await waitFor(async () => {
    const c = await stack.rt.admin.committedOffsets(groupIdOf(id), topic);
    return c['0'] === '5';
  }, 'all five offsets committed');
  assert.deepEqual(
    sink.acknowledged().map((r) => (JSON.parse(r.body.toString()) as { n: number }).n),
    [0, 3],
  );
  assert.equal(sink.requests.length, 2, 'filtered-out events never reach the endpoint');

  const bad = await call<{ error: { field: string } }>(
    stack.baseUrl,
    'PATCH',
    `/v1/subscriptions/${id}`,
    {
      filter: { field: 'payload.n', between: [1, 2] },
    },
  );
  assert.equal(bad.status, 400);
  assert.equal(bad.body.error.field, 'filter.between');
  const cleared = await call(stack.baseUrl, 'PATCH', `/v1/subscriptions/${id}`, { filter: null });
  assert.equal(cleared.body.filter, null);
});
