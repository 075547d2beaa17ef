import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { call } from '../../helpers/api.ts';
import { startTestStack, type TestStack } from '../../helpers/testStack.ts';

let stack: TestStack;
let topic: string;

before(async () => {
  stack = await startTestStack({ bridge: false, env: { FANOUT_MAX_BODY_BYTES: '4096' } });
  topic = await stack.createTopic(1);
});

after(async () => {
  await stack?.stop();
});

interface ErrorBody {
  error: { code: string; message: string; field?: string; retriable: boolean };
}

async function expectError(
  method: string,
  path: string,
  body: unknown,
  status: number,
  code: string,
  field: string,
  headers: Record<string, string> = {},
): Promise<void> {
  const res = await call<ErrorBody>(stack.baseUrl, method, path, body, headers);
  assert.equal(res.status, status, `${method} ${path}: ${JSON.stringify(res.body)}`);
  assert.equal(res.body.error.code, code);
  assert.equal(res.body.error.field, field);
  assert.equal(typeof res.body.error.message, 'string');
  assert.ok(res.body.error.message.length > 0);
}

test('malformed JSON gets 400 naming the body', async () => {
  await expectError('POST', '/v1/topics', '{"name": "x",', 400, 'FANOUT_MALFORMED_JSON', 'body');
  await expectError(
    'POST',
    `/v1/topics/${topic}/events`,
    '{payload:1}',
    400,
    'FANOUT_MALFORMED_JSON',
    'body',
  );
});

test('a body that is not JSON gets 415', async () => {
  await expectError(
    'POST',
    '/v1/topics',
    'name=x',
    415,
    'FANOUT_UNSUPPORTED_MEDIA_TYPE',
    'content-type',
    {
      'content-type': 'application/x-www-form-urlencoded',
    },
  );
});

test('an oversize body gets 413', async () => {
  const payload = { blob: 'x'.repeat(10_000) };
  await expectError(
    'POST',
    `/v1/topics/${topic}/events`,
    { payload },
    413,
    'FANOUT_PAYLOAD_TOO_LARGE',
    'body',
  );
});

test('invalid topic names get 400 naming the field', async () => {
  await expectError('POST', '/v1/topics', { name: 'has space' }, 400, 'FANOUT_VALIDATION', 'name');
  await expectError(
    'POST',
    '/v1/topics',
    { name: 'a'.repeat(250) },
    400,
    'FANOUT_VALIDATION',
    'name',
  );
  await expectError(
    'POST',
    '/v1/topics',
    { name: '__consumer_offsets' },
    400,
    'FANOUT_VALIDATION',
    'name',
  );
  await expectError('POST', '/v1/topics', { name: '' }, 400, 'FANOUT_VALIDATION', 'name');
  await expectError(
    'POST',
    '/v1/topics/bad%20name/events',
    { payload: 1 },
    400,
    'FANOUT_VALIDATION',
    'name',
  );
});

