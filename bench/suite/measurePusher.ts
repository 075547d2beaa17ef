import { cpus } from 'node:os';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { AckSink } from './ackSink.ts';
import type { LatencySink } from './latencySink.ts';
import type { BenchProducer } from './benchProducer.ts';
import type { Pusher, SuiteContext } from './contender.ts';
import {
  cpuSecondsOf,
  machineCpuTicks,
  ownCpuSeconds,
  pidListeningOn,
  runQueueWaitSecondsOf,
} from './processCpu.ts';
import { quantile } from './stats.ts';

export interface ThroughputRound {
  eventsPerSecond: number;
  acknowledged: number;
  /** CPU seconds per 1,000 acknowledged deliveries, by process role. */
  cpuPer1000: Record<string, number>;
  /**
   * Cores of the machine busy over the measured window, on average (all processes, stolen time
   * included): at the machine's core count, the round was bounded by the cores.
   */
  coresBusy: number;
  /**
   * Seconds each contender process's threads spent ready to run with no core free for them, per
   * second of the measured window, by role.
   */
  waitedShare: Record<string, number>;
  cappedAfterSeconds?: number;
}

export interface LatencyRound {
  produced: number;
  acknowledged: number;
  p50: number;
  p99: number;
  p999: number;
  max: number;
  /**
   * Longest event-loop stall of the latency sink's process over the stamped window (and until
   * the last answer), ms: the sink stamps an answer when its loop gets to it.
   */
  sinkLoopMaxMs: number;
  /**
   * Longest stall of the suite's own loop, which produces the events, over the stamped window,
   * ms: an event is stamped just before it is sent, so a stall delays the sends due, not the
   * stamps.
   */
  producerLoopMaxMs: number;
}

type Snapshot = Record<string, number>;

interface Reading {
  at: number;
  cpu: Snapshot;
  /** Run-queue waits of the contenders' threads, by role. */
  waited: Snapshot;
  machine: { busy: number; total: number };
}

const WARM_UP_SECONDS = 5;

function snapshot(pids: Record<string, number>, broker: number | undefined): Reading {
  const cpu: Snapshot = { sink: ownCpuSeconds() };
  const waited: Snapshot = {};
  for (const [role, pid] of Object.entries(pids)) {
    cpu[role] = cpuSecondsOf(pid);
    waited[role] = runQueueWaitSecondsOf(pid);
  }
  if (broker !== undefined) cpu['broker (shared)'] = cpuSecondsOf(broker);
  return { at: performance.now(), cpu, waited, machine: machineCpuTicks() };
}

async function until(cond: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) return false;
    await sleep(20);
  }
  return true;
}

/**
 * One throughput round: the contender reads the filled topic from its earliest offset and
 * pushes it to the sink. The clock runs from the first acknowledgement to the `events`-th
 * (group joins and JVM start-ups excluded), or stops at `capSeconds` for slow contenders.
 */
export async function measureThroughput(
  pusher: Pusher,
  topic: string,
  sink: AckSink,
  ctx: SuiteContext,
  capSeconds: number,
): Promise<ThroughputRound> {
  const broker = pidListeningOn(Number(ctx.brokers.split(',')[0]!.split(':').at(-1)));
  let pids: Record<string, number> = {};
  let first: Reading | undefined;
  let last: Reading | undefined;
  sink.reset(
    ctx.events,
    () => (first = snapshot(pids, broker)),
    () => (last = snapshot(pids, broker)),
  );
  const running = await pusher.start(topic, ctx);
  pids = running.pids;
  try {
    if (!(await until(() => sink.acked > 0, 120_000))) {
      throw new Error(`${pusher.name}: nothing acknowledged in 120 s`);
    }
    // the first reading may have been taken before the pids were known
    first ??= snapshot(pids, broker);
    for (const [role, pid] of Object.entries(pids)) {
      first.cpu[role] ??= cpuSecondsOf(pid);
      first.waited[role] ??= runQueueWaitSecondsOf(pid);
    }
    const done = await until(() => last !== undefined, capSeconds * 1000);
    last ??= snapshot(pids, broker);
    const acked = Math.min(sink.acked, ctx.events);
    const seconds = (sink.lastAt - sink.firstAt) / 1000;
    const counted = acked - sink.firstCount;
    const cpuPer1000: Record<string, number> = {};
    for (const role of Object.keys(last.cpu)) {
      cpuPer1000[role] = ((last.cpu[role]! - first.cpu[role]!) / counted) * 1000;
    }
    const windowSeconds = (last.at - first.at) / 1000;
    const waitedShare: Record<string, number> = {};
    for (const role of Object.keys(last.waited)) {
      waitedShare[role] = (last.waited[role]! - first.waited[role]!) / windowSeconds;
    }
    const round: ThroughputRound = {
      eventsPerSecond: counted / seconds,
      acknowledged: acked,
      cpuPer1000,
      coresBusy:
        ((last.machine.busy - first.machine.busy) / (last.machine.total - first.machine.total)) *
        cpus().length,
      waitedShare,
    };
    if (!done) round.cappedAfterSeconds = capSeconds;
    return round;
  } finally {
    await running.stop();
    // requests still on the wire must not count for the next contender
    await sleep(500);
  }
}

/**
 * One latency round at a steady produce rate on a fresh topic: warm-up events (unstamped) until
 * the contender delivers, then the same rate unstamped for a few seconds, then `seconds` of
 * stamped events at `perSecond`. The contender pushes to the latency sink (its own process;
 * `ctx.sinkUrl` is set to it by the caller).
 */
export async function measureLatency(
  pusher: Pusher,
  topic: string,
  sink: LatencySink,
  producer: BenchProducer,
  ctx: SuiteContext,
  perSecond: number,
  seconds: number,
): Promise<LatencyRound> {
  await sink.reset();
  const running = await pusher.start(topic, ctx);
  try {
    const deadline = Date.now() + 120_000;
    while ((await sink.stats()).acked === 0) {
      if (Date.now() > deadline) throw new Error(`${pusher.name}: warm-up never acknowledged`);
      await producer.sendUnstamped(topic);
      await sleep(250);
    }
    // the same rate, unstamped, until every partition flows and JIT compilers have warmed up
    await producer.steady(topic, perSecond, WARM_UP_SECONDS, false);
    await sink.reset();
    const loop = monitorEventLoopDelay({ resolution: 1 });
    loop.enable();
    const produced = await producer.steady(topic, perSecond, seconds);
    loop.disable();
    let stats = await sink.stats();
    for (const end = Date.now() + 30_000; stats.latencies.length < produced && Date.now() < end;) {
      await sleep(100);
      stats = await sink.stats();
    }
    const sorted = stats.latencies.slice().sort((a, b) => a - b);
    return {
      produced,
      acknowledged: sorted.length,
      p50: quantile(sorted, 0.5),
      p99: quantile(sorted, 0.99),
      p999: quantile(sorted, 0.999),
      max: sorted.at(-1) ?? NaN,
      sinkLoopMaxMs: stats.loopMaxMs,
      producerLoopMaxMs: Math.round(loop.max / 1e5) / 10,
    };
  } finally {
    await running.stop();
    await sleep(500);
  }
}
