/**
 * Read fan-out against write fan-out, on one machine, same endpoint, same events:
 *   1. deliveries/s and cost per 1,000 deliveries (CPU seconds of the delivering process —
 *      bridge for read, router for write — of the PostgreSQL backends of the benchmark's
 *      database, and of the broker, which is shared, so it carries others' load) at each
 *      subscription count on one 3-partition topic;
 *   2. the idle cost (CPU %, memory, connections to the broker) of the same process with those
 *      subscriptions and no traffic;
 *   3. from both, the event rate below which write fan-out is cheaper for each subscription
 *      count (the crossover), and whether the default thresholds pick the cheaper mode.
 * Local stack up, then:
 *   `node bench/routingCost.ts [subscriptions,...] [deliveries per run] [idle seconds]
 *      [--cap-seconds S] [--parallel P]`
 * Each case sends max(100, deliveries / subscriptions) events. `--cap-seconds` (default 600)
 * bounds the measured stretch of a case: past it the case is measured on what was delivered
 * by then and marked capped (no idle figures). `--parallel` (default 16) bounds the API calls
 * that create subscriptions at once. The issue's case: `1,10,100,1000 20000 20`.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { startApi } from '../services/api/startApi.ts';
import { createRuntime } from '../services/runtime/createRuntime.ts';
import { call } from '../test/helpers/api.ts';
import { pinAndWait } from '../test/helpers/routing.ts';
import { resetState, uniqueName } from '../test/helpers/testStack.ts';
import { sleep, waitFor } from '../test/helpers/waitFor.ts';
import { BENCH_ENV } from './benchEnv.ts';
import { brokerConnections } from './routing/brokerConnections.ts';
import { createSubscriptions, postWithRetry } from './routing/createSubscriptions.ts';
import { analyse, type CostRow } from './routing/crossover.ts';
import { BenchService } from './routing/benchService.ts';
import { dropKafkaState } from './routing/dropKafkaState.ts';
import { brokerPid, cpuSeconds, DatabaseCpu, rssMiB } from './routing/processCpu.ts';

const args = parseArgs({
  allowPositionals: true,
  options: {
    from: { type: 'string' },
    'cap-seconds': { type: 'string', default: '600' },
    parallel: { type: 'string', default: '16' },
  },
});
// `--from results/routingCost-….json` prints the analysis of a run already made
if (args.values.from !== undefined) {
  analyse((JSON.parse(await readFile(args.values.from, 'utf8')) as { rows: CostRow[] }).rows);
  process.exit(0);
}
const [countsArg, deliveriesArg, idleArg] = args.positionals;
const counts = (countsArg ?? '1,4,16,64,256').split(',').map(Number);
const deliveriesPerRun = Number(deliveriesArg ?? 20_000);
const idleSeconds = Number(idleArg ?? 20);
const capSeconds = Number(args.values['cap-seconds']);
const parallel = Number(args.values.parallel);
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

// deleted from Kafka at the end only: this process's KafkaJS clients keep asking for metadata
// of every topic they looked at, and fail once one of those is gone
const made = { topics: [] as string[], subscriptions: [] as string[] };

async function run(mode: 'read' | 'write', subscriptions: number): Promise<CostRow> {
  await resetState(rt);
  const topic = uniqueName('cost');
  await postWithRetry(base, '/v1/topics', { name: topic, partitions });
  const created = Date.now();
  const ids = await createSubscriptions(base, topic, sinkUrl, subscriptions, parallel);
  const createSeconds = (Date.now() - created) / 1000;
  const service =
    mode === 'read' ? new BenchService('bridge', env) : new BenchService('router', env);
  try {
    const started = Date.now();
    await service.start(mode === 'read' ? 'bridge started' : 'router started');
    if (mode === 'write') await pinAndWait(base, topic, 'write', 600_000);
    // one warm-up event: every consumer has joined (or the router reads the topic) first
    delivered = 0;
    await call(base, 'POST', `/v1/topics/${topic}/events`, { payload: { warm: true } });
    await waitFor(() => delivered >= subscriptions, 'warm-up delivered', 900_000, 20);
    const readySeconds = (Date.now() - started) / 1000;
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
    const wanted = events * subscriptions;
    const deadline = t0 + capSeconds * 1000;
    while (delivered < wanted && Date.now() < deadline) await sleep(20);
    const deliveries = Math.max(1, Math.min(delivered, wanted));
    const capped = delivered < wanted;
    const seconds = (Date.now() - t0) / 1000;
    const processCpu = (await cpuSeconds(service.pid)) - cpu0;
    const databaseCpu = await dbCpu.since();
    const brokerCpu = broker === undefined ? 0 : (await cpuSeconds(broker)) - broker0;
    let idleCpu = NaN;
    let idleDb = NaN;
    if (!capped) {
      // idle: same subscriptions, no traffic
      await sleep(2000);
      const idle0 = await cpuSeconds(service.pid);
      await dbCpu.start();
      await sleep(idleSeconds * 1000);
      idleCpu = (await cpuSeconds(service.pid)) - idle0;
      idleDb = await dbCpu.since();
    }
    const per1000 = (cpu: number): number => round((cpu * 1000) / deliveries);
    return {
      mode,
      subscriptions,
      events,
      deliveries,
      seconds: round(seconds),
      processCpu: round(processCpu),
      databaseCpu: round(databaseCpu),
      brokerCpu: round(brokerCpu),
      cpuPer1000: per1000(processCpu + databaseCpu),
      idleCpuPercent: round((idleCpu / idleSeconds) * 100),
      idleDatabaseCpuPercent: round((idleDb / idleSeconds) * 100),
      rssMiB: round(await rssMiB(service.pid)),
      deliveriesPerSecond: round(deliveries / seconds),
      per1000: {
        process: per1000(processCpu),
        database: per1000(databaseCpu),
        broker: per1000(brokerCpu),
      },
      createSeconds: round(createSeconds),
      readySeconds: round(readySeconds),
      brokerConnections: await brokerConnections(service.pid),
      capped,
    };
  } finally {
    await service.stop();
    made.topics.push(topic);
    made.subscriptions.push(...ids);
  }
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}

const fixed = (n: number, digits: number, width: number): string =>
  (Number.isNaN(n) ? '-' : n.toFixed(digits)).padStart(width);

const rows: CostRow[] = [];
console.log(
  'cpu_s/1k: per 1,000 deliveries; proc = bridge (read) or router (write); total = proc + db',
);
console.log(
  'mode  subs  events  deliveries  wall_s  deliv/s  proc_cpu_s/1k  db_cpu_s/1k  broker_cpu_s/1k  total_cpu_s/1k  create_s  ready_s  idle_cpu_%  idle_db_%  rss_MiB  broker_conns',
);
for (const n of counts) {
  for (const mode of ['read', 'write'] as const) {
    let r: CostRow;
    try {
      r = await run(mode, n);
    } catch (err) {
      // one case that cannot run (too many consumers for the machine, say) must not hide the rest
      console.log(`${mode.padEnd(5)} ${String(n).padStart(5)}  failed: ${String(err)}`);
      continue;
    }
    rows.push(r);
    console.log(
      [
        r.mode.padEnd(5),
        String(r.subscriptions).padStart(5),
        String(r.events).padStart(6),
        String(r.deliveries).padStart(11),
        fixed(r.seconds, 1, 7),
        fixed(r.deliveriesPerSecond ?? NaN, 0, 8),
        fixed(r.per1000?.process ?? NaN, 3, 14),
        fixed(r.per1000?.database ?? NaN, 3, 12),
        fixed(r.per1000?.broker ?? NaN, 3, 16),
        fixed(r.cpuPer1000, 3, 15),
        fixed(r.createSeconds ?? NaN, 1, 9),
        fixed(r.readySeconds ?? NaN, 1, 8),
        fixed(r.idleCpuPercent, 2, 11),
        fixed(r.idleDatabaseCpuPercent, 2, 10),
        fixed(r.rssMiB, 0, 8),
        String(r.brokerConnections ?? '-').padStart(13),
        r.capped === true ? `  capped at ${capSeconds} s` : '',
      ].join(' '),
    );
  }
}

analyse(rows);

await mkdir(new URL('./results/', import.meta.url), { recursive: true });
await writeFile(
  new URL(`./results/routingCost-${Date.now()}.json`, import.meta.url),
  JSON.stringify(
    { at: new Date().toISOString(), partitions, idleSeconds, capSeconds, rows },
    null,
    2,
  ) + '\n',
);
sink.closeAllConnections();
sink.close();
await api.stop();
await dropKafkaState(rt.kafka, made.topics, made.subscriptions);
await rt.close();
