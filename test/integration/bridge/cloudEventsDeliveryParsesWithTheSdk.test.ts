import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { HTTP, type CloudEvent } from 'cloudevents';
import { Webhook } from 'standardwebhooks';
import { call } from '../../helpers/api.ts';
import { startStackAndSink, stopAll, type TestStack } from '../../helpers/testStack.ts';
import { waitFor } from '../../helpers/waitFor.ts';
import type { Received, WebhookSink } from '../../helpers/webhookSink.ts';

let stack: TestStack;
let sink: WebhookSink;

before(async () => ({ stack, sink } = await startStackAndSink({ bridge: true })));

after(() => stopAll(stack, sink));

/** Reads a request the way a CloudEvents subscriber does, with the reference SDK (strict). */
function asCloudEvent(r: Received): CloudEvent<unknown> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(r.headers)) headers[name] = String(value);
  const event = HTTP.toEvent({ headers, body: r.body.toString('utf8') });
  assert.ok(!Array.isArray(event), 'one event per request');
  const one = event as CloudEvent<unknown>;
  one.validate();
  return one;
}

async function subscribeAs(topic: string, cloudEvents: string | null): Promise<{ secret: string }> {
  const res = await call(stack.baseUrl, 'POST', '/v1/subscriptions', {
    topic,
    endpoint: `${sink.url}?mode=${cloudEvents}`,
    cloudEvents,
    retry: { initialDelayMs: 50, maxDelayMs: 400, maxAttempts: 1000 },
  });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  assert.equal(res.body.cloudEvents, cloudEvents);
  return { secret: String(res.body.secret) };
}

function deliveredTo(topic: string, mode: string): Received[] {
  return sink
    .acknowledged()
    .filter((r) => r.headers['fanout-topic'] === topic && modeOf(r) === mode);
}

function modeOf(r: Received): string {
  return r.headers['content-type']?.startsWith('application/cloudevents+json')
    ? 'structured'
    : r.headers['ce-id'] !== undefined
      ? 'binary'
      : 'webhook';
}

test('binary and structured CloudEvents carry the event id, source, type and time, and stay signed', async () => {
  const topic = await stack.createTopic(1);
  const binary = await subscribeAs(topic, 'binary');
  const structured = await subscribeAs(topic, 'structured');
  await subscribeAs(topic, null);
  const before = Date.now();
  const produced = await call<{ events: { id: string }[] }>(
    stack.baseUrl,
    'POST',
    `/v1/topics/${topic}/events`,
    { key: 'customer-42', payload: { orderId: 1001, total: 12.5 } },
  );
  assert.equal(produced.status, 202);
  const id = produced.body.events[0]!.id;
  await waitFor(
    () => ['binary', 'structured', 'webhook'].every((m) => deliveredTo(topic, m).length === 1),
    'one delivery per subscription',
  );

  for (const [mode, { secret }] of [
    ['binary', binary],
    ['structured', structured],
  ] as const) {
    const r = deliveredTo(topic, mode)[0]!;
    const event = asCloudEvent(r);
    assert.equal(event.specversion, '1.0');
    assert.equal(event.id, id, `${mode}: ce-id is the event id`);
    assert.equal(event.id, r.headers['webhook-id']);
    assert.equal(event.source, `/fanout/topics/${topic}`);
    assert.equal(event.type, 'fanout.event');
    const time = Date.parse(String(event.time));
    assert.ok(time >= before - 1000 && time <= Date.now(), `${mode}: ce-time is the record time`);
    assert.equal(event.datacontenttype, 'application/json');
    assert.deepEqual(event.data, { orderId: 1001, total: 12.5 });
    assert.equal(event.partitionkey, 'customer-42');
    // the signature covers the body actually sent
    assert.doesNotThrow(() =>
      new Webhook(secret).verify(r.body.toString('utf8'), {
        'webhook-id': String(r.headers['webhook-id']),
        'webhook-timestamp': String(r.headers['webhook-timestamp']),
        'webhook-signature': String(r.headers['webhook-signature']),
      }),
    );
  }
  assert.equal(deliveredTo(topic, 'binary')[0]!.headers['ce-id'], id);
  assert.equal(
    deliveredTo(topic, 'binary')[0]!.body.toString('utf8'),
    JSON.stringify({ orderId: 1001, total: 12.5 }),
    'binary mode keeps the body byte for byte',
  );
  const plain = deliveredTo(topic, 'webhook')[0]!;
  assert.equal(plain.headers['ce-id'], undefined, 'a plain subscription gets no ce- headers');
});

