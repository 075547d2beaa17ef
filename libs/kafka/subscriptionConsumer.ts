import type { Batch, Consumer, Kafka } from 'kafkajs';
import { toFanoutEvent, type FanoutEvent } from '../events/fanoutEvent.ts';
import type { Logger } from '../log/logger.ts';

/**
 * Where fetched events go. The consumer never waits for deliveries: `push` only queues, so a
 * slow or failing partition cannot hold up the fetches of the others; the receiver asks for a
 * partition to be paused when its queue is full.
 */
export interface PartitionFeed {
  /** Fetched events of one partition, in offset order. */
  push(partition: number, events: FanoutEvent[]): Promise<void>;
  /**
   * The group is rebalancing or has a new assignment: work handed out before is void. Events
   * not yet committed are fetched again from the committed offsets. The feed may commit what
   * it has once, then must call `fence`, after which its older work can commit no more.
   */
  reset(reason: string, fence: () => void): Promise<void>;
}

export interface SubscriptionConsumerOptions {
  groupId: string;
  topic: string;
  fromBeginning: boolean;
  sessionTimeoutMs: number;
  log: Logger;
}

export interface SubscriptionConsumer {
  start(feed: PartitionFeed): Promise<void>;
  /** Stops fetching and leaves the group; call after the feed committed what it could. */
  stop(): Promise<void>;
  pause(partition: number): void;
  resume(partition: number): void;
  /**
   * The assignment epoch: it moves on as soon as a rebalance begins and again when the member
   * joins a new generation. Work handed out in an earlier epoch may no longer commit.
   */
  epoch(): number;
  /**
   * Commits `offset` (the next offset to read) for a partition, unless the epoch the work came
   * from has passed — a stale watermark committed under a new generation would move the group
   * backwards. Answers whether the commit was sent.
   */
  commit(partition: number, offset: string, epoch: number): Promise<boolean>;
  /** Called when the consumer crashed and will not restart by itself. */
  onFatal(listener: (err: Error) => void): void;
}

// KafkaJS's long-poll wait for a fetch; also how long it sleeps when every partition is paused.
const MAX_WAIT_MS = 500;

