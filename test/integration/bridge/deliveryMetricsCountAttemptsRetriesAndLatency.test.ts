import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { call } from '../../helpers/api.ts';
import { scrape, sumOf } from '../../helpers/promText.ts';
import { startStackAndSink, stopAll, type TestStack } from '../../helpers/testStack.ts';
import { waitFor } from '../../helpers/waitFor.ts';
import type { WebhookSink } from '../../helpers/webhookSink.ts';

let stack: TestStack;
let sink: WebhookSink;

before(async () => {
  ({ stack, sink } = await startStackAndSink());
});
after(() => stopAll(stack, sink));

test('GET /metrics counts attempts by status class, retries, settled events and produce-to-ACK latency, without URLs or event ids', async () => {
  const topic = await stack.createTopic(1);
  const id = await stack.subscribe(topic, sink.url);
  // the first two requests fail with 503, every later one succeeds
  let answered = 0;
  sink.respond = () => (++answered <= 2 ? 503 : 200);
  const events = Array.from({ length: 3 }, (_, i) => ({ payload: { i } }));
  const produced = await call(stack.baseUrl, 'POST', `/v1/topics/${topic}/events`, { events });
  assert.equal(produced.status, 202);
  await waitFor(() => sink.acknowledged().length === 3, 'three events acknowledged');

  const labels = { subscription: id, topic };
  await waitFor(
    async () =>
      sumOf(await scrape(`${stack.baseUrl}/metrics`), 'fanout_events_settled_total', labels) === 3,
    'settled count to reach 3',
  );
  const res = await fetch(`${stack.baseUrl}/metrics`);
  assert.match(res.headers.get('content-type') ?? '', /^text\/plain/);
  const text = await res.text();
  const samples = await scrape(`${stack.baseUrl}/metrics`);
  const at = (name: string, extra: Record<string, string> = {}): number =>
    sumOf(samples, name, { ...labels, ...extra });

  assert.equal(at('fanout_delivery_attempts_total', { outcome: '5xx' }), 2);
  assert.equal(at('fanout_delivery_attempts_total', { outcome: '2xx' }), 3);
  assert.equal(at('fanout_delivery_retries_total'), 2);
  assert.equal(at('fanout_events_settled_total', { outcome: 'delivered' }), 3);
  assert.equal(at('fanout_delivery_latency_seconds_count'), 3);
  assert.equal(at('fanout_endpoint_response_seconds_count'), 5);
  assert.equal(at('fanout_deliveries_in_flight'), 0);
  assert.equal(at('fanout_circuit_open'), 0);
  // latency is measured from the record timestamp: positive and below the test's own length
  const latencySum = at('fanout_delivery_latency_seconds_sum');
  assert.ok(latencySum > 0 && latencySum < 60, `latency sum ${latencySum}`);
  // Node process metrics are there too
  assert.ok(sumOf(samples, 'process_resident_memory_bytes') > 0);
  // bounded labels: the endpoint URL and event ids never appear
  assert.ok(!text.includes(sink.url), 'endpoint URL leaked into metrics');
  const ids = (produced.body.events as { id: string }[]).map((e) => e.id);
  for (const eventId of ids) assert.ok(!text.includes(eventId), 'event id leaked into metrics');
});
