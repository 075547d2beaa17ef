import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import fc from 'fast-check';
import { ERROR_CODES } from '../../../libs/errors/errorCodes.ts';
import { call } from '../../helpers/api.ts';
import { startStackAndSink, stopAll, type TestStack } from '../../helpers/testStack.ts';
import type { WebhookSink } from '../../helpers/webhookSink.ts';

/**
 * Property: whatever a client sends to any route — body, path parameters, query — the answer
 * is never a 5xx, and every error is JSON with a stable FANOUT_* code and a message. Runs are
 * bounded (RUNS per route, fixed seed so a failure replays) to keep the suite quick.
 */
const RUNS = Number(process.env.FANOUT_PROPERTY_RUNS ?? 100);
const SEED = Number(process.env.FANOUT_PROPERTY_SEED ?? 20261124);

let stack: TestStack;
let sink: WebhookSink;
let topic: string;
let subscription: string;

before(async () => {
  ({ stack, sink } = await startStackAndSink({
    bridge: false,
    env: { FANOUT_MAX_BODY_BYTES: '8192' },
  }));
  topic = await stack.createTopic(2);
  subscription = await stack.subscribe(topic, sink.url);
});

after(async () => {
  await stopAll(stack, sink);
});

// ---- arbitraries -------------------------------------------------------------------------

const awkwardStrings = fc.constantFrom(
  '',
  ' ',
  '.',
  '..',
  '__consumer_offsets',
  'fanout.sub.x',
  'a'.repeat(250),
  'x'.repeat(5000),
  '\u0000',
  '\ud800',
  '😀',
  '%',
  '%ZZ',
  '../../etc/passwd',
  'null',
  '-1',
  '1e309',
  '9223372036854775808',
  'http://169.254.169.254/latest/meta-data/',
  'http://[::ffff:127.0.0.1]/',
  'ftp://example.com/',
  'whsec_AAAA',
  'latest',
  'earliest',
  'partition',
  'key',
  'none',
  'read',
  'admin',
  'dead',
  'true',
);

const numbers = fc.oneof(
  fc.integer(),
  fc.constantFrom(0, -1, 1, 2, 1000, 1001, 2 ** 31, 2 ** 53, -(2 ** 53), 1.5, 1e308),
  fc.double({ noNaN: true }),
);

/** Values a field might hold, valid-looking ones included so parsing goes deep. */
function fieldValue(): fc.Arbitrary<unknown> {
  return fc.oneof(
    { weight: 3, arbitrary: awkwardStrings },
    { weight: 2, arbitrary: numbers },
    { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
    { weight: 1, arbitrary: fc.constantFrom(null, true, false, [], {}) },
    { weight: 1, arbitrary: fc.constant(topic) },
    { weight: 1, arbitrary: fc.constant(sink.url) },
    { weight: 1, arbitrary: fc.array(awkwardStrings, { maxLength: 3 }) },
    {
      weight: 1,
      arbitrary: fc.dictionary(
        fc.constantFrom(
          '0',
          '1',
          'maxEvents',
          'maxWaitMs',
          'mode',
          'key',
          'path',
          'op',
          'equals',
          'initialDelayMs',
          'maxAttempts',
        ),
        numbers,
        { maxKeys: 3 },
      ),
    },
  );
}

type Body =
  | { kind: 'json'; value: unknown }
  | { kind: 'raw'; text: string; contentType: string }
  | { kind: 'bytes'; bytes: Uint8Array }
  | { kind: 'none' };

function body(fields: string[]): fc.Arbitrary<Body> {
  const known = fields.length > 0 ? fc.constantFrom(...fields) : fc.string({ maxLength: 8 });
  return fc.oneof(
    {
      weight: 5,
      arbitrary: fc
        .dictionary(
          fc.oneof(
            { weight: 5, arbitrary: known },
            { weight: 1, arbitrary: fc.string({ maxLength: 10 }) },
          ),
          fieldValue(),
          { maxKeys: 6 },
        )
        .map((value) => ({ kind: 'json' as const, value })),
    },
    {
      weight: 1,
      arbitrary: fc.jsonValue({ maxDepth: 4 }).map((value) => ({ kind: 'json' as const, value })),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(
          fc.string({ maxLength: 60 }),
          fc.constantFrom(
            'application/json',
            'text/plain',
            'application/json; charset=latin1',
            'application/json; charset=utf-16',
          ),
        )
        .map(([text, contentType]) => ({ kind: 'raw' as const, text, contentType })),
    },
    // bytes that need not be UTF-8 at all
    {
      weight: 1,
      arbitrary: fc
        .uint8Array({ maxLength: 64 })
        .map((bytes) => ({ kind: 'bytes' as const, bytes })),
    },
    { weight: 1, arbitrary: fc.constant({ kind: 'none' as const }) },
  );
}

/** Percent-encodes any string's UTF-8 bytes (a lone surrogate becomes U+FFFD, as on the wire). */
function encode(value: string): string {
  let out = '';
  for (const byte of Buffer.from(value, 'utf8')) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9._~-]/.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** A path parameter: the real one, another well-formed one, or anything at all. */
function param(real: () => string): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 3, arbitrary: fc.constant(null).map(() => encode(real())) },
    { weight: 2, arbitrary: fc.uuid().map(encode) },
    { weight: 2, arbitrary: awkwardStrings.map(encode) },
    {
      weight: 2,
      arbitrary: fc
        .string({ unit: 'binary', maxLength: 30 })
        .filter((s) => s.length > 0)
        .map(encode),
    },
    // raw escapes that do not decode (a lone %, overlong UTF-8, a lone surrogate)
    {
      weight: 1,
      arbitrary: fc.constantFrom('%', '%E0%A4%A', '%C0%AF', '%ED%A0%80', '%FF', 'a%2Fb'),
    },
  );
}

