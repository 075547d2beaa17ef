/**
 * The benchmark suite: every contender against the same topic, payloads and sink, in one run.
 * Run through `npm run bench` (bench/runSuite.sh fetches the jars first):
 *   npm run bench -- [--events 20000] [--rounds 3] [--latency-rounds 3] [--latency-seconds 5]
 *                    [--cap-seconds 30] [--only substring,substring]
 * Contenders take turns within each round (order rotated per round) so machine noise lands on
 * all of them; every figure is the median of the rounds with its spread. Prints a table and
 * writes JSON under bench/results/.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, loadavg, totalmem } from 'node:os';
import { parseArgs } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import { createRuntime } from '../../services/runtime/createRuntime.ts';
import { call } from '../../test/helpers/api.ts';
import { resetState, uniqueName } from '../../test/helpers/testStack.ts';
import { BENCH_ENV } from '../benchEnv.ts';
import { AckSink } from './ackSink.ts';
import { LatencySink } from './latencySink.ts';
import { BenchProducer } from './benchProducer.ts';
import { KEY_COUNT, PAYLOAD_BYTES } from './benchPayload.ts';
import type { Pusher, Reader, ReadResult, SuiteContext } from './contender.ts';
import {
  measureLatency,
  measureThroughput,
  type LatencyRound,
  type ThroughputRound,
} from './measurePusher.ts';
import { pushers, readers } from './contenders.ts';
import { printReport, summarise } from './report.ts';
import { BenchService } from '../routing/benchService.ts';

const { values: args } = parseArgs({
  options: {
    events: { type: 'string', default: '60000' },
    rounds: { type: 'string', default: '3' },
    'latency-rounds': { type: 'string', default: '3' },
    'latency-seconds': { type: 'string', default: '5' },
    'cap-seconds': { type: 'string', default: '30' },
    partitions: { type: 'string', default: '3' },
    only: { type: 'string', default: '' },
  },
});
const events = Number(args.events);
const rounds = Number(args.rounds);
const latencyRounds = Number(args['latency-rounds']);
const latencySeconds = Number(args['latency-seconds']);
const capSeconds = Number(args['cap-seconds']);
const partitions = Number(args.partitions);
const only = args.only.split(',').filter((s) => s !== '');
const chosen = <T extends { name: string }>(list: T[]): T[] =>
  only.length === 0 ? list : list.filter((c) => only.some((o) => c.name.includes(o)));

// the machine is shared: its load at both ends of the run says how noisy the figures are
const loadAtStart = loadavg();
const brokers = process.env.FANOUT_KAFKA_BROKERS ?? '127.0.0.1:9092';
const env = { ...BENCH_ENV, FANOUT_KAFKA_BROKERS: brokers };
const rt = await createRuntime('bench', { ...process.env, ...env });
await resetState(rt);
// the api in a process of its own: its background work (lag sampling, registry polls) would
// otherwise stall the loop the sink stamps acknowledgements in, and read as contenders' latency
const api = new BenchService('api', { ...process.env, ...env });
await api.start('api listening');
const apiBase = api.apiBase();
const sink = await new AckSink().start();
const latencySink = await new LatencySink().start();
const producer = new BenchProducer(brokers);
await producer.connect();
const ctx: SuiteContext = {
  brokers,
  apiBase,
  sinkUrl: sink.url,
  fanoutEnv: env,
  kafkaLibs: process.env.FANOUT_BENCH_KAFKA_LIBS ?? '.cache/kafka/libs',
  peersDir: process.env.FANOUT_BENCH_PEERS ?? '.cache/bench-peers',
  events,
  cleanupTopics: [],
};
const log = (line: string): void =>
  console.log(`[${new Date().toISOString().slice(11, 19)}] ${line}`);

const topics: string[] = [];
async function newTopic(prefix: string): Promise<string> {
  const name = uniqueName(prefix);
  const res = await call(apiBase, 'POST', '/v1/topics', { name, partitions });
  if (res.status !== 201) throw new Error(`topic not created: ${JSON.stringify(res.body)}`);
  topics.push(name);
  return name;
}

const chosenReaders: Reader[] = chosen(readers);
const chosenPushers: Pusher[] = chosen(pushers);
const throughputTopic = await newTopic('bench');
// every latency round gets a fresh topic, made now: a topic made just before its round may
// still be settling its leaders, and the producer's retries would count as latency
const latencyTopics: string[] = [];
const latencyPushers = chosenPushers.filter((p) => p.readsKafka);
for (let i = 0; i < latencyRounds * latencyPushers.length; i++) {
  latencyTopics.push(await newTopic('lat'));
}
log(
  `filling ${throughputTopic}: ${events} events of ${PAYLOAD_BYTES} B, ${KEY_COUNT} keys, ${partitions} partitions`,
);
await producer.fill(throughputTopic, events);

const reads = new Map<string, ReadResult[]>();
const throughput = new Map<string, ThroughputRound[]>();
const latency = new Map<string, LatencyRound[]>();
const failures: { contender: string; phase: string; error: string }[] = [];
const push = <T>(m: Map<string, T[]>, k: string, v: T): void =>
  void m.set(k, [...(m.get(k) ?? []), v]);
const rotate = <T>(list: T[], by: number): T[] => list.map((_, i) => list[(i + by) % list.length]!);

for (let round = 0; round < rounds; round++) {
  for (const reader of rotate(chosenReaders, round)) {
    try {
      const r = await reader.read(throughputTopic, events, ctx);
      push(reads, reader.name, r);
      log(`round ${round + 1} ${reader.name}: ${Math.round(r.eventsPerSecond)} events/s`);
    } catch (err) {
      failures.push({
        contender: reader.name,
        phase: `read round ${round + 1}`,
        error: String(err),
      });
      log(`round ${round + 1} ${reader.name}: FAILED ${String(err).slice(0, 300)}`);
    }
  }
  for (const pusher of rotate(chosenPushers, round)) {
    try {
      const r = await measureThroughput(pusher, throughputTopic, sink, ctx, capSeconds);
      push(throughput, pusher.name, r);
      log(`round ${round + 1} ${pusher.name}: ${Math.round(r.eventsPerSecond)} events/s`);
    } catch (err) {
      failures.push({
        contender: pusher.name,
        phase: `throughput round ${round + 1}`,
        error: String(err),
      });
      log(`round ${round + 1} ${pusher.name}: FAILED ${String(err).slice(0, 300)}`);
    }
  }
}
for (let round = 0; round < latencyRounds; round++) {
  for (const pusher of rotate(
    chosenPushers.filter((p) => p.readsKafka),
    round,
  )) {
    try {
      const topic = latencyTopics.pop()!;
      const r = await measureLatency(
        pusher,
        topic,
        latencySink,
        producer,
        { ...ctx, sinkUrl: latencySink.url },
        1000,
        latencySeconds,
      );
      push(latency, pusher.name, r);
      log(
        `latency round ${round + 1} ${pusher.name}: p50 ${r.p50} p99 ${r.p99} p99.9 ${r.p999} ms (loop stalls ≤ ${r.sinkLoopMaxMs} ms in the sink, ≤ ${r.producerLoopMaxMs} ms in the producer)`,
      );
    } catch (err) {
      failures.push({
        contender: pusher.name,
        phase: `latency round ${round + 1}`,
        error: String(err),
      });
      log(`latency round ${round + 1} ${pusher.name}: FAILED ${String(err).slice(0, 300)}`);
    }
  }
}

const summary = summarise(chosenReaders, chosenPushers, reads, throughput, latency);
const machine = {
  cores: cpus().length,
  cpu: cpus()[0]?.model,
  memoryGiB: Math.round(totalmem() / 2 ** 30),
  loadAverage1mAtStart: loadAtStart[0] ?? NaN,
  loadAverage1mAtEnd: loadavg()[0] ?? NaN,
};
const settings = {
  events,
  rounds,
  latencyRounds,
  latencySeconds,
  latencyRate: 1000,
  capSeconds,
  partitions,
  payloadBytes: PAYLOAD_BYTES,
  keys: KEY_COUNT,
};
printReport(summary, settings, failures);
log(
  `load average (1 min) ${machine.loadAverage1mAtStart.toFixed(1)} at start, ${machine.loadAverage1mAtEnd.toFixed(1)} at end, on ${machine.cores} cores`,
);
await mkdir(new URL('../results/', import.meta.url), { recursive: true });
const file = new URL(`../results/suite-${Date.now()}.json`, import.meta.url);
await writeFile(
  file,
  JSON.stringify(
    {
      at: new Date().toISOString(),
      machine,
      settings,
      summary,
      failures,
      rounds: {
        reads: Object.fromEntries(reads),
        throughput: Object.fromEntries(throughput),
        latency: Object.fromEntries(latency),
      },
    },
    null,
    2,
  ) + '\n',
);
log(`results written to ${file.pathname}`);

await producer.disconnect();
await sink.stop();
await latencySink.stop();
await api.stop();
// the suite's topics go, so repeated runs do not fill the shared broker
const admin = new Kafka({
  clientId: 'bench-cleanup',
  brokers: brokers.split(','),
  logLevel: logLevel.ERROR,
}).admin();
await admin.connect();
// dead-letter topics exist only for subscriptions that dead-lettered something: asking to
// delete one that does not exist fails the whole request, retried for seconds
const existing = new Set(await admin.listTopics());
const doomed = [...topics, ...ctx.cleanupTopics].filter((t) => existing.has(t));
await admin.deleteTopics({ topics: doomed }).catch(() => undefined);
await admin.disconnect();
await resetState(rt);
await rt.close();
