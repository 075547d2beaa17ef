import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { call } from '../../helpers/api.ts';
import { assertInOrderWithReplays } from '../../helpers/deliveryLedger.ts';
import { pinAndWait, PINNED_ROUTER_ENV, routingOf } from '../../helpers/routing.ts';
import { ServiceProcess } from '../../helpers/serviceProcess.ts';
import { startTestStack, type TestStack } from '../../helpers/testStack.ts';
import { waitFor } from '../../helpers/waitFor.ts';
import { WebhookSink } from '../../helpers/webhookSink.ts';
import { groupIdOf } from '../../../libs/registry/types.ts';

const ROUTER_ENV = {
  ...PINNED_ROUTER_ENV,
  // one head (and its run) per worker at a time: with the default, one worker could hold all six
  // heads, and a worker woken by its own settled row re-leases that partition's next head
  // before the other's next poll, so the other got no row in about one run of five
  FANOUT_DELIVERY_WORKER_CONCURRENCY: '1',
};

let stack: TestStack;
const sinks: WebhookSink[] = [];
const second = new ServiceProcess('router', ROUTER_ENV);

before(async () => {
  stack = await startTestStack({ bridge: true, router: true, env: ROUTER_ENV });
  for (let i = 0; i < 2; i++) sinks.push(await new WebhookSink().start());
});

after(async () => {
  await second.kill('SIGKILL');
  await stack?.stop();
  for (const s of sinks) await s.stop();
});

test('two router processes share the delivery rows: every event once per subscription, in partition order, no bridge running', async () => {
  await second.start('router started');
  const topic = await stack.createTopic(3);
  const ids = [
    await stack.subscribe(topic, sinks[0]!.url),
    await stack.subscribe(topic, sinks[1]!.url, { filter: { field: 'key', prefix: 'k1' } }),
  ];
  await pinAndWait(stack.baseUrl, topic, 'write');
  const routing = await routingOf(stack.baseUrl, topic);
  assert.equal(routing.mode, 'write');
  assert.equal(routing.pinned, 'write');
  assert.match(routing.reason, /pinned/);
  // the group rests in write fan-out: a seek is refused, naming why, rather than lost
  const seek = await call<{ error: { code: string; message: string } }>(
    stack.baseUrl,
    'POST',
    `/v1/subscriptions/${ids[0]}/seek`,
    { to: 'earliest' },
  );
  assert.equal(seek.status, 409);
  assert.equal(seek.body.error.code, 'FANOUT_SUBSCRIPTION_BUSY');
  assert.match(seek.body.error.message, /write fan-out/);
  // bad input to the pin is a 400 naming the field
  const bad = await call<{ error: { field: string } }>(
    stack.baseUrl,
    'PUT',
    `/v1/topics/${topic}/routing`,
    { mode: 'sideways' },
  );
  assert.equal(bad.status, 400);
  assert.equal(bad.body.error.field, 'mode');
  // slow enough that one worker cannot drain every partition before the other leases
  sinks[0]!.delayMs = 50;
  sinks[1]!.delayMs = 50;

  const expected = new Map<string, number>();
  const expectedFiltered = new Map<string, number>();
  for (let round = 0; round < 4; round++) {
    const events = Array.from({ length: 100 }, (_, i) => ({
      key: `k${(round * 100 + i) % 23}`,
      payload: { round, i },
    }));
    const res = await call<{ events: { partition: number }[] }>(
      stack.baseUrl,
      'POST',
      `/v1/topics/${topic}/events`,
      { events },
    );
    assert.equal(res.status, 202);
    res.body.events.forEach((e, i) => {
      const p = String(e.partition);
      expected.set(p, (expected.get(p) ?? 0) + 1);
      if (events[i]!.key.startsWith('k1')) expectedFiltered.set(p, 1);
    });
  }
  await waitFor(() => sinks[0]!.acknowledged().length >= 400, 'all 400 delivered', 90_000);
  assert.deepEqual(
    assertInOrderWithReplays(sinks[0]!.acknowledged()),
    expected,
    'every partition complete and in order',
  );
  assert.equal(sinks[0]!.acknowledged().length, 400, 'no event delivered twice');

  // the filtered subscription gets only its keys, still in offset order per partition
  const wantFiltered = (
    await stack.rt.pool.query<{ n: string }>(
      `SELECT count(*) AS n FROM deliveries WHERE subscription_id = $1`,
      [ids[1]],
    )
  ).rows[0]!.n;
  await waitFor(
    () => sinks[1]!.acknowledged().length >= Number(wantFiltered),
    'filtered deliveries',
  );
  assert.ok(Number(wantFiltered) > 0 && Number(wantFiltered) < 400);
  for (const r of sinks[1]!.acknowledged()) assert.match(String(r.headers['fanout-key']), /^k1/);
  const byPartition = new Map<string, number[]>();
  for (const r of sinks[1]!.acknowledged()) {
    const p = String(r.headers['fanout-partition']);
    byPartition.set(p, [...(byPartition.get(p) ?? []), Number(r.headers['fanout-offset'])]);
  }
  for (const [p, list] of byPartition) {
    assert.deepEqual(
      list,
      [...list].sort((a, b) => a - b),
      `partition ${p} in order`,
    );
  }

  // both processes leased rows; no bridge (consumer group member) ran for either subscription
  const owners = await stack.rt.pool.query<{ lease_owner: string; n: string }>(
    `SELECT lease_owner, count(*) AS n FROM deliveries WHERE status = 'delivered'
     GROUP BY lease_owner`,
  );
  assert.equal(owners.rows.length, 2, `two workers shared rows: ${JSON.stringify(owners.rows)}`);
  console.log(`# rows per worker: ${owners.rows.map((r) => r.n).join(', ')}`);
  // this process's worker counted its lease statements and every row it delivered was leased
  const mine = owners.rows.find((r) => r.lease_owner === stack.router!.worker.owner);
  const leased = (await stack.rt.metrics.leasedRows.get()).values[0]?.value ?? 0;
  assert.ok(leased >= Number(mine?.n), `leased ${leased} rows, delivered ${mine?.n}`);
  const statements = await stack.rt.metrics.leaseStatements.get();
  assert.ok(statements.values.some((v) => v.labels.result === 'rows' && v.value > 0));
  // with a backlog behind each head, a worker leased the run behind the last row it held
  assert.ok(
    statements.values.some(
      (v) => v.labels.kind === 'following' && v.labels.result === 'rows' && v.value > 0,
    ),
    `runs followed one another: ${JSON.stringify(statements.values)}`,
  );
  for (const id of ids) {
    assert.equal(await stack.rt.admin.groupMemberCount(groupIdOf(id)), 0);
  }
  const after = await routingOf(stack.baseUrl, topic);
  assert.ok(after.pending.every((p) => p.pending === 0 && p.inFlight === 0));
});
