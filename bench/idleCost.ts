/**
 * Idle cost of many quiet subscriptions: T topics with S subscriptions each and no traffic,
 * delivered (1) by read fan-out only — a bridge process, one consumer group per subscription —
 * and (2) hybrid — the same bridge process plus a router process, with the routing decision on
 * its defaults (which move every quiet topic to write fan-out). Prints CPU % and memory of our
 * processes, CPU % of the benchmark database's PostgreSQL backends, and the broker's CPU %
 * (shared machine: others' load included) over a measured window.
 * Local stack up, then: `node bench/idleCost.ts [topics] [subscriptions per topic] [seconds]`
 * (the issue's case is 500 topics x 2; each subscription also makes a dead-letter topic).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startApi } from '../services/api/startApi.ts';
import { createRuntime } from '../services/runtime/createRuntime.ts';
import { call } from '../test/helpers/api.ts';
import { resetState, uniqueName } from '../test/helpers/testStack.ts';
import { sleep, waitFor } from '../test/helpers/waitFor.ts';
import { groupIdOf } from '../libs/registry/types.ts';
import { BENCH_ENV } from './benchEnv.ts';
import { BenchService } from './routing/benchService.ts';
import { brokerPid, cpuSeconds, DatabaseCpu, rssMiB } from './routing/processCpu.ts';

const topics = Number(process.argv[2] ?? 500);
const perTopic = Number(process.argv[3] ?? 2);
const seconds = Number(process.argv[4] ?? 60);
const env: NodeJS.ProcessEnv = {
  ...process.env,
  ...BENCH_ENV,
  // the decision as shipped, except that a topic may move at once (no dwell after creation)
  FANOUT_ROUTER_MIN_DWELL_MS: '0',
};
const rt = await createRuntime('bench', env);
const api = await startApi(rt);
const base = `http://127.0.0.1:${api.port}`;
const dbCpu = new DatabaseCpu(rt.pool);
const broker = await brokerPid();
const sink = createServer((req, res) => req.resume().on('end', () => res.writeHead(200).end()));
await new Promise<void>((r) => sink.listen(0, '127.0.0.1', r));
const sinkUrl = `http://127.0.0.1:${(sink.address() as AddressInfo).port}/hook`;

async function withRetry(path: string, body: unknown): Promise<Record<string, unknown>> {
  for (let attempt = 1; ; attempt++) {
    const res = await call(base, 'POST', path, body);
    if (res.status === 201) return res.body;
    if (attempt === 5 || res.status < 500) throw new Error(`${path}: ${JSON.stringify(res.body)}`);
    await sleep(1000);
  }
}

await resetState(rt);
const subIds: string[] = [];
const names: string[] = [];
for (let t = 0; t < topics; t++) {
  const name = uniqueName('idle');
  names.push(name);
  await withRetry('/v1/topics', { name, partitions: 1 });
  for (let s = 0; s < perTopic; s++) {
    subIds.push(
      String((await withRetry('/v1/subscriptions', { topic: name, endpoint: sinkUrl })).id),
    );
  }
}
console.log(`${topics} topics x ${perTopic} subscriptions = ${subIds.length} subscriptions`);

async function measure(
  pids: number[],
): Promise<{ cpu: number; db: number; broker: number; rss: number }> {
  const cpu0 = await Promise.all(pids.map(cpuSeconds));
  const b0 = broker === undefined ? 0 : await cpuSeconds(broker);
  await dbCpu.start();
  await sleep(seconds * 1000);
  const cpu1 = await Promise.all(pids.map(cpuSeconds));
  const used = cpu1.reduce((a, c, i) => a + c - cpu0[i]!, 0);
  return {
    cpu: (used / seconds) * 100,
    db: ((await dbCpu.since()) / seconds) * 100,
    broker: broker === undefined ? 0 : (((await cpuSeconds(broker)) - b0) / seconds) * 100,
    rss: (await Promise.all(pids.map(rssMiB))).reduce((a, b) => a + b, 0),
  };
}

function print(label: string, m: { cpu: number; db: number; broker: number; rss: number }): void {
  console.log(
    `${label}: our processes ${m.cpu.toFixed(1)} % CPU, ${m.rss.toFixed(0)} MiB; PostgreSQL backends ${m.db.toFixed(1)} %; broker ${m.broker.toFixed(1)} % (shared)`,
  );
}

// 1. read fan-out only
const bridge = new BenchService('bridge', env);
await bridge.start('bridge started');
await waitFor(
  async () => {
    for (const id of subIds)
      if ((await rt.admin.groupMemberCount(groupIdOf(id))) === 0) return false;
    return true;
  },
  'every subscription has its consumer',
  1_800_000,
  2000,
);
await sleep(5000);
print('read fan-out only', await measure([bridge.pid]));

// 2. hybrid: the router moves the quiet topics to write fan-out by the default thresholds
const router = new BenchService('router', env);
await router.start('router started');
await waitFor(
  async () =>
    Number(
      (
        await rt.pool.query<{ n: string }>(
          `SELECT count(*) AS n FROM topic_routes WHERE state = 'write' AND topic = ANY ($1)`,
          [names],
        )
      ).rows[0]!.n,
    ) === topics,
  'every quiet topic in write fan-out',
  1_800_000,
  2000,
);
const reasons = await rt.pool.query<{ reason: string }>(
  `SELECT reason FROM topic_routes WHERE topic = $1`,
  [names[0]],
);
console.log(`every topic moved to write fan-out; e.g. "${reasons.rows[0]?.reason}"`);
await sleep(5000);
print('hybrid (bridge + router)', await measure([bridge.pid, router.pid]));

await router.stop();
await bridge.stop();
await resetState(rt);
sink.close();
await api.stop();
await rt.close();
