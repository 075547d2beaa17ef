import type pg from 'pg';
import { mapLimited } from '../async/mapLimited.ts';
import type { TopicAdmin } from '../kafka/topicAdmin.ts';
import type { GroupState } from '../kafka/groupStates.ts';
import type { Logger } from '../log/logger.ts';
import type { FanoutMetrics } from '../metrics/fanoutMetrics.ts';
import { pendingLag, type PendingLag } from '../deliveries/pendingLag.ts';
import { RegistryCache } from '../registry/registryCache.ts';
import { listSubscriptions } from '../registry/subscriptionStore.ts';
import { topicsDeliveredFromRows } from '../routing/topicRouteStore.ts';
import { readRegistryVersion } from '../registry/registryVersion.ts';
import { groupIdOf, type Subscription } from '../registry/types.ts';
import { NO_BACKLOG, readBacklogs, type Backlog } from './deliveryBacklog.ts';
import {
  evaluateLag,
  LAG_STATUSES,
  type LagEvaluation,
  type LagSample,
  type PartitionSample,
} from './evaluateLag.ts';
import { evaluateRowLag, type RowSample } from './evaluateRowLag.ts';
import { lagCauses, type CauseFinding, type WorkerFacts } from './lagCauses.ts';
import { LagHistory, type LagPoint } from './lagHistory.ts';
import { OffsetTimeline } from './offsetTimeline.ts';
import { restingCommitted } from './restingOffsets.ts';

export interface PartitionLag {
  partition: number;
  status: LagEvaluation['partitions'][number]['status'];
  committedOffset: string | null;
  logEndOffset: string;
  lagMessages: number;
  /** Age of the oldest event not yet acknowledged; 0 when caught up. */
  lagSeconds: number;
  /** True when that event is older than anything sampled: lagSeconds is then a lower bound. */
  lagSecondsAtLeast: boolean;
  oldestUndeliveredAt: string | null;
}

export interface SubscriptionLag {
  subscriptionId: string;
  topic: string;
  consumerGroup: string;
  state: Subscription['state'];
  /** How the topic is delivered: read fan-out (Kafka offsets) or write fan-out (rows). */
  mode: 'read' | 'write';
  status: LagEvaluation['status'];
  evaluatedAt: string;
  window: { ms: number; spanMs: number; samples: number };
  lagMessages: number;
  lagSeconds: number;
  deliveredPerSecond: number;
  producedPerSecond: number;
  drainSeconds: number | null;
  causes: CauseFinding[];
  group: GroupState | null;
  backlog: Backlog;
  /** What the bridges delivering it report (requests, errors, response time); null: none do. */
  delivery: WorkerFacts | null;
  partitions: PartitionLag[];
}

export interface LagMonitorOptions {
  admin: TopicAdmin;
  pool: pg.Pool;
  metrics: FanoutMetrics;
  log: Logger;
  intervalMs: number;
  windowMs: number;
  /** What bridges report about a subscription's deliveries; undefined when none reported. */
  workerFacts?: (subscriptionId: string) => Promise<WorkerFacts | undefined>;
  now?: () => number;
}

// how far back a topic's timeline is seeded from Kafka's timestamp index when first seen
const SEED_AGES_MS = [5, 15, 30, 60, 120, 300, 600, 1800, 3600, 10800, 21600, 43200, 86400]
  .concat([3 * 86400, 7 * 86400])
  .map((s) => s * 1000);
const HISTORY_POINTS = 360;
// committed-offset reads under way at once: one connection to a coordinator answers them in
// turn anyway, and 10,000 queued together held hundreds of MiB of requests
const GROUP_READS_AT_ONCE = 32;
const MAX_REFINE_STEPS = 16;
const REFINE_TOLERANCE_MS = 1000;
const REFINE_SHARE = 0.02;

/**
 * Samples every live subscription's committed offsets (Kafka's own, so paused and failing
 * subscriptions are measured like the others) and its topic's log ends on an interval, keeps a
 * window of samples per subscription, evaluates it, and exports the result as metrics. One
 * log-end request per topic and one committed-offsets request per subscription per interval,
 * except for a group with nothing to read (see restingCommitted), asked once per window: on
 * thousands of quiet topics those requests were most of what sampling cost.
 */