function query(keys: string[]): fc.Arbitrary<string> {
  const value = fc.oneof(awkwardStrings, numbers.map(String), fc.string({ maxLength: 12 }));
  return fc
    .array(
      fc.tuple(
        fc.oneof(
          { weight: 4, arbitrary: fc.constantFrom(...keys, 'x') },
          { weight: 1, arbitrary: fc.string({ maxLength: 6 }) },
        ),
        value,
      ),
      { maxLength: 4 },
    )
    .map((pairs) => {
      if (pairs.length === 0) return '';
      // repeated keys arrive as arrays; some values go unencoded on purpose
      return (
        '?' +
        pairs
          .map(([k, v], i) =>
            i % 3 === 2 ? `${k}[]=${v.replace(/[#&]/g, '')}` : `${encode(k)}=${encode(v)}`,
          )
          .join('&')
      );
    });
}

// ---- routes ------------------------------------------------------------------------------

interface Route {
  method: string;
  path: (p: string) => string;
  param?: () => string;
  fields?: string[];
  query?: string[];
}

const SUB_FIELDS = [
  'topic',
  'endpoint',
  'secret',
  'startFrom',
  'retry',
  'timeoutMs',
  'ordering',
  'maxInFlight',
  'filter',
  'onExhausted',
  'rateLimit',
  'batch',
  'cloudEvents',
  'payloadFormat',
  'state',
];

