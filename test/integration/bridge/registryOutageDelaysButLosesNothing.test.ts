import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { call } from '../../helpers/api.ts';
import { SchemaRegistryTestDouble } from '../../helpers/schemaRegistryTestDouble.ts';
import { startStackAndSink, stopAll, uniqueName, type TestStack } from '../../helpers/testStack.ts';
import { waitFor } from '../../helpers/waitFor.ts';
import type { WebhookSink } from '../../helpers/webhookSink.ts';

let registry: SchemaRegistryTestDouble;
let stack: TestStack;
let sink: WebhookSink;

before(async () => {
  registry = await new SchemaRegistryTestDouble().start();
  ({ stack, sink } = await startStackAndSink({
    bridge: true,
    env: { FANOUT_SCHEMA_REGISTRY_URL: registry.url },
  }));
});

after(() => stopAll(stack, sink, registry));

const PING = {
  type: 'record',
  name: 'Ping',
  fields: [{ name: 'n', type: 'int' }],
};

test('with the registry down, produce answers 503 retriable and writes nothing; decoded deliveries wait and arrive once it is back', async () => {
  const subject = uniqueName('pings-value');
  await new SchemaRegistry({ host: registry.url }).register(
    { type: SchemaType.AVRO, schema: JSON.stringify(PING) },
    { subject },
  );
  const topic = uniqueName('t');
  assert.equal(
    (
      await call(stack.baseUrl, 'POST', '/v1/topics', {
        name: topic,
        partitions: 1,
        schemaSubject: subject,
      })
    ).status,
    201,
  );
  const id = await stack.subscribe(topic, sink.url, { payloadFormat: 'decoded' });

  // the api has the subject's schema id but never fetched the schema itself: it cannot encode
  await registry.stop();
  const refused = await call<{ error: { code: string; retriable: boolean } }>(
    stack.baseUrl,
    'POST',
    `/v1/topics/${topic}/events`,
    { payload: { n: 1 } },
  );
  assert.equal(refused.status, 503);
  assert.equal(refused.body.error.code, 'FANOUT_SCHEMA_REGISTRY_UNAVAILABLE');
  assert.equal(refused.body.error.retriable, true);
  const { high } = await stack.rt.admin.offsetBounds(topic);
  assert.deepEqual(high, { '0': '0' }, 'nothing was written');

  // back up: produce works (and the api keeps the schema); the bridge has not decoded yet
  await call(stack.baseUrl, 'POST', `/v1/subscriptions/${id}/pause`);
  await registry.start();
  const ok = await call(stack.baseUrl, 'POST', `/v1/topics/${topic}/events`, { payload: { n: 2 } });
  assert.equal(ok.status, 202);
  await registry.stop();
  await call(stack.baseUrl, 'POST', `/v1/subscriptions/${id}/resume`);

  // the bridge cannot decode: each attempt fails and is retried, nothing reaches the endpoint
  await waitFor(async () => {
    const res = await stack.rt.pool.query<{ attempts: number }>(
      'SELECT attempts FROM retry_state WHERE subscription_id = $1',
      [id],
    );
    return (res.rows[0]?.attempts ?? 0) >= 3;
  }, 'two failed attempts while the registry is down');
  assert.equal(sink.requests.filter((r) => r.headers['fanout-topic'] === topic).length, 0);

  await registry.start();
  await waitFor(
    () => sink.acknowledged().some((r) => r.headers['fanout-topic'] === topic),
    'the delivery once the registry is back',
  );
  const [delivered] = sink.acknowledged().filter((r) => r.headers['fanout-topic'] === topic);
  assert.deepEqual(JSON.parse(delivered!.body.toString('utf8')), { n: 2 });
  // retry_state records an attempt before it starts: three recorded means two failed
  assert.ok(Number(delivered!.headers['fanout-attempt']) >= 3, 'delivered on a retry');
});
