import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, test } from 'node:test';
import { MAX_JSON_DEPTH } from '../../../services/api/jsonBodyChecks.ts';
import { call } from '../../helpers/api.ts';
import { startTestStack, uniqueName, type TestStack } from '../../helpers/testStack.ts';

let stack: TestStack;
let topic: string;
let accepted = 0;

before(async () => {
  stack = await startTestStack({
    bridge: false,
    env: { FANOUT_MAX_BODY_BYTES: String(64 * 1024) },
  });
  topic = await stack.createTopic(1);
});

after(async () => {
  await stack?.stop();
});

interface Answer {
  status: number;
  type: string;
  body: { error?: { code: string; field?: string; message: string } };
}

/** A raw request, so a test can send bytes and headers no well-behaved client would. */
function raw(
  path: string,
  body: Buffer | string,
  headers: Record<string, string> = {},
): Promise<Answer> {
  const url = new URL(stack.baseUrl + path);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        path,
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({
            status: res.statusCode!,
            type: res.headers['content-type'] ?? '',
            body: text ? JSON.parse(text) : {},
          });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

function expectError(a: Answer, status: number, code: string, field: string): void {
  assert.equal(a.status, status, JSON.stringify(a.body));
  assert.match(a.type, /^application\/json/);
  assert.equal(a.body.error?.code, code);
  assert.equal(a.body.error?.field, field);
}

const produce = () => `/v1/topics/${topic}/events`;

test('an oversize produce body gets 413', async () => {
  const big = JSON.stringify({ payload: 'x'.repeat(70 * 1024) });
  expectError(await raw(produce(), big), 413, 'FANOUT_PAYLOAD_TOO_LARGE', 'body');
});

test('bytes that are not UTF-8 are refused, not decoded into replacement characters', async () => {
  for (const bad of [
    Buffer.from([
      0x7b, 0x22, 0x70, 0x61, 0x79, 0x6c, 0x6f, 0x61, 0x64, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22,
      0x7d,
    ]), // {"payload":"\xff\xfe"}
    Buffer.concat([Buffer.from('{"payload":"'), Buffer.from([0xc0, 0xaf]), Buffer.from('"}')]), // overlong "/"
    Buffer.concat([
      Buffer.from('{"payload":"'),
      Buffer.from([0xed, 0xa0, 0x80]),
      Buffer.from('"}'),
    ]), // a surrogate
    Buffer.concat([Buffer.from('{"payload":"'), Buffer.from([0xe2, 0x82]), Buffer.from('"}')]), // cut short
  ]) {
    expectError(await raw(produce(), bad), 400, 'FANOUT_MALFORMED_JSON', 'body');
  }
  const utf16 = Buffer.from('{"payload":1}', 'utf16le');
  expectError(
    await raw(produce(), utf16, { 'content-type': 'application/json; charset=utf-16le' }),
    415,
    'FANOUT_UNSUPPORTED_MEDIA_TYPE',
    'body',
  );
  // valid multi-byte UTF-8 is of course fine
  const ok = await raw(produce(), JSON.stringify({ payload: 'zürich 😀 東京' }));
  assert.equal(ok.status, 202);
  accepted++;
});

test('deeply nested JSON is refused before anything walks it', async () => {
  const nested = (depth: number) => `{"payload":${'['.repeat(depth - 1)}${']'.repeat(depth - 1)}}`;
  for (const depth of [MAX_JSON_DEPTH + 1, 5000, 30_000]) {
    expectError(await raw(produce(), nested(depth)), 400, 'FANOUT_MALFORMED_JSON', 'body');
  }
  // brackets inside strings are not nesting
  const inString = JSON.stringify({ payload: '['.repeat(10_000) + '\\"{' });
  assert.equal((await raw(produce(), inString)).status, 202);
  assert.equal((await raw(produce(), nested(MAX_JSON_DEPTH))).status, 202);
  accepted += 2;
  // a filter too deep for its evaluator is refused the same way
  const filter = `{"topic":"${topic}","endpoint":"http://127.0.0.1:9/x","filter":${'{"not":'.repeat(3000)}{}${'}'.repeat(3000)}}`;
  expectError(await raw('/v1/subscriptions', filter), 400, 'FANOUT_MALFORMED_JSON', 'body');
});

test('huge keys, event headers and request headers get 4xx JSON', async () => {
  expectError(
    await raw(produce(), JSON.stringify({ key: 'k'.repeat(5000), payload: 1 })),
    400,
    'FANOUT_VALIDATION',
    'key',
  );
  const headers = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`h${i}`, 'v']));
  expectError(
    await raw(produce(), JSON.stringify({ payload: 1, headers })),
    400,
    'FANOUT_VALIDATION',
    'headers',
  );
  expectError(
    await raw(produce(), JSON.stringify({ payload: 1, headers: { h: 'v'.repeat(5000) } })),
    400,
    'FANOUT_VALIDATION',
    'headers.h',
  );
  expectError(
    await raw(produce(), JSON.stringify({ payload: 1, headers: { ['n'.repeat(200)]: 'v' } })),
    400,
    'FANOUT_VALIDATION',
    `headers.${'n'.repeat(200)}`,
  );
  // request headers beyond what the HTTP server takes (16 KiB): refused with a JSON body too
  const huge = await raw(produce(), '{"payload":1}', { 'x-huge': 'y'.repeat(64 * 1024) });
  expectError(huge, 431, 'FANOUT_HEADERS_TOO_LARGE', 'headers');
});

test('topic names Kafka refuses get 400 naming the field, never a 5xx', async () => {
  const base = uniqueName('c');
  assert.equal(
    (await call(stack.baseUrl, 'POST', '/v1/topics', { name: `${base}_x`, partitions: 1 })).status,
    201,
  );
  // Kafka refuses a name that differs only in '.' versus '_' (they collide in metric names)
  const collides = await call<Answer['body']>(stack.baseUrl, 'POST', '/v1/topics', {
    name: `${base}.x`,
    partitions: 1,
  });
  assert.equal(collides.status, 400, JSON.stringify(collides.body));
  assert.equal(collides.body.error?.code, 'FANOUT_VALIDATION');
  assert.equal(collides.body.error?.field, 'name');
  for (const name of [
    'a'.repeat(250),
    '.',
    '..',
    'bad name',
    'bad/name',
    '__consumer_offsets',
    'fanout.sub.x',
    'ü',
  ]) {
    const res = await call<Answer['body']>(stack.baseUrl, 'POST', '/v1/topics', {
      name,
      partitions: 1,
    });
    assert.equal(res.status, 400, name);
    assert.equal(res.body.error?.field, 'name');
  }
  const tooMany = await call<Answer['body']>(stack.baseUrl, 'POST', '/v1/topics', {
    name: uniqueName('p'),
    partitions: 100000,
  });
  assert.equal(tooMany.status, 400);
});

test('after the hostile input only the accepted events are in the topic', async () => {
  const good = await call(stack.baseUrl, 'POST', produce(), { payload: { fine: true } });
  assert.equal(good.status, 202);
  accepted++;
  const bounds = await stack.rt.admin.offsetBounds(topic);
  assert.equal(Number(bounds.high[0]), accepted);
});
