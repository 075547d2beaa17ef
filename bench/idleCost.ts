/**
 * Idle cost of many quiet subscriptions: T topics with S subscriptions each and no traffic,
 * delivered (1) by read fan-out only — a bridge process, one consumer group per subscription —
 * and (2) hybrid — the same bridge process plus a router process, with the routing decision on
 * its defaults (which move every quiet topic to write fan-out). Prints, over a measured window,
 * CPU %, memory and established broker connections of each platform process (api, bridge and
 * router, each its own process as deployed) and their sum; of this benchmark's own process on
 * a line of its own, as it is not part of the platform (the webhook sink, and the bookkeeping:
 * the registry reset, route and consumer-group checks, cleanup); CPU % of the benchmark
 * database's PostgreSQL backends, and the broker's CPU % (shared machine: others' load
 * included) and open files; and how long creating the topics and subscriptions took.
 * Local stack up, then:
 *   `node bench/idleCost.ts [topics] [subscriptions per topic] [seconds] [--parallel P]
 *      [--phases read,hybrid] [--force-read] [--settle-seconds 30]`
 * (the issue's case is 2,000 topics x 5; dead-letter topics are made at a subscription's first
 * dead letter, so none here). A bridge keeps 2 broker connections per subscription
 * in read fan-out: the read-only phase is skipped, with the reason, when those would not fit in
 * the broker's or this process's open-file limit (`--force-read` runs it anyway). Without it
 * the hybrid phase starts the router first and the bridge once every topic is in write fan-out.
 * The hybrid phase is then measured once more with the three services restarted on the same
 * registry (at rest, without the creation burst's heap). Everything made on the broker is
 * deleted at the end.
 */
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { createRuntime } from '../services/runtime/createRuntime.ts';
import { resetState, uniqueName } from '../test/helpers/testStack.ts';
import { sleep, waitFor } from '../test/helpers/waitFor.ts';
import { groupIdOf } from '../libs/registry/types.ts';
import { BENCH_ENV } from './benchEnv.ts';
import { BenchService } from './routing/benchService.ts';
import { brokerConnections, openFiles } from './routing/brokerConnections.ts';
import { inParallel, postWithRetry } from './routing/createSubscriptions.ts';
import { dropKafkaState } from './routing/dropKafkaState.ts';
import { brokerPid, cpuSeconds, DatabaseCpu, rssMiB } from './routing/processCpu.ts';

const args = parseArgs({
  allowPositionals: true,
  options: {
    parallel: { type: 'string', default: '32' },
    // after the last switch the router's consumer joins its group over every topic once more
    // (seconds of KafkaJS work with thousands of topics): not idle cost, so not measured
    'settle-seconds': { type: 'string', default: '30' },
    phases: { type: 'string', default: 'read,hybrid' },
    'force-read': { type: 'boolean', default: false },
  },
});
const [topicsArg, perTopicArg, secondsArg] = args.positionals;
const topics = Number(topicsArg ?? 500);
const perTopic = Number(perTopicArg ?? 2);
const seconds = Number(secondsArg ?? 60);
const parallel = Number(args.values.parallel);
const settleMs = Number(args.values['settle-seconds']) * 1000;
const phases = new Set(args.values.phases.split(','));
const env: NodeJS.ProcessEnv = {
  ...process.env,
  ...BENCH_ENV,
  // the decision as shipped, except that a topic may move at once (no dwell after creation)
  FANOUT_ROUTER_MIN_DWELL_MS: '0',
};
// the bench's own connections: resetting the registry, reading routes and groups, cleanup
const rt = await createRuntime('bench', env);
const dbCpu = new DatabaseCpu(rt.pool);
const broker = await brokerPid();
const sink = createServer((req, res) => req.resume().on('end', () => res.writeHead(200).end()));
await new Promise<void>((r) => sink.listen(0, '127.0.0.1', r));
const sinkUrl = `http://127.0.0.1:${(sink.address() as AddressInfo).port}/hook`;

await resetState(rt);
const names = Array.from({ length: topics }, () => uniqueName('idle'));
let subIds: string[] = [];
let t0: number;

