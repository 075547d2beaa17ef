import type { Kafka } from 'kafkajs';
import { deadLetterTopicOf, groupIdOf } from '../../libs/registry/types.ts';

/**
 * Deletes what a benchmark made on the shared broker: its topics, the dead-letter topic and the
 * consumer group of every subscription. resetState only empties the registry, and a run at
 * scale would otherwise leave thousands of topics behind. Best effort: a failure is reported,
 * never thrown.
 */
export async function dropKafkaState(
  kafka: Kafka,
  topics: string[],
  subscriptionIds: string[],
): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  // dead-letter topics exist only for subscriptions that dead-lettered something
  const existing = new Set(await admin.listTopics());
  const all = [...topics, ...subscriptionIds.map(deadLetterTopicOf)].filter((t) => existing.has(t));
  const groups = subscriptionIds.map(groupIdOf);
  try {
    // chunks keep each request and the controller's work per request bounded
    for (let i = 0; i < all.length; i += 500) {
      await admin
        .deleteTopics({ topics: all.slice(i, i + 500), timeout: 60_000 })
        .catch((err: unknown) => console.warn(`deleting topics: ${String(err)}`));
    }
    for (let i = 0; i < groups.length; i += 500) {
      await admin.deleteGroups(groups.slice(i, i + 500)).catch(() => undefined);
    }
  } finally {
    await admin.disconnect();
  }
}
