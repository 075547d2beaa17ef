import type { Command } from '../commandContext.ts';
import { integerOption, parseCommand } from '../commandContext.ts';
import { usage } from '../cliError.ts';
import { table } from '../table.ts';

interface Topic {
  name: string;
  partitions: number;
  createdAt: string;
}

export const topicCommands: Record<string, Command> = {
  async list(args, { api, out }) {
    parseCommand(args, {}, []);
    const { topics } = await api.call<{ topics: Topic[] }>('GET', '/v1/topics');
    out.data(topics, () =>
      table(
        ['TOPIC', 'PARTITIONS', 'CREATED'],
        topics.map((t) => [t.name, t.partitions, t.createdAt]),
      ),
    );
  },
  async create(args, { api, out }) {
    const { values, positionals } = parseCommand(
      args,
      { partitions: { type: 'string', short: 'p' } },
      ['NAME'],
    );
    const partitions = integerOption(values.partitions, 'partitions');
    if (partitions === 0) throw usage('--partitions must be at least 1');
    const topic = await api.call<Topic>('POST', '/v1/topics', {
      name: positionals[0],
      ...(partitions === undefined ? {} : { partitions }),
    });
    out.data(topic, () => `created topic ${topic.name} with ${topic.partitions} partitions`);
  },
};