/** Creates the topics and subscriptions through the api, and prints how long each took. */
async function create(base: string): Promise<void> {
  let start = Date.now();
  await inParallel(topics, parallel, (t) =>
    postWithRetry(base, '/v1/topics', { name: names[t], partitions: 1 }),
  );
  const topicSeconds = (Date.now() - start) / 1000;
  start = Date.now();
  subIds = await inParallel(topics * perTopic, parallel, async (i) =>
    String(
      (
        await postWithRetry(base, '/v1/subscriptions', {
          topic: names[Math.floor(i / perTopic)],
          endpoint: sinkUrl,
        })
      ).id,
    ),
  );
  const subSeconds = (Date.now() - start) / 1000;
  console.log(`${topics} topics x ${perTopic} subscriptions = ${subIds.length} subscriptions`);
  console.log(
    `created in ${topicSeconds.toFixed(1)} s (topics) + ${subSeconds.toFixed(1)} s (subscriptions, ${parallel} at a time)`,
  );
}

interface Measured {
  label: string;
  cpu: number[];
  rss: number[];
  conns: number[];
  db: number;
  broker: number;
}

async function measure(services: [string, number][]): Promise<Measured> {
  const pids = services.map(([, pid]) => pid);
  const cpu0 = await Promise.all(pids.map(cpuSeconds));
  const b0 = broker === undefined ? 0 : await cpuSeconds(broker);
  await dbCpu.start();
  const from = process.hrtime.bigint() / 1000n;
  await sleep(seconds * 1000);
  const cpu1 = await Promise.all(pids.map(cpuSeconds));
  if (process.env.FANOUT_BENCH_PROFILE_DIR !== undefined) {
    // for `node bench/profileSummary.ts <profile> <top> <from> <to>`: this window only
    console.log(`profile window (monotonic µs): ${from} ${process.hrtime.bigint() / 1000n}`);
  }
  return {
    label: services.map(([name]) => name).join(' + '),
    cpu: cpu1.map((c, i) => ((c - cpu0[i]!) / seconds) * 100),
    rss: await Promise.all(pids.map(rssMiB)),
    conns: await Promise.all(pids.map((pid) => brokerConnections(pid))),
    db: ((await dbCpu.since()) / seconds) * 100,
    broker: broker === undefined ? 0 : (((await cpuSeconds(broker)) - b0) / seconds) * 100,
  };
}

/** Measures the platform's processes and this one over one window; prints them apart. */
async function report(title: string, platform: [string, number][]): Promise<void> {
  const m = await measure([...platform, ['bench', process.pid]]);
  const sum = (xs: number[]): number => xs.slice(0, platform.length).reduce((a, b) => a + b, 0);
  const files = broker === undefined ? undefined : await openFiles(broker);
  const line = (name: string, cpu: number, rss: number, conns: number): string =>
    `  ${name.padEnd(32)} ${cpu.toFixed(1).padStart(6)} % CPU ${rss.toFixed(0).padStart(6)} MiB ${String(conns).padStart(6)} broker connections`;
  console.log(`${title}:`);
  platform.forEach(([name], i) => console.log(line(name, m.cpu[i]!, m.rss[i]!, m.conns[i]!)));
  const label = `platform (${platform.map(([name]) => name).join(' + ')})`;
  console.log(line(label, sum(m.cpu), sum(m.rss), sum(m.conns)));
  const b = platform.length;
  console.log(
    `${line('bench: sink + bookkeeping', m.cpu[b]!, m.rss[b]!, m.conns[b]!)} (not platform)`,
  );
  console.log(`  api's V8 heap: ${await heapOf(apiBase)}`);
  console.log(
    `  PostgreSQL backends ${m.db.toFixed(1)} %; broker ${m.broker.toFixed(1)} % (shared)${files === undefined ? '' : `, ${files.open} of ${files.limit} open files`}`,
  );
}

/** Heap in use, heap held and memory outside it, from a service's own metrics: what its RSS is. */
async function heapOf(base: string): Promise<string> {
  const text = await (await fetch(`${base}/metrics`)).text();
  const mib = (name: string): string => {
    const value = new RegExp(`^${name}[^ ]* (\\S+)$`, 'm').exec(text)?.[1];
    return value === undefined ? '?' : (Number(value) / 2 ** 20).toFixed(0);
  };
  return `${mib('nodejs_heap_size_used_bytes')} MiB used of ${mib('nodejs_heap_size_total_bytes')} MiB (young generation ${mib('nodejs_heap_space_size_total_bytes\\{space="new"')} MiB), ${mib('nodejs_external_memory_bytes')} MiB external`;
}