test('wrong types get 400 naming the field', async () => {
  await expectError('POST', '/v1/topics', { name: 7 }, 400, 'FANOUT_VALIDATION', 'name');
  await expectError(
    'POST',
    '/v1/topics',
    { name: 'ok', partitions: '3' },
    400,
    'FANOUT_VALIDATION',
    'partitions',
  );
  await expectError(
    'POST',
    '/v1/topics',
    { name: 'ok', partitions: 0 },
    400,
    'FANOUT_VALIDATION',
    'partitions',
  );
  await expectError(
    'POST',
    '/v1/topics',
    { name: 'ok', extra: true },
    400,
    'FANOUT_VALIDATION',
    'extra',
  );
  await expectError('POST', '/v1/topics', [1, 2], 400, 'FANOUT_VALIDATION', 'body');
  for (const [extra, field] of [
    [{ batch: { maxWaitMs: 10 } }, 'batch.maxEvents'],
    [{ batch: { maxEvents: 5000 } }, 'batch.maxEvents'],
    [{ batch: { maxEvents: 10, linger: 1 } }, 'batch.linger'],
    [{ rateLimit: 0 }, 'rateLimit'],
    [{ onExhausted: 'park' }, 'onExhausted'],
    [{ batch: { maxEvents: 10 }, cloudEvents: 'binary' }, 'batch'],
  ] as const) {
    await expectError(
      'POST',
      '/v1/subscriptions',
      { topic, endpoint: 'http://127.0.0.1:9/x', ...extra },
      400,
      'FANOUT_VALIDATION',
      field,
    );
  }
  await expectError(
    'POST',
    '/v1/subscriptions',
    { topic, endpoint: 42 },
    400,
    'FANOUT_VALIDATION',
    'endpoint',
  );
  await expectError(
    'POST',
    '/v1/subscriptions',
    { topic, endpoint: 'http://127.0.0.1:9/h', startFrom: 'middle' },
    400,
    'FANOUT_VALIDATION',
    'startFrom',
  );
  await expectError(
    'POST',
    '/v1/subscriptions',
    { topic, endpoint: 'http://127.0.0.1:9/h', secret: 'short' },
    400,
    'FANOUT_VALIDATION',
    'secret',
  );
  await expectError(
    'POST',
    `/v1/topics/${topic}/events`,
    { key: 5, payload: {} },
    400,
    'FANOUT_VALIDATION',
    'key',
  );
  await expectError(
    'POST',
    `/v1/topics/${topic}/events`,
    { key: 'k' },
    400,
    'FANOUT_VALIDATION',
    'payload',
  );
  await expectError(
    'POST',
    `/v1/topics/${topic}/events`,
    { events: [] },
    400,
    'FANOUT_VALIDATION',
    'events',
  );
  await expectError(
    'POST',
    `/v1/topics/${topic}/events`,
    { events: [{ payload: 1 }, { payload: 2, headers: { a: 1 } }] },
    400,
    'FANOUT_VALIDATION',
    'events[1].headers.a',
  );
  await expectError(
    'POST',
    `/v1/topics/${topic}/events`,
    { payload: 1, headers: { 'fanout-event-id': 'x' } },
    400,
    'FANOUT_VALIDATION',
    'headers.fanout-event-id',
  );
  await expectError(
    'GET',
    '/v1/subscriptions/not-a-uuid',
    undefined,
    400,
    'FANOUT_VALIDATION',
    'id',
  );
});

test('non-http(s) endpoints get 400 naming the endpoint', async () => {
  for (const endpoint of [
    'ftp://example.test/x',
    'file:///etc/passwd',
    'not a url',
    'javascript:alert(1)',
  ]) {
    await expectError(
      'POST',
      '/v1/subscriptions',
      { topic, endpoint },
      400,
      'FANOUT_VALIDATION',
      'endpoint',
    );
  }
});

test('unknown topics and subscriptions get 404', async () => {
  await expectError(
    'POST',
    '/v1/subscriptions',
    { topic: 'no-such-topic-x', endpoint: 'http://127.0.0.1:9/h' },
    404,
    'FANOUT_TOPIC_NOT_FOUND',
    'topic',
  );
  await expectError(
    'POST',
    '/v1/topics/no-such-topic-x/events',
    { payload: 1 },
    404,
    'FANOUT_TOPIC_NOT_FOUND',
    'name',
  );
  await expectError(
    'GET',
    '/v1/topics/no-such-topic-x',
    undefined,
    404,
    'FANOUT_TOPIC_NOT_FOUND',
    'name',
  );
  await expectError(
    'GET',
    '/v1/subscriptions/00000000-0000-4000-8000-000000000000',
    undefined,
    404,
    'FANOUT_SUBSCRIPTION_NOT_FOUND',
    'id',
  );
  await expectError(
    'DELETE',
    '/v1/subscriptions/00000000-0000-4000-8000-000000000000',
    undefined,
    404,
    'FANOUT_SUBSCRIPTION_NOT_FOUND',
    'id',
  );
  await expectError('GET', '/v1/nothing-here', undefined, 404, 'FANOUT_NOT_FOUND', 'path');
});

test('a topic created twice gets 409', async () => {
  await expectError(
    'POST',
    '/v1/topics',
    { name: topic, partitions: 1 },
    409,
    'FANOUT_TOPIC_EXISTS',
    'name',
  );
});

test('after all that bad input the API still serves, and nothing was half-created', async () => {
  const health = await call(stack.baseUrl, 'GET', '/healthz');
  assert.equal(health.status, 200);
  const subs = await call<{ subscriptions: unknown[] }>(stack.baseUrl, 'GET', '/v1/subscriptions');
  assert.deepEqual(subs.body.subscriptions, []);
  const topics = await call<{ topics: { name: string }[] }>(stack.baseUrl, 'GET', '/v1/topics');
  assert.deepEqual(
    topics.body.topics.map((t) => t.name),
    [topic],
  );
  const ok = await call(stack.baseUrl, 'POST', `/v1/topics/${topic}/events`, {
    payload: { fine: true },
  });
  assert.equal(ok.status, 202);
});
