import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { call } from '../../helpers/api.ts';
import { pinAndWait } from '../../helpers/routing.ts';
import { startStackAndSink, stopAll, type TestStack } from '../../helpers/testStack.ts';
import { FAST_RETRY } from '../../helpers/testEnv.ts';
import { waitFor } from '../../helpers/waitFor.ts';
import type { Received, WebhookSink } from '../../helpers/webhookSink.ts';

const ROUTER_ENV = {
  FANOUT_ROUTER_AUTO: 'false',
  FANOUT_ROUTER_DECIDE_INTERVAL_MS: '300',
  FANOUT_DELIVERY_POLL_MS: '50',
  FANOUT_DELIVERY_SWEEP_MS: '300',
};

let stack: TestStack;
let sink: WebhookSink;

before(async () => {
  ({ stack, sink } = await startStackAndSink({ bridge: true, router: true, env: ROUTER_ENV }));
});

after(() => stopAll(stack, sink));

const header = (r: Received, name: string): string | undefined => {
  const v = r.headers[name];
  return v === undefined ? undefined : String(v);
};
const payloadOf = (r: Received) => JSON.parse(r.body.toString()) as { n: number; type: string };

test('fanout-seq and fanout-prev-id run on without a gap as a topic moves from bridges to write fan-out and back, past filtered events', async () => {
  const topic = await stack.createTopic(2);
  const created = await call(stack.baseUrl, 'POST', '/v1/subscriptions', {
    topic,
    endpoint: sink.url,
    filter: { field: 'payload.type', eq: 'keep' },
    ...FAST_RETRY,
  });
  assert.equal(created.status, 201);

  const produce = async (from: number, to: number) => {
    const events = [];
    for (let n = from; n < to; n++) {
      // every third event is filtered out: it takes no sequence number
      events.push({ key: `k${n % 4}`, payload: { n, type: n % 3 === 2 ? 'skip' : 'keep' } });
    }
    const res = await call(stack.baseUrl, 'POST', `/v1/topics/${topic}/events`, { events });
    assert.equal(res.status, 202);
  };
  const kept = (upTo: number) => [...Array(upTo).keys()].filter((n) => n % 3 !== 2).length;
  const deliveredBy = new Map<number, string>();
  const stamp = (mode: string) => {
    for (const r of sink.acknowledged()) {
      const n = payloadOf(r).n;
      if (!deliveredBy.has(n)) deliveredBy.set(n, mode);
    }
  };

  await produce(0, 30);
  await waitFor(() => sink.acknowledged().length === kept(30), 'delivered by the bridge');
  stamp('read');
  await pinAndWait(stack.baseUrl, topic, 'write');
  await produce(30, 60);
  await waitFor(() => sink.acknowledged().length === kept(60), 'delivered from rows');
  stamp('write');
  await pinAndWait(stack.baseUrl, topic, 'read');
  await produce(60, 90);
  await waitFor(() => sink.acknowledged().length === kept(90), 'delivered by the bridge again');
  stamp('read again');
  assert.deepEqual(
    new Set(deliveredBy.values()),
    new Set(['read', 'write', 'read again']),
    'each mode delivered a part',
  );

  const byPartition = new Map<string, Received[]>();
  for (const r of sink.acknowledged()) {
    const p = header(r, 'fanout-partition')!;
    byPartition.set(p, [...(byPartition.get(p) ?? []), r]);
  }
  assert.equal(byPartition.size, 2);
  for (const [p, received] of byPartition) {
    received.forEach((r, i) => {
      const at = `partition ${p}, event ${payloadOf(r).n} (${deliveredBy.get(payloadOf(r).n)})`;
      assert.equal(payloadOf(r).type, 'keep');
      assert.equal(header(r, 'fanout-seq'), String(i + 1), `${at}: seq without gaps`);
      const prev = i === 0 ? undefined : header(received[i - 1]!, 'webhook-id');
      assert.equal(header(r, 'fanout-prev-id'), prev, `${at}: prev-id chain`);
    });
  }
});
