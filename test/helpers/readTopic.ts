import type { Kafka, KafkaMessage } from 'kafkajs';
import { uniqueName } from './testStack.ts';
import { waitFor } from './waitFor.ts';

/**
 * Reads a topic from the start with a throwaway group until `count` records arrived; a topic
 * made with its first record (a dead-letter topic) is waited for.
 */
export async function readTopic(
  kafka: Kafka,
  topic: string,
  count: number,
  timeoutMs = 30_000,
): Promise<KafkaMessage[]> {
  const consumer = kafka.consumer({ groupId: uniqueName('reader') });
  const out: KafkaMessage[] = [];
  await consumer.connect();
  try {
    await waitFor(
      () =>
        consumer.subscribe({ topics: [topic], fromBeginning: true }).then(
          () => true,
          (err: unknown) => {
            if ((err as { type?: unknown }).type === 'UNKNOWN_TOPIC_OR_PARTITION') return false;
            throw err;
          },
        ),
      `topic ${topic}`,
      timeoutMs,
    );
    await consumer.run({
      eachMessage: async ({ message }) => {
        out.push(message);
      },
    });
    await waitFor(() => out.length >= count, `${count} records on ${topic}`, timeoutMs);
    return out;
  } finally {
    await consumer.disconnect();
  }
}

export function header(message: KafkaMessage, name: string): string | undefined {
  const v = message.headers?.[name];
  if (v === undefined) return undefined;
  const first = Array.isArray(v) ? v[0] : v;
  return first === undefined ? undefined : first.toString();
}