export class LagMonitor {
  private readonly o: LagMonitorOptions;
  private readonly now: () => number;
  private readonly timelines = new Map<string, OffsetTimeline>();
  private readonly windows = new Map<string, LagSample[]>();
  // when each group's committed offsets were last asked of Kafka, and the subscription then
  private readonly reads = new Map<string, { atMs: number; updatedAtMs: number }>();
  private readonly rowWindows = new Map<string, RowSample[]>();
  private readonly latest = new Map<string, SubscriptionLag>();
  private readonly history = new Map<string, LagHistory>();
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> = Promise.resolve();
  private failedBefore = false;
  private readonly subscriptions: RegistryCache<Subscription[]>;
  private readonly rowTopics: RegistryCache<Set<string>>;
  // what each subscription's series last showed, so unchanged ones are not written again
  private readonly exported = new Map<string, ExportedSeries>();

  constructor(options: LagMonitorOptions) {
    this.o = options;
    this.now = options.now ?? Date.now;
    this.subscriptions = new RegistryCache(options.pool, 'subscriptions', listSubscriptions);
    this.rowTopics = new RegistryCache(options.pool, 'topicRoutes', topicsDeliveredFromRows);
  }

  start(): void {
    void this.refresh();
    this.timer = setInterval(() => void this.refresh(), this.o.intervalMs);
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.ticking;
  }

  /** Samples now (after any sample under way); never throws. */
  refresh(): Promise<void> {
    this.ticking = this.ticking.then(() =>
      this.tick().then(
        () => {
          if (this.failedBefore) this.o.log.info('lag sampling recovered');
          this.failedBefore = false;
        },
        (err: unknown) => {
          // logged once per outage; the gauges keep their last values meanwhile
          if (!this.failedBefore) this.o.log.warn('lag sampling failed', { err });
          this.failedBefore = true;
        },
      ),
    );
    return this.ticking;
  }

  /** Runs one Kafka request of a sample; a failure is logged at debug level and skipped. */
  private async attempt<T>(what: string, run: () => Promise<T>): Promise<T | undefined> {
    try {
      return await run();
    } catch (err) {
      this.o.log.debug('lag sample incomplete', { what, err });
      return undefined;
    }
  }

  /** The latest evaluation of a subscription, sampling first if it has none yet. */
  async statusOf(subscriptionId: string): Promise<SubscriptionLag | undefined> {
    if (!this.latest.has(subscriptionId)) await this.refresh();
    return this.latest.get(subscriptionId);
  }

  all(): SubscriptionLag[] {
    return [...this.latest.values()];
  }

  historyOf(subscriptionId: string): LagPoint[] {
    return this.history.get(subscriptionId)?.points() ?? [];
  }

