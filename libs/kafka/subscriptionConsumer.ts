import type { Consumer, Kafka } from 'kafkajs';
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
   * not yet committed are fetched again from the committed offsets.
   */
  reset(reason: string): Promise<void>;
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
  /** Commits `offset` (the next offset to read) for a partition of the current assignment. */
  commit(partition: number, offset: string): Promise<void>;
  /** Called when the consumer crashed and will not restart by itself. */
  onFatal(listener: (err: Error) => void): void;
}

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
    maxWaitTimeInMs: 500,
    allowAutoTopicCreation: false,
    retry: { retries: 10, initialRetryTime: 300, maxRetryTime: 10_000 },
  });
  let stopping = false;
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
      consumer.on(consumer.events.REBALANCING, () => void feed.reset('rebalancing'));
      consumer.on(consumer.events.GROUP_JOIN, () => void feed.reset('group joined'));
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
          await feed.push(batch.partition, events);
        },
      });
    },
    async stop() {
      stopping = true;
      await consumer.disconnect();
    },
    pause(partition) {
      consumer.pause([{ topic, partitions: [partition] }]);
    },
    resume(partition) {
      consumer.resume([{ topic, partitions: [partition] }]);
    },
    async commit(partition, offset) {
      await consumer.commitOffsets([{ topic, partition, offset }]);
    },
    onFatal(listener) {
      fatalListeners.push(listener);
    },
  };
}