/**
 * Whether a bridge with a consumer group per subscription fits: 2 connections each, on this
 * process's side (the bridge inherits its limit) and on the broker's, which also holds a file
 * per partition.
 */
async function readFits(): Promise<string | undefined> {
  const needed = 2 * subIds.length + 100;
  const own = Number(
    /Max open files\s+(\d+)/.exec(await readFile('/proc/self/limits', 'utf8'))?.[1] ?? 0,
  );
  if (own > 0 && needed > own) return `${needed} sockets > this process's limit of ${own} files`;
  if (broker === undefined) return undefined;
  const files = await openFiles(broker);
  if (files.limit > 0 && files.open + needed > files.limit) {
    return `the broker has ${files.open} of ${files.limit} files open; ${needed} more connections would not fit`;
  }
  return undefined;
}

async function allInWrite(): Promise<boolean> {
  const res = await rt.pool.query<{ n: string }>(
    `SELECT count(*) AS n FROM topic_routes WHERE state = 'write' AND topic = ANY ($1)`,
    [names],
  );
  return Number(res.rows[0]!.n) === topics;
}

const api = new BenchService('api', env);
const bridge = new BenchService('bridge', env);
const router = new BenchService('router', env);
// taken at each start: the service's kept output may no longer hold its first lines later
let apiBase = '';
try {
  await api.start('api listening');
  apiBase = api.apiBase();
  await create(apiBase);
  const tooMany = phases.has('read') && !args.values['force-read'] ? await readFits() : undefined;
  if (tooMany !== undefined) {
    console.log(`read fan-out only: skipped, ${tooMany} (--force-read runs it)`);
  }
  const readPhase = phases.has('read') && tooMany === undefined;
  if (readPhase) {
    // 1. read fan-out only
    t0 = Date.now();
    await bridge.start('bridge started');
    await waitFor(
      async () => {
        for (const id of subIds)
          if ((await rt.admin.groupMemberCount(groupIdOf(id))) === 0) return false;
        return true;
      },
      'every subscription has its consumer',
      3_600_000,
      2000,
    );
    console.log(`every consumer joined in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    await sleep(5000);
    await report('read fan-out only', [
      ['api', api.pid],
      ['bridge', bridge.pid],
    ]);
  }
  if (phases.has('hybrid')) {
    // 2. hybrid: the router moves the quiet topics to write fan-out by the default thresholds
    t0 = Date.now();
    await router.start('router started');
    await waitFor(allInWrite, 'every quiet topic in write fan-out', 3_600_000, 2000);
    // without the read phase the bridge comes last, and starts no consumer for these topics
    if (!readPhase) await bridge.start('bridge started');
    const reasons = await rt.pool.query<{ reason: string }>(
      `SELECT reason FROM topic_routes WHERE topic = $1`,
      [names[0]],
    );
    console.log(
      `every topic moved to write fan-out in ${((Date.now() - t0) / 1000).toFixed(1)} s; e.g. "${reasons.rows[0]?.reason}"`,
    );
    await sleep(settleMs);
    await report('hybrid (bridge + router)', [
      ['api', api.pid],
      ['bridge', bridge.pid],
      ['router', router.pid],
    ]);
    // the same platform started anew on the registry it now holds, as after a deploy: what
    // holding the subscriptions costs without the heap grown while they were made and switched
    for (const service of [router, bridge, api]) await service.stop();
    await api.start('api listening');
    apiBase = api.apiBase();
    await router.start('router started');
    await bridge.start('bridge started');
    await sleep(settleMs);
    await report('hybrid, the services restarted (at rest)', [
      ['api', api.pid],
      ['bridge', bridge.pid],
      ['router', router.pid],
    ]);
  }
} finally {
  await router.stop();
  await bridge.stop();
  await api.stop();
  await resetState(rt);
  sink.close();
  await dropKafkaState(rt.kafka, names, subIds);
  await rt.close();
}