  private async tick(): Promise<void> {
    const version = await readRegistryVersion(this.o.pool);
    // topics in write fan-out: their subscriptions' lag is open delivery rows, not offsets,
    // so neither their offsets nor their resting consumer groups are asked for
    const [listed, writeTopics] = await Promise.all([
      this.subscriptions.get(version),
      this.rowTopics.get(version),
    ]);
    const readListed = listed.filter((s) => !writeTopics.has(s.topic));
    const topics = [...new Set(readListed.map((s) => s.topic))];
    // A topic or group Kafka cannot answer for (just created, being deleted, a coordinator
    // moving) must not blind the monitor to the others: the topics' bounds fall back to one
    // by one, groups are asked one by one, and a subscription that could not be sampled keeps
    // its last evaluation.
    const bounds = await this.o.admin.offsetBoundsOfMany(topics);
    const atMs = this.now();
    const unseen = [...bounds].filter(([t, b]) =>
      Object.keys(b.high).some((p) => !this.timelines.has(`${t}\u0000${p}`)),
    );
    await this.seedTimelines(
      unseen.map(([t]) => t),
      atMs,
    );
    for (const [topic, b] of bounds) {
      for (const [p, end] of Object.entries(b.high))
        this.timelineOf(topic, p).add(atMs, BigInt(end));
    }
    const sampled = await mapLimited(
      readListed.filter((s) => bounds.has(s.topic)),
      GROUP_READS_AT_ONCE,
      async (s) => {
        const b = bounds.get(s.topic)!;
        const read = this.reads.get(s.id);
        // a group with nothing to read is asked again once per window, or once changed
        const resting =
          read !== undefined &&
          read.updatedAtMs === s.updatedAt.getTime() &&
          atMs - read.atMs < this.o.windowMs
            ? restingCommitted(this.windows.get(s.id)?.at(-1), b)
            : undefined;
        if (resting !== undefined) return { sub: s, committed: resting };
        const committed = await this.attempt(`committed offsets of ${s.id}`, () =>
          this.o.admin.committedOffsets(groupIdOf(s.id), s.topic, Object.keys(b.high).map(Number)),
        );
        if (committed !== undefined) {
          this.reads.set(s.id, { atMs, updatedAtMs: s.updatedAt.getTime() });
        }
        return { sub: s, committed };
      },
    );
    const readSubs = sampled.filter((x) => x.committed !== undefined).map((x) => x.sub);
    const committed = sampled.filter((x) => x.committed !== undefined).map((x) => x.committed!);
    const writeSubs = listed.filter((s) => writeTopics.has(s.topic));
    const [groups, backlogs, facts, rows] = await Promise.all([
      this.attempt('consumer group states', () =>
        this.o.admin.groupStates(readSubs.map((s) => groupIdOf(s.id))),
      ).then((g) => g ?? new Map<string, GroupState>()),
      readBacklogs(this.o.pool),
      // reports come from bridge workers, which write fan-out's subscriptions have none of
      Promise.all(readSubs.map((s) => this.o.workerFacts?.(s.id))),
      writeSubs.length === 0 ? [] : pendingLag(this.o.pool),
    ]);
    const rowsOf = new Map(rows.map((r) => [r.subscriptionId, r]));
    // the oldest undelivered event of each behind partition, dated as closely as needed
    await Promise.all(
      readSubs.map(async (sub, i) => {
        for (const [p, c] of Object.entries(committed[i]!)) {
          if (BigInt(c) < BigInt(bounds.get(sub.topic)!.high[p] ?? '0')) {
            await this.attempt(`produce time in ${sub.topic}`, () =>
              this.refine(sub.topic, Number(p), BigInt(c), atMs),
            );
          }
        }
      }),
    );
    const next = new Map<string, SubscriptionLag>();
    for (const sub of writeSubs) {
      this.windows.delete(sub.id);
      const extra = {
        group: undefined,
        backlog: backlogs.get(sub.id) ?? NO_BACKLOG,
        workers: undefined,
      };
      next.set(sub.id, this.describeRows(sub, rowsOf.get(sub.id), atMs, extra));
    }
    readSubs.forEach((sub, i) => {
      const b = bounds.get(sub.topic)!;
      const partitions = new Map<number, PartitionSample>();
      for (const [p, end] of Object.entries(b.high)) {
        const c = committed[i]![p];
        partitions.set(Number(p), {
          committed: c === undefined ? null : BigInt(c),
          low: BigInt(b.low[p] ?? '0'),
          end: BigInt(end),
        });
      }
      const window = (this.windows.get(sub.id) ?? []).filter(
        (s) => s.atMs > atMs - this.o.windowMs,
      );
      window.push({ atMs, partitions });
      this.windows.set(sub.id, window);
      const extra = {
        group: groups.get(groupIdOf(sub.id)),
        backlog: backlogs.get(sub.id) ?? NO_BACKLOG,
        workers: facts[i],
      };
      this.rowWindows.delete(sub.id);
      const evaluation = evaluateLag(window, this.o.windowMs, sub.state);
      next.set(sub.id, this.describe(sub, evaluation, window.length, atMs, extra));
    });
    // subscriptions Kafka did not answer for this time keep their last evaluation
    const fresh = new Set(next.keys());
    const live = new Set(listed.map((s) => s.id));
    for (const [id, lag] of this.latest) if (live.has(id) && !next.has(id)) next.set(id, lag);
    // swapped in whole, so a scrape or a status request never sees half a sample
    for (const id of this.windows.keys()) if (!next.has(id)) this.windows.delete(id);
    for (const id of this.reads.keys()) if (!this.windows.has(id)) this.reads.delete(id);
    for (const id of this.rowWindows.keys()) if (!next.has(id)) this.rowWindows.delete(id);
    for (const id of this.history.keys()) if (!next.has(id)) this.history.delete(id);
    this.latest.clear();
    for (const [id, lag] of next) {
      this.latest.set(id, lag);
      if (!fresh.has(id)) continue;
      let points = this.history.get(id);
      if (points === undefined) {
        points = new LagHistory(HISTORY_POINTS);
        this.history.set(id, points);
      }
      points.push({
        at: atMs,
        lagMessages: lag.lagMessages,
        lagSeconds: lag.lagSeconds,
        deliveredPerSecond: lag.deliveredPerSecond,
      });
    }
    this.export();
  }

