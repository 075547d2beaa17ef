import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import { toFanoutEvent, type FanoutEvent } from '../events/fanoutEvent.ts';
import type { TopicAdmin } from './topicAdmin.ts';

export interface PartitionRead {
  events: FanoutEvent[];
  /** The partition's end when the read began: offsets below it were readable. */
  endOffset: string;
}

/**
 * Reads up to `limit` records of one partition from `fromOffset`, straight from the Kafka log.
 * KafkaJS reads only through consumer groups, so this uses a throwaway group whose offsets
 * are set before it joins (the target partition at `fromOffset`, every other at its end) and
 * which is deleted afterwards: nothing of any subscription's group is touched.
 */
export async function readPartition(
  kafka: Kafka,
  admin: TopicAdmin,
  request: { topic: string; partition: number; fromOffset: string; limit: number },
  timeoutMs = 15_000,
): Promise<PartitionRead> {
  const { topic, partition, limit } = request;
  const bounds = await admin.offsetBounds(topic);
  const end = bounds.high[String(partition)] ?? '0';
  const low = bounds.low[String(partition)] ?? '0';
  // records below the log start were deleted by retention: begin at what is left
  const from = BigInt(request.fromOffset) < BigInt(low) ? low : request.fromOffset;
  if (BigInt(from) >= BigInt(end)) return { events: [], endOffset: end };
  const last = BigInt(end) - 1n;

  const groupId = `fanout.read.${randomUUID()}`;
  await admin.setGroupOffsets(groupId, topic, { ...bounds.high, [String(partition)]: from });
  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 100, allowAutoTopicCreation: false });
  const events: FanoutEvent[] = [];
  try {
    await consumer.connect();
    await consumer.subscribe({ topics: [topic] });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`reading ${topic}/${partition} took over ${timeoutMs} ms`)),
        timeoutMs,
      );
      const done = (): void => {
        clearTimeout(timer);
        resolve();
      };
      consumer
        .run({
          autoCommit: false,
          eachBatch: async ({ batch }) => {
            if (batch.partition !== partition) return;
            for (const m of batch.messages) {
              if (events.length >= limit || BigInt(m.offset) > last) break;
              if (BigInt(m.offset) >= BigInt(from)) {
                events.push(toFanoutEvent(topic, partition, m));
              }
            }
            const lastSeen = events.at(-1);
            if (
              events.length >= limit ||
              (lastSeen !== undefined && BigInt(lastSeen.offset) >= last) ||
              BigInt(batch.lastOffset()) >= last
            ) {
              done();
            }
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect().catch(() => undefined);
    await admin.deleteGroup(groupId);
  }
  return { events, endOffset: end };
}
