import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import avro from 'avsc';
import protobuf from 'protobufjs';
import { call } from '../../helpers/api.ts';
import { readTopic } from '../../helpers/readTopic.ts';
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

const ORDER = {
  type: 'record',
  name: 'Order',
  namespace: 'com.example',
  fields: [
    { name: 'orderId', type: 'int' },
    { name: 'total', type: 'double' },
    { name: 'customer', type: 'string' },
  ],
};

type ErrorBody = { error: { code: string; field: string; message: string } };

test('an Avro subject: produce validates and writes the Confluent wire format byte for byte; subscribers get raw bytes or decoded JSON', async () => {
  const subject = uniqueName('orders-value');
  const { id: schemaId } = await new SchemaRegistry({ host: registry.url }).register(
    { type: SchemaType.AVRO, schema: JSON.stringify(ORDER) },
    { subject },
  );

  const unknown = await call<ErrorBody>(stack.baseUrl, 'POST', '/v1/topics', {
    name: uniqueName('t'),
    schemaSubject: 'no-such-subject',
  });
  assert.equal(unknown.status, 404);
  assert.equal(unknown.body.error.code, 'FANOUT_SCHEMA_NOT_FOUND');
  assert.equal(unknown.body.error.field, 'schemaSubject');

  const topic = uniqueName('t');
  const created = await call(stack.baseUrl, 'POST', '/v1/topics', {
    name: topic,
    partitions: 1,
    schemaSubject: subject,
  });
  assert.equal(created.status, 201);
  assert.equal(created.body.schemaSubject, subject);
  await stack.subscribe(topic, `${sink.url}?raw`);
  await stack.subscribe(topic, `${sink.url}?decoded`, { payloadFormat: 'decoded' });

  const order = { orderId: 7, total: 12.5, customer: 'Zoë' };
  const ok = await call(stack.baseUrl, 'POST', `/v1/topics/${topic}/events`, { payload: order });
  assert.equal(ok.status, 202, JSON.stringify(ok.body));

  const wrongType = await call<ErrorBody>(stack.baseUrl, 'POST', `/v1/topics/${topic}/events`, {
    payload: { orderId: 'seven', total: 1, customer: 'x' },
  });
  assert.equal(wrongType.status, 400);
  assert.equal(wrongType.body.error.code, 'FANOUT_VALIDATION');
  assert.equal(wrongType.body.error.field, 'payload');
  assert.match(wrongType.body.error.message, /orderId/);
  const badBatch = await call<ErrorBody>(stack.baseUrl, 'POST', `/v1/topics/${topic}/events`, {
    events: [{ payload: order }, { payload: { orderId: 8 } }],
  });
  assert.equal(badBatch.status, 400);
  assert.equal(badBatch.body.error.field, 'events[1].payload');

  // one record only: the rejected requests wrote nothing, not even their valid events
  const second = { orderId: 8, total: 3, customer: 'Ada' };
  await call(stack.baseUrl, 'POST', `/v1/topics/${topic}/events`, { payload: second });
  const records = await readTopic(stack.rt.kafka, topic, 2);
  assert.equal(records.length, 2);
  const value = records[0]!.value!;
  assert.equal(value[0], 0, 'magic byte');
  assert.equal(value.readUInt32BE(1), schemaId, '4-byte big-endian schema id');
  const expected = avro.Type.forSchema(ORDER as avro.Schema).toBuffer(order);
  assert.deepEqual(value.subarray(5), expected, 'the Avro binary encoding of the payload');

  await waitFor(
    () => sink.acknowledged().filter((r) => r.headers['fanout-topic'] === topic).length === 4,
    'two events to both subscriptions',
  );
  const delivered = sink.acknowledged().filter((r) => r.headers['fanout-topic'] === topic);
  const raw = delivered.filter((r) => r.headers['content-type'] === 'application/octet-stream');
  const decoded = delivered.filter((r) => r.headers['content-type'] === 'application/json');
  assert.equal(raw.length, 2);
  assert.equal(decoded.length, 2);
  assert.deepEqual(raw[0]!.body, value, 'raw: the record value exactly as stored');
  assert.deepEqual(JSON.parse(decoded[0]!.body.toString('utf8')), order);
  assert.deepEqual(JSON.parse(decoded[1]!.body.toString('utf8')), second);
  assert.ok(registry.calls.includes(`GET /schemas/ids/${schemaId}`), 'decoded by schema id');
});