/** One Kafka consumer group reading one topic for one subscription; manual commits only. */
export function createSubscriptionConsumer(
  kafka: Kafka,
  options: SubscriptionConsumerOptions,
): SubscriptionConsumer {
  const { groupId, topic, log } = options;
  const consumer: Consumer = kafka.consumer({
    groupId,
    sessionTimeout: options.sessionTimeoutMs,
    rebalanceTimeout: 60_000,
    heartbeatInterval: Math.floor(options.sessionTimeoutMs / 10),
    maxWaitTimeInMs: MAX_WAIT_MS,
    allowAutoTopicCreation: false,
    retry: { retries: 10, initialRetryTime: 300, maxRetryTime: 10_000 },
  });
  let stopping = false;
  let epoch = 0;
  // Partitions that brought events in this generation, those of them whose last batch reached
  // the end of the partition, and those paused. KafkaJS sleeps its whole maxWait when a fetch
  // has no partition left to ask for, long-polls as long on partitions without data, and a
  // resume cuts neither short. So the batch handler holds on instead, until a resume that
  // changes this (or maxWait), while every partition is paused, or while partitions with a
  // backlog are paused and none left to fetch has one: the fetch that follows a drained lane
  // then goes out at once. Found by the throughput bench: a bridge faster than its fetches sat
  // idle two thirds of the time; and once one partition was read to its end, fetches
  // long-polled it alone while the lanes of the others drained and sat idle.
  const fed = new Set<number>();
  const caughtUp = new Set<number>();
  const paused = new Set<number>();
  let wakeHeld: (() => void) | undefined;
  const release = (): void => {
    wakeHeld?.();
    wakeHeld = undefined;
  };
  const worthHolding = (): boolean => {
    let allPaused = true;
    let backlogPaused = false;
    for (const p of fed) {
      if (!paused.has(p)) {
        // a partition still to fetch that has more to read: the fetch brings it at once
        if (!caughtUp.has(p)) return false;
        allPaused = false;
      } else if (!caughtUp.has(p)) backlogPaused = true;
    }
    // with partitions read to their end still fetched, only a backlog waiting for its resume
    // is worth delaying their long poll (by maxWait at most)
    return fed.size > 0 && (allPaused || backlogPaused);
  };
  const holdWhileNothingToFetch = async (): Promise<void> => {
    if (stopping || !worthHolding()) return;
    let timer: NodeJS.Timeout | undefined;
    await new Promise<void>((resolve) => {
      wakeHeld = resolve;
      timer = setTimeout(release, MAX_WAIT_MS);
    });
    clearTimeout(timer);
  };
  const fatalListeners: ((err: Error) => void)[] = [];

  consumer.on(consumer.events.CRASH, (event) => {
    const { error, restart } = event.payload;
    log.error('consumer crashed', { groupId, err: error, restart });
    if (!restart && !stopping) for (const l of fatalListeners) l(error);
  });

  return {
    async start(feed) {
      // KafkaJS starts every new assignment from the committed offsets; whatever the feed
      // still holds from before is stale either way.
      // reset() commits what is acknowledged at once, still in the old epoch, then fences it:
      // later commits of that work (after its requests in flight finish) are refused
      consumer.on(consumer.events.REBALANCING, () => {
        release();
        const from = epoch;
        // the join may complete (and move the epoch on) before this reset's commit returns:
        // then there is nothing left to fence, and the new lanes' epoch must stay valid
        const fence = (): void => {
          if (epoch === from) epoch++;
        };
        void feed.reset('rebalancing', fence);
      });
      // a new generation: whatever the feed still holds is from before it, and must not commit
      // (a member expelled while stopped would otherwise move the group backwards)
      consumer.on(consumer.events.GROUP_JOIN, () => {
        epoch++;
        fed.clear();
        caughtUp.clear();
        void feed.reset('group joined', () => undefined);
      });
      await consumer.connect();
      await consumer.subscribe({ topics: [topic], fromBeginning: options.fromBeginning });
      await consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        // every partition's batch is only queued here, so one at a time is plenty
        partitionsConsumedConcurrently: 1,
        eachBatch: async ({ batch, resolveOffset }) => {
          if (batch.isEmpty()) return;
          const events = batch.messages.map((m) => toFanoutEvent(batch.topic, batch.partition, m));
          // moves KafkaJS's fetch position on; commits are ours and follow acknowledgements
          resolveOffset(batch.lastOffset());
          fed.add(batch.partition);
          if (reachedEnd(batch)) caughtUp.add(batch.partition);
          else caughtUp.delete(batch.partition);
          await feed.push(batch.partition, events);
          await holdWhileNothingToFetch();
        },
      });
    },
    async stop() {
      stopping = true;
      release();
      await consumer.disconnect();
    },
    pause(partition) {
      paused.add(partition);
      consumer.pause([{ topic, partitions: [partition] }]);
    },
    resume(partition) {
      paused.delete(partition);
      consumer.resume([{ topic, partitions: [partition] }]);
      if (!worthHolding()) release();
    },
    epoch: () => epoch,
    async commit(partition, offset, from) {
      if (from !== epoch) {
        log.debug('stale commit refused', { partition, offset, epoch: from, current: epoch });
        return false;
      }
      await consumer.commitOffsets([{ topic, partition, offset }]);
      return true;
    },
    onFatal(listener) {
      fatalListeners.push(listener);
    },
  };
}

/**
 * Whether a batch ended at the partition's high watermark when it was fetched: nothing more to
 * read there for now. A watermark that is not a plain offset (the broker sends -1 when it does
 * not know) counts as "maybe more", which only costs a fetch.
 */
function reachedEnd(batch: Pick<Batch, 'highWatermark' | 'lastOffset'>): boolean {
  const hw = batch.highWatermark;
  return (
    typeof hw === 'string' && /^\d+$/.test(hw) && BigInt(batch.lastOffset()) + 1n >= BigInt(hw)
  );
}
