import type { Kafka } from 'kafkajs';
import {
  createSubscriptionConsumer,
  type SubscriptionConsumer,
} from '../../libs/kafka/subscriptionConsumer.ts';
import { createLogger } from '../../libs/log/logger.ts';

export interface BatchPayload {
  batch: {
    topic: string;
    partition: number;
    highWatermark?: string;
    messages: { key: null; value: Buffer; offset: string; timestamp: string }[];
    isEmpty(): boolean;
    lastOffset(): string;
  };
  resolveOffset(offset: string): void;
}
export type EachBatch = (payload: BatchPayload) => Promise<void>;

/**
 * The client's side of KafkaJS that the subscription consumer drives, enough to call its batch
 * handler the way KafkaJS does. For unit tests of the adapter's own flow control, not of Kafka.
 */
export function standInKafka(): { kafka: Kafka; eachBatch: () => EachBatch } {
  let handler: EachBatch | undefined;
  const consumer = {
    events: { CRASH: 'crash', REBALANCING: 'rebalancing', GROUP_JOIN: 'join' },
    on: () => undefined,
    connect: async () => undefined,
    subscribe: async () => undefined,
    run: async (options: { eachBatch: EachBatch }) => {
      handler = options.eachBatch;
    },
    pause: () => undefined,
    resume: () => undefined,
    disconnect: async () => undefined,
    commitOffsets: async () => undefined,
  };
  // only the members above are used by the adapter
  const kafka = { consumer: () => consumer } as unknown as Kafka;
  return { kafka, eachBatch: () => handler! };
}

/**
 * A batch of one record at `offset` of topic `t`; with `highWatermark`, the partition's end
 * when it was fetched (without, the adapter cannot tell whether more is there).
 */
export function batchOf(partition: number, offset: number, highWatermark?: number): BatchPayload {
  const messages = [
    { key: null, value: Buffer.from('{}'), offset: String(offset), timestamp: '1700000000000' },
  ];
  return {
    batch: {
      topic: 't',
      partition,
      ...(highWatermark === undefined ? {} : { highWatermark: String(highWatermark) }),
      messages,
      isEmpty: () => false,
      lastOffset: () => String(offset),
    },
    resolveOffset: () => undefined,
  };
}

/** Whether `p` settles within `ms`. */
export const settled = async (p: Promise<unknown>, ms: number): Promise<boolean> =>
  Promise.race([p.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), ms))]);

/**
 * A subscription consumer over the stand-in, started with a feed that pauses a partition once
 * it is in `full` (as the delivery lanes do when a partition's queue is full).
 */
export async function consumerWithPausingFeed(): Promise<{
  consumer: SubscriptionConsumer;
  eachBatch: () => EachBatch;
  full: Set<number>;
}> {
  const { kafka, eachBatch } = standInKafka();
  const consumer = createSubscriptionConsumer(kafka, {
    groupId: 'g',
    topic: 't',
    fromBeginning: true,
    sessionTimeoutMs: 30_000,
    log: createLogger('error'),
  });
  const full = new Set<number>();
  await consumer.start({
    push: async (partition) => {
      if (full.has(partition)) consumer.pause(partition);
    },
    reset: async () => undefined,
  });
  return { consumer, eachBatch, full };
}
