import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { call } from '../../helpers/api.ts';
import { startTestStack, uniqueName, type TestStack } from '../../helpers/testStack.ts';

let stack: TestStack;

before(async () => {
  // FANOUT_SCHEMA_REGISTRY_URL left empty: no registry
  stack = await startTestStack({ bridge: false, env: { FANOUT_SCHEMA_REGISTRY_URL: '' } });
});

after(() => stack?.stop());

type ErrorBody = { error: { code: string; field: string; message: string } };

test('without a schema registry, schemaSubject and payloadFormat "decoded" are refused naming the field', async () => {
  const topic = uniqueName('t');
  const withSubject = await call<ErrorBody>(stack.baseUrl, 'POST', '/v1/topics', {
    name: topic,
    schemaSubject: 'orders-value',
  });
  assert.equal(withSubject.status, 400);
  assert.equal(withSubject.body.error.field, 'schemaSubject');
  assert.match(withSubject.body.error.message, /FANOUT_SCHEMA_REGISTRY_URL/);

  const created = await stack.createTopic(1);
  const decoded = await call<ErrorBody>(stack.baseUrl, 'POST', '/v1/subscriptions', {
    topic: created,
    endpoint: 'http://127.0.0.1:9/hook',
    payloadFormat: 'decoded',
  });
  assert.equal(decoded.status, 400);
  assert.equal(decoded.body.error.field, 'payloadFormat');
  const wrong = await call<ErrorBody>(stack.baseUrl, 'POST', '/v1/subscriptions', {
    topic: created,
    endpoint: 'http://127.0.0.1:9/hook',
    payloadFormat: 'avro',
  });
  assert.equal(wrong.status, 400);
  assert.equal(wrong.body.error.field, 'payloadFormat');
  const raw = await call(stack.baseUrl, 'POST', '/v1/subscriptions', {
    topic: created,
    endpoint: 'http://127.0.0.1:9/hook',
    payloadFormat: 'raw',
  });
  assert.equal(raw.status, 201);
  assert.equal(raw.body.payloadFormat, 'raw');
  const patch = await call<ErrorBody>(stack.baseUrl, 'PATCH', `/v1/topics/${created}`, {
    schemaSubject: 'x',
  });
  assert.equal(patch.status, 400);
  assert.equal(patch.body.error.field, 'schemaSubject');
});
