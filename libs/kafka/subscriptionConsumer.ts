import type { Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import { toFanoutEvent, type FanoutEvent } from '../events/fanoutEvent.ts';
import type { Logger } from '../log/logger.ts';

/** What a batch handler may do with the batch it was given. */
export interface BatchControl {
  /** The event was acknowledged by the endpoint: offsets up to it may now be committed. */
  acknowledge(event: FanoutEvent): Promise<void>;
  /** Keeps group membership alive while the handler waits (retries, slow endpoints). */
  heartbeat(): Promise<void>;
  /** False once the consumer is stopping or the partition was taken away: stop working on it. */
  isActive(): boolean;
}

export interface PartitionBatch {
  topic: string;
  partition: number;
  events: FanoutEvent[];
}

export type BatchHandler = (batch: PartitionBatch, control: BatchControl) => Promise<void>;

export interface SubscriptionConsumerOptions {
  groupId: string;
  topic: string;
  fromBeginning: boolean;
  commitIntervalMs: number;
  sessionTimeoutMs: number;
  /** Partitions of this topic handled at the same time by this process. */
  partitionsConsumedConcurrently: number;
  log: Logger;
}

export interface SubscriptionConsumer {
  start(): Promise<void>;
  /** Stops fetching, lets the running handlers see isActive() === false, commits, leaves. */
  stop(): Promise<void>;
  /** Called when the consumer crashed and will not restart by itself. */
  onFatal(listener: (err: Error) => void): void;
}

/**
 * One Kafka consumer group reading one topic for one subscription. Offsets are committed only
 * for acknowledged events, never past one that is not: the handler acknowledges in order, and
 * the commit is the next offset after the last acknowledged one.
 */
export function createSubscriptionConsumer(
  kafka: Kafka,
  options: SubscriptionConsumerOptions,
  handler: BatchHandler,
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

  const eachBatch = async (payload: EachBatchPayload): Promise<void> => {
    const { batch } = payload;
    if (batch.isEmpty()) return;
    const partition = batch.partition;
    const events = batch.messages.map((m) => toFanoutEvent(batch.topic, partition, m));
    let pending: string | undefined;
    let lastCommitAt = Date.now();
    const commit = async (): Promise<void> => {
      if (pending === undefined) return;
      const offset = pending;
      pending = undefined;
      lastCommitAt = Date.now();
      await consumer.commitOffsets([{ topic: batch.topic, partition, offset }]);
    };
    const control: BatchControl = {
      acknowledge: async (event) => {
        payload.resolveOffset(event.offset);
        pending = String(BigInt(event.offset) + 1n);
        if (Date.now() - lastCommitAt >= options.commitIntervalMs) await commit();
      },
      heartbeat: () => payload.heartbeat(),
      isActive: () => !stopping && payload.isRunning() && !payload.isStale(),
    };
    try {
      await handler({ topic: batch.topic, partition, events }, control);
    } finally {
      await commit();
    }
  };

  return {
    async start() {
      await consumer.connect();
      await consumer.subscribe({ topics: [topic], fromBeginning: options.fromBeginning });
      await consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: options.partitionsConsumedConcurrently,
        eachBatch,
      });
    },
    async stop() {
      stopping = true;
      await consumer.disconnect();
    },
    onFatal(listener) {
      fatalListeners.push(listener);
    },
  };
}
