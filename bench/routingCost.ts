/**
 * Read fan-out against write fan-out, on one machine, same endpoint, same events:
 *   1. cost per 1,000 deliveries (CPU seconds of the delivering process — bridge for read,
 *      router for write — and of the PostgreSQL backends of the benchmark's database; the
 *      broker's CPU is printed too, but the broker is shared, so it carries others' load) at
 *      1, 4, 16, 64, 256 subscriptions on one 3-partition topic;
 *   2. the idle cost (CPU % and memory) of the same process with those subscriptions and no
 *      traffic;
 *   3. from both, the event rate below which write fan-out is cheaper for each subscription
 *      count (the crossover), and whether the default thresholds pick the cheaper mode.
 * Local stack up, then:
 *   `node bench/routingCost.ts [subscriptions,...] [deliveries per run] [idle seconds]`
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startApi } from '../services/api/startApi.ts';
import { createRuntime } from '../services/runtime/createRuntime.ts';
import { call } from '../test/helpers/api.ts';
import { pinAndWait } from '../test/helpers/routing.ts';
import { resetState, uniqueName } from '../test/helpers/testStack.ts';
import { sleep, waitFor } from '../test/helpers/waitFor.ts';
import { BENCH_ENV } from './benchEnv.ts';
import { analyse, type CostRow } from './routing/crossover.ts';
import { BenchService } from './routing/benchService.ts';
import { brokerPid, cpuSeconds, DatabaseCpu, rssMiB } from './routing/processCpu.ts';

// `--from results/routingCost-….json` prints the analysis of a run already made
const fromFile = process.argv[2] === '--from' ? process.argv[3] : undefined;
if (fromFile !== undefined) {
  analyse((JSON.parse(await readFile(fromFile, 'utf8')) as { rows: CostRow[] }).rows);
  process.exit(0);
}
const counts = (process.argv[2] ?? '1,4,16,64,256').split(',').map(Number);
const deliveriesPerRun = Number(process.argv[3] ?? 20_000);
const idleSeconds = Number(process.argv[4] ?? 20);
const partitions = 3;
const env: NodeJS.ProcessEnv = {
  ...process.env,
  ...BENCH_ENV,
  // the benchmark pins each topic itself; the decision must not move it meanwhile
  FANOUT_ROUTER_AUTO: 'false',
  FANOUT_ROUTER_DECIDE_INTERVAL_MS: '500',
};

const rt = await createRuntime('bench', env);
const api = await startApi(rt);
const base = `http://127.0.0.1:${api.port}`;
const dbCpu = new DatabaseCpu(rt.pool);
const broker = await brokerPid();

let delivered = 0;
const sink = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    delivered++;
    res.writeHead(200).end();
  });
});
await new Promise<void>((r) => sink.listen(0, '127.0.0.1', r));
const sinkUrl = `http://127.0.0.1:${(sink.address() as AddressInfo).port}/hook`;

type Row = CostRow;

async function run(mode: 'read' | 'write', subscriptions: number): Promise<Row> {
  await resetState(rt);
  const topic = uniqueName('cost');
  await call(base, 'POST', '/v1/topics', { name: topic, partitions });
  for (let i = 0; i < subscriptions; i++) {
    // a busy shared broker sometimes answers a metadata request late: try a few times
    for (let attempt = 1; ; attempt++) {
      const res = await call(base, 'POST', '/v1/subscriptions', { topic, endpoint: sinkUrl });
      if (res.status === 201) break;
      if (attempt === 5 || res.status < 500) {
        throw new Error(`subscribe failed: ${JSON.stringify(res.body)}`);
      }
      await sleep(1000);
    }
  }
  const service =
    mode === 'read' ? new BenchService('bridge', env) : new BenchService('router', env);
  await service.start(mode === 'read' ? 'bridge started' : 'router started');
  try {
    if (mode === 'write') await pinAndWait(base, topic, 'write', 180_000);
    // one warm-up event: every consumer has joined (or the router reads the topic) first
    delivered = 0;
    await call(base, 'POST', `/v1/topics/${topic}/events`, { payload: { warm: true } });
    await waitFor(() => delivered >= subscriptions, 'warm-up delivered', 600_000, 20);
    await sleep(1000);
    delivered = 0;
    const events = Math.max(100, Math.ceil(deliveriesPerRun / subscriptions));
    const filler = 'x'.repeat(512);
    const cpu0 = await cpuSeconds(service.pid);
    const broker0 = broker === undefined ? 0 : await cpuSeconds(broker);
    await dbCpu.start();
    const t0 = Date.now();
    for (let sent = 0; sent < events; sent += 500) {
      const batch = Array.from({ length: Math.min(500, events - sent) }, (_, i) => ({
        key: `k${(sent + i) % 97}`,
        payload: { n: sent + i, filler },
      }));
      await call(base, 'POST', `/v1/topics/${topic}/events`, { events: batch });
    }
    await waitFor(() => delivered >= events * subscriptions, 'all delivered', 1_800_000, 20);
    const seconds = (Date.now() - t0) / 1000;
    const processCpu = (await cpuSeconds(service.pid)) - cpu0;
    const databaseCpu = await dbCpu.since();
    const brokerCpu = broker === undefined ? 0 : (await cpuSeconds(broker)) - broker0;
    // idle: same subscriptions, no traffic
    await sleep(2000);
    const idle0 = await cpuSeconds(service.pid);
    await dbCpu.start();
    await sleep(idleSeconds * 1000);
    const idleCpu = (await cpuSeconds(service.pid)) - idle0;
    const idleDb = await dbCpu.since();
    const deliveries = events * subscriptions;
    return {
      mode,
      subscriptions,
      events,
      deliveries,
      seconds: round(seconds),
      processCpu: round(processCpu),
      databaseCpu: round(databaseCpu),
      brokerCpu: round(brokerCpu),
      cpuPer1000: round(((processCpu + databaseCpu) * 1000) / deliveries),
      idleCpuPercent: round((idleCpu / idleSeconds) * 100),
      idleDatabaseCpuPercent: round((idleDb / idleSeconds) * 100),
      rssMiB: round(await rssMiB(service.pid)),
    };
  } finally {
    await service.stop();
  }
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}

const rows: Row[] = [];
console.log(
  'mode  subs  events  deliveries  wall_s  proc_cpu_s  db_cpu_s  broker_cpu_s  cpu_s/1000  idle_cpu_%  idle_db_%  rss_MiB',
);
for (const n of counts) {
  for (const mode of ['read', 'write'] as const) {
    const r = await run(mode, n);
    rows.push(r);
    console.log(
      [
        r.mode.padEnd(5),
        String(r.subscriptions).padStart(4),
        String(r.events).padStart(7),
        String(r.deliveries).padStart(11),
        r.seconds.toFixed(1).padStart(7),
        r.processCpu.toFixed(2).padStart(11),
        r.databaseCpu.toFixed(2).padStart(9),
        r.brokerCpu.toFixed(2).padStart(13),
        r.cpuPer1000.toFixed(3).padStart(11),
        r.idleCpuPercent.toFixed(2).padStart(11),
        r.idleDatabaseCpuPercent.toFixed(2).padStart(10),
        r.rssMiB.toFixed(0).padStart(8),
      ].join(' '),
    );
  }
}

analyse(rows);

await mkdir(new URL('./results/', import.meta.url), { recursive: true });
await writeFile(
  new URL(`./results/routingCost-${Date.now()}.json`, import.meta.url),
  JSON.stringify({ at: new Date().toISOString(), partitions, idleSeconds, rows }, null, 2) + '\n',
);
sink.closeAllConnections();
sink.close();
await api.stop();
await rt.close();