test('an event produced with CloudEvents headers keeps its attributes, and bytes travel as data_base64', async () => {
  const topic = await stack.createTopic(1);
  await subscribeAs(topic, 'binary');
  await subscribeAs(topic, 'structured');
  const attributes = {
    ce_specversion: '1.0',
    ce_id: 'order-77',
    ce_source: 'urn:shop:orders',
    ce_type: 'com.example.order.created',
    ce_subject: 'Zürich "north" 100%',
    ce_time: '2026-01-02T03:04:05.000Z',
    ce_tenant: 'acme',
  };
  const produced = await call(stack.baseUrl, 'POST', `/v1/topics/${topic}/events`, {
    payload: { orderId: 77 },
    headers: attributes,
  });
  assert.equal(produced.status, 202);
  // straight to Kafka, as another CloudEvents producer would write it: binary mode, not JSON
  const producer = stack.rt.kafka.producer();
  await producer.connect();
  await producer.send({
    topic,
    messages: [
      {
        value: Buffer.from([0xff, 0x00, 0x7f]),
        headers: {
          'content-type': 'application/octet-stream',
          ce_specversion: '1.0',
          ce_id: 'blob-1',
          ce_source: '/sensors/7',
          ce_type: 'com.example.reading',
        },
      },
    ],
  });
  await producer.disconnect();
  await waitFor(
    () =>
      deliveredTo(topic, 'binary').length === 2 && deliveredTo(topic, 'structured').length === 2,
    'both events to both subscriptions',
  );

  for (const mode of ['binary', 'structured']) {
    const [json, blob] = deliveredTo(topic, mode).map(asCloudEvent);
    assert.equal(json!.id, 'order-77', `${mode}: the producer's id is kept`);
    assert.equal(json!.source, 'urn:shop:orders');
    assert.equal(json!.type, 'com.example.order.created');
    assert.equal(new Date(String(json!.time)).toISOString(), '2026-01-02T03:04:05.000Z');
    assert.equal(json!.tenant, 'acme');
    assert.deepEqual(json!.data, { orderId: 77 });
    assert.equal(blob!.id, 'blob-1');
    assert.equal(blob!.source, '/sensors/7');
    assert.equal(blob!.datacontenttype, 'application/octet-stream');
    const bytes =
      mode === 'binary'
        ? deliveredTo(topic, mode)[1]!.body
        : Buffer.from(String(blob!.data_base64 ?? ''), 'base64');
    assert.deepEqual([...bytes], [0xff, 0x00, 0x7f], `${mode}: the bytes arrive intact`);
  }
  // HTTP binary mode percent-encodes what a header cannot carry; structured mode carries JSON
  const rawSubject = String(deliveredTo(topic, 'binary')[0]!.headers['ce-subject']);
  assert.equal(rawSubject, 'Z%C3%BCrich%20%22north%22%20100%25');
  assert.equal(decodeURIComponent(rawSubject), attributes.ce_subject);
  assert.equal(asCloudEvent(deliveredTo(topic, 'structured')[0]!).subject, attributes.ce_subject);
});

test('cloudEvents is validated, shown and can be changed or removed', async () => {
  const topic = await stack.createTopic(1);
  const bad = await call<{ error: { code: string; field: string } }>(
    stack.baseUrl,
    'POST',
    '/v1/subscriptions',
    { topic, endpoint: sink.url, cloudEvents: 'json' },
  );
  assert.equal(bad.status, 400);
  assert.equal(bad.body.error.field, 'cloudEvents');
  const created = await call(stack.baseUrl, 'POST', '/v1/subscriptions', {
    topic,
    endpoint: sink.url,
  });
  assert.equal(created.body.cloudEvents, null);
  const id = String(created.body.id);
  const changed = await call(stack.baseUrl, 'PATCH', `/v1/subscriptions/${id}`, {
    cloudEvents: 'structured',
  });
  assert.equal(changed.body.cloudEvents, 'structured');
  const removed = await call(stack.baseUrl, 'PATCH', `/v1/subscriptions/${id}`, {
    cloudEvents: null,
  });
  assert.equal(removed.body.cloudEvents, null);
});
