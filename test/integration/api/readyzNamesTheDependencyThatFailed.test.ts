import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { createPool } from '../../../libs/db/createPool.ts';
import { LagMonitor } from '../../../libs/lag/lagMonitor.ts';
import { EventProducer } from '../../../libs/kafka/eventProducer.ts';
import { createRedis } from '../../../libs/redis/createRedis.ts';
import { createApp } from '../../../services/api/createApp.ts';
import { call } from '../../helpers/api.ts';
import { startTestStack, type TestStack } from '../../helpers/testStack.ts';

let stack: TestStack;

before(async () => {
  stack = await startTestStack({ bridge: false });
});

after(async () => {
  await stack?.stop();
});

test('healthz and readyz answer 200 when Kafka, PostgreSQL and Redis answer', async () => {
  assert.equal((await call(stack.baseUrl, 'GET', '/healthz')).status, 200);
  const ready = await call(stack.baseUrl, 'GET', '/readyz');
  assert.equal(ready.status, 200);
  assert.deepEqual(ready.body.checks, { kafka: 'ok', postgres: 'ok', redis: 'ok' });
});

test('readyz answers 503 naming each dependency that does not answer, while healthz stays 200', async () => {
  // Nothing listens on port 1: these clients stand for a Redis and a PostgreSQL that are down.
  const deadRedis = createRedis('redis://127.0.0.1:1/0', stack.rt.log);
  const deadPool = createPool('postgres://postgres@127.0.0.1:1/fanout_test', stack.rt.log, 1);
  const deps = {
    ...stack.rt,
    redis: deadRedis,
    pool: deadPool,
    producer: new EventProducer(stack.rt.kafka, stack.rt.admin),
    // never started: this app only answers probes
    lag: new LagMonitor({ ...stack.rt, pool: deadPool, intervalMs: 1000, windowMs: 4000 }),
  };
  const server = createApp(deps).listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    const res = await call<{
      status: string;
      checks: Record<string, string>;
      error: { code: string; field: string };
    }>(base, 'GET', '/readyz');
    assert.equal(res.status, 503);
    assert.equal(res.body.status, 'unavailable');
    assert.equal(res.body.checks.kafka, 'ok');
    assert.match(res.body.checks.redis!, /^failed/);
    assert.match(res.body.checks.postgres!, /^failed/);
    assert.equal(res.body.error.code, 'FANOUT_DEPENDENCY_UNAVAILABLE');
    assert.equal(res.body.error.field, 'postgres');
    assert.equal((await call(base, 'GET', '/healthz')).status, 200);
  } finally {
    server.close();
    deadRedis.disconnect();
    await deadPool.end();
  }
});
