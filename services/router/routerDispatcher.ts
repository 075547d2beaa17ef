import type { Consumer, Kafka } from 'kafkajs';
import type pg from 'pg';
import type { Config } from '../../libs/config/loadConfig.ts';
import { routeBatch } from '../../libs/deliveries/routeBatch.ts';
import { toFanoutEvent } from '../../libs/events/fanoutEvent.ts';
import type { Logger } from '../../libs/log/logger.ts';
import { RegistryCache } from '../../libs/registry/registryCache.ts';

export interface DispatcherDeps {
  kafka: Kafka;
  pool: pg.Pool;
  config: Config;
  log: Logger;
  /** Told once a batch's rows are committed: this process's worker looks for them at once. */
  onRows?: () => void;
}

/**
 * Reads the topics in write fan-out with one consumer group and writes a delivery row per (event,
 * subscription) before committing each batch's offset. Topics come and go as the routing
 * changes: the consumer is restarted with the new set (no consumer at all when it is empty, so
 * write fan-out costs nothing while no topic uses it).
 *
 * Where a topic starts: a topic new to the group starts at the earliest offset, one that was in
 * write fan-out before at the switch offset it stopped at. Both are at or below every
 * subscription's floor (the bridges' committed offsets), and rows are made only from each
 * floor up, so re-reading that stretch costs a fetch and writes nothing.
 */
export class RouterDispatcher {
  private readonly deps: DispatcherDeps;
  private readonly log: Logger;
  private consumer: Consumer | undefined;
  private topics: string[] = [];
  private readonly routes: RegistryCache<string[]>;
  private timer: NodeJS.Timeout | undefined;
  private syncing: Promise<void> = Promise.resolve();
  private restartWanted = false;
  private stopped = false;

  constructor(deps: DispatcherDeps) {
    this.deps = deps;
    this.log = deps.log.child({ component: 'router' });
    this.routes = new RegistryCache(deps.pool, 'topicRoutes', writeFanoutTopics);
  }

  get topicCount(): number {
    return this.topics.length;
  }

  async start(): Promise<void> {
    await this.sync();
    this.timer = setInterval(() => {
      this.syncing = this.syncing
        .then(() => this.sync())
        .catch((err: unknown) => this.log.error('router sync failed', { err }));
    }, this.deps.config.registryRefreshMs);
  }

  private async sync(): Promise<void> {
    if (this.stopped) return;
    const wanted = await this.wantedTopics();
    if (wanted === undefined) return;
    if (!this.restartWanted && sameList(wanted, this.topics) && this.consumer !== undefined) return;
    if (!this.restartWanted && wanted.length === 0 && this.consumer === undefined) return;
    this.restartWanted = false;
    await this.stopConsumer();
    this.topics = wanted;
    if (wanted.length === 0) {
      this.log.info('router idle: no topic in write fan-out');
      return;
    }
    try {
      await this.startConsumer(wanted);
      this.log.info('router consuming', { topics: wanted.length });
    } catch (err) {
      this.log.warn('router consumer failed to start; will retry', { err });
      await this.stopConsumer();
      this.restartWanted = true;
    }
  }

  /** The topics in write fan-out (see RegistryCache); undefined: not readable now. */
  private async wantedTopics(): Promise<string[] | undefined> {
    try {
      return await this.routes.get();
    } catch (err) {
      this.log.warn('cannot read routes; keeping the current topics', { err });
      return undefined;
    }
  }

  private async startConsumer(topics: string[]): Promise<void> {
    const { config } = this.deps;
    const consumer = this.deps.kafka.consumer({
      groupId: config.routerGroupId,
      sessionTimeout: config.sessionTimeoutMs,
      rebalanceTimeout: 60_000,
      heartbeatInterval: Math.floor(config.sessionTimeoutMs / 10),
      maxWaitTimeInMs: idleFetchWaitMs(config.sessionTimeoutMs),
      allowAutoTopicCreation: false,
      retry: { retries: 10, initialRetryTime: 300, maxRetryTime: 10_000 },
    });
    this.consumer = consumer;
    consumer.on(consumer.events.CRASH, (event) => {
      const { error, restart } = event.payload;
      this.log.error('router consumer crashed', { err: error, restart });
      if (!restart && !this.stopped) this.restartWanted = true;
    });
    await consumer.connect();
    await consumer.subscribe({ topics, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      // each batch is one short transaction; a few partitions at once keep PostgreSQL busy
      partitionsConsumedConcurrently: 4,
      eachBatch: async ({ batch, resolveOffset, pause }) => {
        if (batch.isEmpty()) return;
        const events = batch.messages.map((m) => toFanoutEvent(batch.topic, batch.partition, m));
        // a PostgreSQL failure throws: KafkaJS fetches the batch again from the last commit
        const result = await routeBatch(this.deps.pool, batch.topic, batch.partition, events);
        if (result.kind === 'not_routed') {
          // the topic left write fan-out before this process noticed: hold until restarted
          pause();
          this.restartWanted = true;
          return;
        }
        if (result.rows > 0) this.deps.onRows?.();
        const last = BigInt(result.nextOffset) - 1n;
        if (last >= BigInt(batch.firstOffset() ?? result.nextOffset)) {
          resolveOffset(last.toString());
        }
        await consumer.commitOffsets([
          { topic: batch.topic, partition: batch.partition, offset: result.nextOffset },
        ]);
        // at its switch offset the partition stops until the topic leaves the router
        if (result.kind === 'stopped') pause();
      },
    });
  }

  private async stopConsumer(): Promise<void> {
    const consumer = this.consumer;
    this.consumer = undefined;
    if (consumer === undefined) return;
    try {
      await consumer.disconnect();
    } catch (err) {
      this.log.warn('router consumer did not disconnect cleanly', { err });
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.syncing;
    await this.stopConsumer();
  }
}

/** Topics the router reads: in write fan-out, or moving back from it. */
async function writeFanoutTopics(pool: pg.Pool): Promise<string[]> {
  const res = await pool.query<{ topic: string }>(
    `SELECT topic FROM topic_routes WHERE state IN ('write', 'to_read') ORDER BY topic`,
  );
  return res.rows.map((r) => r.topic);
}

function sameList(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/**
 * How long a fetch waits on the broker when no topic has new events. The dispatcher reads every
 * quiet topic, and KafkaJS sends every partition in every fetch (no incremental fetch
 * sessions): with 2,000 topics, 500 ms waits were most of an idle router's CPU and a part of the
 * broker's. Waiting longer adds no latency — the broker answers as soon as an event arrives —
 * but delays a stop or restart of the consumer by up to the wait, and heartbeats go out
 * between fetches, so it stays well within the session timeout.
 */
function idleFetchWaitMs(sessionTimeoutMs: number): number {
  return Math.min(5000, Math.floor(sessionTimeoutMs / 4));
}