const ROUTES: Route[] = [
  { method: 'POST', path: () => '/v1/topics', fields: ['name', 'partitions', 'schemaSubject'] },
  { method: 'GET', path: () => '/v1/topics', query: ['x'] },
  { method: 'GET', path: (p) => `/v1/topics/${p}`, param: () => topic },
  {
    method: 'PATCH',
    path: (p) => `/v1/topics/${p}`,
    param: () => topic,
    fields: ['schemaSubject'],
  },
  { method: 'PUT', path: (p) => `/v1/topics/${p}/routing`, param: () => topic, fields: ['mode'] },
  {
    method: 'POST',
    path: (p) => `/v1/topics/${p}/events`,
    param: () => topic,
    fields: ['key', 'payload', 'headers', 'events'],
  },
  { method: 'POST', path: () => '/v1/subscriptions', fields: SUB_FIELDS },
  { method: 'GET', path: () => '/v1/subscriptions', query: ['topic'] },
  { method: 'GET', path: (p) => `/v1/subscriptions/${p}`, param: () => subscription },
  {
    method: 'PATCH',
    path: (p) => `/v1/subscriptions/${p}`,
    param: () => subscription,
    fields: SUB_FIELDS,
  },
  {
    method: 'POST',
    path: (p) => `/v1/subscriptions/${p}/rotate-secret`,
    param: () => subscription,
    fields: ['secret', 'overlapSeconds'],
  },
  { method: 'POST', path: (p) => `/v1/subscriptions/${p}/pause`, param: () => subscription },
  { method: 'POST', path: (p) => `/v1/subscriptions/${p}/resume`, param: () => subscription },
  {
    method: 'POST',
    path: (p) => `/v1/subscriptions/${p}/seek`,
    param: () => subscription,
    fields: ['to', 'timestamp', 'offsets', 'redeliver', 'dryRun'],
  },
  { method: 'GET', path: (p) => `/v1/subscriptions/${p}/status`, param: () => subscription },
  { method: 'GET', path: () => '/v1/lag', query: ['history'] },
  {
    method: 'GET',
    path: (p) => `/v1/subscriptions/${p}/dead-letters`,
    param: () => subscription,
    query: ['status', 'limit', 'after'],
  },
  {
    method: 'POST',
    path: (p) => `/v1/subscriptions/${p}/dead-letters/replay`,
    param: () => subscription,
    fields: ['ids'],
  },
  {
    method: 'POST',
    path: (p) => `/v1/subscriptions/${p}/dead-letters/discard`,
    param: () => subscription,
    fields: ['ids'],
  },
  {
    method: 'GET',
    path: (p) => `/v1/subscriptions/${p}/held`,
    param: () => subscription,
    query: ['limit'],
  },
  {
    method: 'POST',
    path: (p) => `/v1/subscriptions/${p}/held/release`,
    param: () => subscription,
    fields: ['eventIds', 'action'],
  },
  {
    method: 'GET',
    path: (p) => `/v1/subscriptions/${p}/events`,
    param: () => subscription,
    query: ['partition', 'after', 'limit'],
  },
  { method: 'POST', path: () => '/v1/api-keys', fields: ['name', 'scopes'] },
  { method: 'GET', path: () => '/v1/api-keys' },
  {
    method: 'GET',
    path: (p) => `/v1/api-keys/${p}`,
    param: () => '0190a0f0-0000-7000-8000-000000000000',
  },
  // last: deleting the real subscription would send every later route to 404
  {
    method: 'DELETE',
    path: (p) => `/v1/api-keys/${p}`,
    param: () => '0190a0f0-0000-7000-8000-000000000000',
  },
  { method: 'DELETE', path: (p) => `/v1/subscriptions/${p}`, param: () => subscription },
];

// ---- the property ------------------------------------------------------------------------

async function send(
  method: string,
  path: string,
  b: Body,
): Promise<{ status: number; text: string; type: string }> {
  const init: RequestInit = { method, headers: {} };
  const headers = init.headers as Record<string, string>;
  if (b.kind === 'json') {
    init.body = JSON.stringify(b.value) ?? 'null';
    headers['content-type'] = 'application/json';
  } else if (b.kind === 'raw') {
    init.body = b.text;
    headers['content-type'] = b.contentType;
  } else if (b.kind === 'bytes') {
    init.body = b.bytes;
    headers['content-type'] = 'application/json';
  }
  const res = await fetch(stack.baseUrl + path, init);
  return {
    status: res.status,
    text: await res.text(),
    type: res.headers.get('content-type') ?? '',
  };
}

function checkAnswer(
  method: string,
  path: string,
  answer: { status: number; text: string; type: string },
): void {
  const where = `${method} ${path} → ${answer.status} ${answer.text.slice(0, 300)}`;
  assert.ok(answer.status < 500, where);
  if (answer.status < 400) return;
  assert.match(answer.type, /^application\/json/, where);
  const parsed = JSON.parse(answer.text) as {
    error?: { code?: unknown; message?: unknown; field?: unknown };
  };
  const code = parsed.error?.code;
  assert.ok(typeof code === 'string' && code in ERROR_CODES, `unknown code: ${where}`);
  assert.equal(ERROR_CODES[code as keyof typeof ERROR_CODES].status, answer.status, where);
  assert.equal(typeof parsed.error?.message, 'string', where);
}

for (const route of ROUTES) {
  const label = route.path(':param');
  test(`${route.method} ${label}: arbitrary input never gets a 5xx, and errors are JSON with a stable code`, async () => {
    const input = fc.record({
      p: route.param ? param(route.param) : fc.constant(''),
      q: query(route.query ?? ['x']),
      b:
        route.method === 'GET' || route.method === 'DELETE'
          ? fc.constant<Body>({ kind: 'none' })
          : body(route.fields ?? []),
    });
    await fc.assert(
      fc.asyncProperty(input, async ({ p, q, b }) => {
        const path = route.path(p) + q;
        checkAnswer(route.method, path, await send(route.method, path, b));
      }),
      { numRuns: RUNS, seed: SEED, endOnFailure: true },
    );
  });
}

test('after all of it the API still serves', async () => {
  assert.equal((await call(stack.baseUrl, 'GET', '/healthz')).status, 200);
  assert.equal((await call(stack.baseUrl, 'GET', `/v1/topics/${topic}`)).status, 200);
});