  /** A subscription of a topic in write fan-out: lag from its open delivery rows. */
  private describeRows(
    sub: Subscription,
    rows: PendingLag | undefined,
    atMs: number,
    extra: Parameters<LagMonitor['describe']>[4],
  ): SubscriptionLag {
    const open = (rows?.pending ?? 0) + (rows?.inFlight ?? 0);
    const window = (this.rowWindows.get(sub.id) ?? []).filter(
      (s) => s.atMs > atMs - this.o.windowMs,
    );
    window.push({ atMs, open });
    this.rowWindows.set(sub.id, window);
    const e = evaluateRowLag(window, sub.state);
    const ageMs = open > 0 ? (rows?.oldestPendingAgeMs ?? 0) : 0;
    const base = this.describe(sub, e, window.length, atMs, extra);
    return {
      ...base,
      mode: 'write',
      lagSeconds: ageMs / 1000,
      // the subscription's own consumer group rests while the router delivers its rows
      causes: base.causes.filter((c) => c.cause !== 'no_consumer' && c.cause !== 'rebalancing'),
    };
  }

  private describe(
    sub: Subscription,
    e: LagEvaluation,
    samples: number,
    atMs: number,
    extra: {
      group: GroupState | undefined;
      backlog: Backlog;
      workers: WorkerFacts | undefined;
    },
  ): SubscriptionLag {
    const partitions = e.partitions.map((p): PartitionLag => {
      const from = p.committed ?? 0n;
      let lagSeconds = 0;
      let atLeast = false;
      let oldest: number | null = null;
      if (p.lag > 0n) {
        const timeline = this.timelines.get(`${sub.topic}\u0000${p.partition}`);
        const produced = timeline?.producedAt(from);
        if (produced !== undefined) oldest = produced;
        else {
          oldest = timeline?.startMs ?? atMs;
          atLeast = true;
        }
        lagSeconds = Math.max(0, (atMs - oldest) / 1000);
      }
      return {
        partition: p.partition,
        status: p.status,
        committedOffset: p.committed === null ? null : p.committed.toString(),
        logEndOffset: p.end.toString(),
        lagMessages: Number(p.lag),
        lagSeconds,
        lagSecondsAtLeast: atLeast,
        oldestUndeliveredAt: oldest === null ? null : new Date(oldest).toISOString(),
      };
    });
    return {
      subscriptionId: sub.id,
      topic: sub.topic,
      consumerGroup: groupIdOf(sub.id),
      state: sub.state,
      mode: 'read',
      status: e.status,
      evaluatedAt: new Date(atMs).toISOString(),
      window: { ms: this.o.windowMs, spanMs: e.spanMs, samples },
      lagMessages: Number(e.lag),
      lagSeconds: partitions.reduce((a, p) => Math.max(a, p.lagSeconds), 0),
      deliveredPerSecond: e.deliveredPerSecond,
      producedPerSecond: e.producedPerSecond,
      drainSeconds: e.drainSeconds,
      causes: lagCauses({
        state: sub.state,
        lag: e.lag,
        backlog: extra.backlog,
        group: extra.group,
        workers: extra.workers,
      }),
      group: extra.group ?? null,
      backlog: extra.backlog,
      delivery: extra.workers ?? null,
      partitions,
    };
  }

  /**
   * Narrows down when the record at `offset` was written by asking Kafka's timestamp index
   * for the first offset at the middle of its bracket, until the bracket is within a second or
   * 2% of the record's age. The answers land in the timeline, so each is asked once.
   */
  private async refine(
    topic: string,
    partition: number,
    offset: bigint,
    atMs: number,
  ): Promise<void> {
    const timeline = this.timelines.get(`${topic}\u0000${partition}`);
    if (timeline === undefined) return;
    for (let i = 0; i < MAX_REFINE_STEPS; i++) {
      const b = timeline.bracket(offset);
      if (b === undefined) return;
      if (b.toMs - b.fromMs <= Math.max(REFINE_TOLERANCE_MS, (atMs - b.toMs) * REFINE_SHARE))
        return;
      const mid = Math.floor((b.fromMs + b.toMs) / 2);
      const offsets = await this.o.admin.offsetsAt(topic, mid);
      for (const [p, end] of Object.entries(offsets)) {
        this.timelines.get(`${topic}\u0000${p}`)?.add(mid, BigInt(end));
      }
    }
  }

  /** A topic-partition's timeline; one not seeded (Kafka did not answer) starts empty. */
  private timelineOf(topic: string, partition: string): OffsetTimeline {
    const key = `${topic}\u0000${partition}`;
    let timeline = this.timelines.get(key);
    if (timeline === undefined) this.timelines.set(key, (timeline = new OffsetTimeline()));
    return timeline;
  }

