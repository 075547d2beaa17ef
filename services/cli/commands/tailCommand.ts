import { randomUUID } from 'node:crypto';
import { toFanoutEvent } from '../../../libs/events/fanoutEvent.ts';
import { createKafka } from '../../../libs/kafka/createKafka.ts';
import { createLogger } from '../../../libs/log/logger.ts';
import type { Command } from '../commandContext.ts';
import { integerOption, parseCommand } from '../commandContext.ts';
import { CliError, EXIT, usage } from '../cliError.ts';

/**
 * `fanout tail TOPIC [--from latest|earliest] [--limit N]`: prints the topic's events as they
 * arrive, read straight from Kafka with a throwaway consumer group (deleted on exit) so no
 * subscription's offsets move. Ctrl-C stops it.
 */
export const tailCommand: Command = async (args, { brokers, out }) => {
  const { values, positionals } = parseCommand(
    args,
    { from: { type: 'string' }, limit: { type: 'string', short: 'n' } },
    ['TOPIC'],
  );
  const from = values.from ?? 'latest';
  if (from !== 'latest' && from !== 'earliest') throw usage('--from must be latest or earliest');
  const limit = integerOption(values.limit, 'limit');
  const topic = positionals[0]!;
  // KafkaJS's own complaints go to stderr, keeping stdout for events
  const log = createLogger('error', {}, (line) => process.stderr.write(line + '\n'));
  const kafka = createKafka(brokers, 'fanout-cli', log);
  const groupId = `fanout.tail.${randomUUID()}`;
  const consumer = kafka.consumer({ groupId, allowAutoTopicCreation: false });
  const admin = kafka.admin();
  let seen = 0;
  let finish: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (finish = resolve));
  try {
    await admin.connect();
    const topics = await admin.listTopics();
    if (!topics.includes(topic)) throw new CliError(`no topic ${topic} in Kafka`, EXIT.api);
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: from === 'earliest' });
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ partition, message }) => {
        if (limit !== undefined && seen >= limit) return;
        seen++;
        const e = toFanoutEvent(topic, partition, message);
        const line = {
          id: e.id,
          partition,
          offset: e.offset,
          key: e.key,
          timestamp: new Date(e.timestampMs).toISOString(),
          value: e.body.toString('utf8'),
        };
        out.print(
          out.json
            ? JSON.stringify(line)
            : `${line.timestamp}  p${partition}@${line.offset}  ${line.key ?? '-'}  ${line.value}`,
        );
        if (limit !== undefined && seen >= limit) finish();
      },
    });
  } catch (err) {
    await Promise.allSettled([consumer.disconnect(), admin.disconnect()]);
    if (err instanceof CliError) throw err;
    throw new CliError(
      `cannot read ${topic} from Kafka at ${brokers.join(',')}: ${(err as Error).message}`,
      EXIT.unreachable,
    );
  }
  const stop = (): void => finish();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  await done;
  await consumer.disconnect();
  await admin.deleteGroups([groupId]).catch(() => undefined);
  await admin.disconnect();
  process.off('SIGINT', stop);
  process.off('SIGTERM', stop);
};