test('a JSON Schema subject validates too, set on an existing topic; decoded subscriptions pass non-registry records through', async () => {
  const subject = uniqueName('clicks-value');
  await new SchemaRegistry({ host: registry.url }).register(
    {
      type: SchemaType.JSON,
      schema: JSON.stringify({
        type: 'object',
        properties: { page: { type: 'string' } },
        required: ['page'],
        additionalProperties: false,
      }),
    },
    { subject },
  );
  const topic = await stack.createTopic(1);
  await stack.subscribe(topic, sink.url, { payloadFormat: 'decoded' });
  // before the subject is declared: plain JSON, delivered as is
  await call(stack.baseUrl, 'POST', `/v1/topics/${topic}/events`, { payload: { any: 'thing' } });
  const set = await call(stack.baseUrl, 'PATCH', `/v1/topics/${topic}`, { schemaSubject: subject });
  assert.equal(set.status, 200);
  assert.equal(set.body.schemaSubject, subject);
  const bad = await call<ErrorBody>(stack.baseUrl, 'POST', `/v1/topics/${topic}/events`, {
    payload: { page: 3 },
  });
  assert.equal(bad.status, 400);
  assert.equal(bad.body.error.field, 'payload');
  const good = await call(stack.baseUrl, 'POST', `/v1/topics/${topic}/events`, {
    payload: { page: '/home' },
  });
  assert.equal(good.status, 202);
  await waitFor(
    () => sink.acknowledged().filter((r) => r.headers['fanout-topic'] === topic).length === 2,
    'both events',
  );
  const bodies = sink
    .acknowledged()
    .filter((r) => r.headers['fanout-topic'] === topic)
    .map((r) => JSON.parse(r.body.toString('utf8')) as unknown);
  assert.deepEqual(bodies, [{ any: 'thing' }, { page: '/home' }]);
  const [, stored] = await readTopic(stack.rt.kafka, topic, 2);
  assert.equal(stored!.value![0], 0);
  assert.equal(stored!.value!.subarray(5).toString('utf8'), JSON.stringify({ page: '/home' }));

  const cleared = await call(stack.baseUrl, 'PATCH', `/v1/topics/${topic}`, {
    schemaSubject: null,
  });
  assert.equal(cleared.body.schemaSubject, null);
});

test('a Protobuf subject: values carry Confluent message-index framing after the schema id and decode back', async () => {
  const proto = `syntax = "proto3";
package com.example;
message Reading {
  string sensor = 1;
  int32 value = 2;
}
`;
  const subject = uniqueName('readings-value');
  const { id: schemaId } = await new SchemaRegistry({ host: registry.url }).register(
    { type: SchemaType.PROTOBUF, schema: proto },
    { subject },
  );
  const topic = uniqueName('t');
  const created = await call(stack.baseUrl, 'POST', '/v1/topics', {
    name: topic,
    partitions: 1,
    schemaSubject: subject,
  });
  assert.equal(created.status, 201);
  await stack.subscribe(topic, sink.url, { payloadFormat: 'decoded' });
  const bad = await call<ErrorBody>(stack.baseUrl, 'POST', `/v1/topics/${topic}/events`, {
    payload: { sensor: 5 },
  });
  assert.equal(bad.status, 400);
  assert.equal(bad.body.error.field, 'payload');
  const reading = { sensor: 's-1', value: 42 };
  const ok = await call(stack.baseUrl, 'POST', `/v1/topics/${topic}/events`, { payload: reading });
  assert.equal(ok.status, 202);

  const [record] = await readTopic(stack.rt.kafka, topic, 1);
  const value = record!.value!;
  assert.equal(value[0], 0, 'magic byte');
  assert.equal(value.readUInt32BE(1), schemaId, 'schema id');
  assert.equal(value[5], 0, 'message index path [0]: the first message of the schema');
  const type = protobuf.parse(proto).root.lookupType('com.example.Reading');
  assert.deepEqual(value.subarray(6), Buffer.from(type.encode(type.create(reading)).finish()));

  await waitFor(
    () => sink.acknowledged().some((r) => r.headers['fanout-topic'] === topic),
    'the decoded delivery',
  );
  const delivered = sink.acknowledged().find((r) => r.headers['fanout-topic'] === topic)!;
  assert.equal(delivered.headers['content-type'], 'application/json');
  assert.deepEqual(JSON.parse(delivered.body.toString('utf8')), reading);
});