  /**
   * Seeds the timelines of topics seen for the first time from Kafka's timestamp index, all
   * topics in one request per leader and age: asked topic by topic through KafkaJS's admin,
   * 2,000 new topics were 120,000 requests, each walking the metadata of every topic, and the
   * api's heap peaked at several hundred MiB. Without seeding (Kafka did not answer) a timeline
   * starts now and older events get a lower bound for their age.
   */
  private async seedTimelines(topics: string[], atMs: number): Promise<void> {
    if (topics.length === 0) return;
    const ages = SEED_AGES_MS.map((age) => atMs - age);
    const seeds =
      (await this.attempt(`timestamp index of ${topics.length} topic(s)`, () =>
        this.o.admin.offsetsAtMany(topics, ages),
      )) ?? new Map<string, Map<number, Record<string, string>>>();
    // only partitions without a timeline: one already sampled keeps what it saw
    const fresh = new Map<string, OffsetTimeline>();
    for (const [topic, byAge] of seeds) {
      for (const [at, offsets] of byAge) {
        for (const [p, end] of Object.entries(offsets)) {
          const key = `${topic}\u0000${p}`;
          if (this.timelines.has(key)) continue;
          let timeline = fresh.get(key);
          if (timeline === undefined) fresh.set(key, (timeline = new OffsetTimeline()));
          timeline.add(at, BigInt(end));
        }
      }
    }
    for (const [key, timeline] of fresh) this.timelines.set(key, timeline);
  }

  /**
   * Puts the latest evaluations on the gauges. Only the series of subscriptions whose figures
   * changed are written: with 10,000 quiet subscriptions, writing every series of every one
   * each interval (about a dozen hashed label sets apiece) was a third of the api's idle CPU.
   */
  private export(): void {
    const m = this.o.metrics;
    const live = new Set<string>();
    for (const lag of this.latest.values()) {
      live.add(lag.subscriptionId);
      const figures = figuresOf(lag);
      const before = this.exported.get(lag.subscriptionId);
      if (before?.figures === figures) continue;
      if (before !== undefined) this.unexport(lag.subscriptionId, before);
      const labels = { subscription: lag.subscriptionId, topic: lag.topic };
      for (const p of lag.partitions) {
        const pl = { ...labels, partition: String(p.partition) };
        if (p.committedOffset !== null) m.committedOffset.set(pl, Number(p.committedOffset));
        m.logEndOffset.set(pl, Number(p.logEndOffset));
        m.partitionLagMessages.set(pl, p.lagMessages);
        m.partitionLagSeconds.set(pl, p.lagSeconds);
      }
      m.lagMessages.set(labels, lag.lagMessages);
      m.lagSeconds.set(labels, lag.lagSeconds);
      m.drainSeconds.set(labels, lag.drainSeconds ?? -1);
      m.deliveryRate.set(labels, lag.deliveredPerSecond);
      for (const s of LAG_STATUSES)
        m.status.set({ ...labels, status: s }, s === lag.status ? 1 : 0);
      m.deadLettersStored.set(labels, lag.backlog.deadLetters);
      m.retriesParked.set(labels, lag.backlog.retrying);
      this.exported.set(lag.subscriptionId, {
        figures,
        topic: lag.topic,
        partitions: lag.partitions.map((p) => String(p.partition)),
      });
    }
    for (const [id, before] of this.exported) {
      if (live.has(id)) continue;
      this.unexport(id, before);
      this.exported.delete(id);
    }
  }

  /** Removes a subscription's series as last exported (its topic or partitions may change). */
  private unexport(subscriptionId: string, before: ExportedSeries): void {
    const m = this.o.metrics;
    const labels = { subscription: subscriptionId, topic: before.topic };
    for (const partition of before.partitions) {
      const pl = { ...labels, partition };
      for (const g of [
        m.committedOffset,
        m.logEndOffset,
        m.partitionLagMessages,
        m.partitionLagSeconds,
      ])
        g.remove(pl);
    }
    for (const g of [
      m.lagMessages,
      m.lagSeconds,
      m.drainSeconds,
      m.deliveryRate,
      m.deadLettersStored,
      m.retriesParked,
    ])
      g.remove(labels);
    for (const s of LAG_STATUSES) m.status.remove({ ...labels, status: s });
  }
}

interface ExportedSeries {
  figures: string;
  topic: string;
  partitions: string[];
}

/** Every figure a subscription's series show, as one comparable string. */
function figuresOf(lag: SubscriptionLag): string {
  let out = `${lag.topic}|${lag.status}|${lag.lagMessages}|${lag.lagSeconds}|${lag.drainSeconds}|${lag.deliveredPerSecond}|${lag.backlog.deadLetters}|${lag.backlog.retrying}`;
  for (const p of lag.partitions) {
    out += `|${p.partition}:${p.committedOffset}:${p.logEndOffset}:${p.lagMessages}:${p.lagSeconds}`;
  }
  return out;
}
