import type { Command } from '../commandContext.ts';
import { parseCommand } from '../commandContext.ts';
import { usage } from '../cliError.ts';
import { table } from '../table.ts';

interface Subscription {
  id: string;
  topic: string;
  endpoint: string;
  state: string;
  consumerGroup: string;
  secret?: string;
}

export const subscriptionCommands: Record<string, Command> = {
  async list(args, { api, out }) {
    const { values } = parseCommand(args, { topic: { type: 'string', short: 't' } }, []);
    const query =
      typeof values.topic === 'string' ? `?topic=${encodeURIComponent(values.topic)}` : '';
    const { subscriptions } = await api.call<{ subscriptions: Subscription[] }>(
      'GET',
      `/v1/subscriptions${query}`,
    );
    out.data(subscriptions, () =>
      table(
        ['ID', 'TOPIC', 'STATE', 'ENDPOINT'],
        subscriptions.map((s) => [s.id, s.topic, s.state, s.endpoint]),
      ),
    );
  },
  async create(args, { api, out }) {
    const { values } = parseCommand(
      args,
      {
        topic: { type: 'string', short: 't' },
        endpoint: { type: 'string', short: 'e' },
        from: { type: 'string' },
        ordering: { type: 'string' },
      },
      [],
    );
    if (typeof values.topic !== 'string') throw usage('--topic is required');
    if (typeof values.endpoint !== 'string') throw usage('--endpoint is required');
    const sub = await api.call<Subscription>('POST', '/v1/subscriptions', {
      topic: values.topic,
      endpoint: values.endpoint,
      ...(values.from === undefined ? {} : { startFrom: values.from }),
      ...(values.ordering === undefined ? {} : { ordering: values.ordering }),
    });
    out.data(
      sub,
      () =>
        `created subscription ${sub.id} (consumer group ${sub.consumerGroup})\nsecret ${sub.secret} (shown once)`,
    );
  },
  pause: stateChange('pause'),
  resume: stateChange('resume'),
  async seek(args, { api, out }) {
    const { values, positionals } = parseCommand(
      args,
      {
        to: { type: 'string' },
        timestamp: { type: 'string' },
        offsets: { type: 'string' },
        redeliver: { type: 'boolean' },
        'dry-run': { type: 'boolean' },
      },
      ['ID'],
    );
    const targets = ['to', 'timestamp', 'offsets'].filter((k) => values[k] !== undefined);
    if (targets.length !== 1) throw usage('give exactly one of --to, --timestamp, --offsets');
    const body: Record<string, unknown> = {};
    if (typeof values.to === 'string') body.to = values.to;
    if (typeof values.timestamp === 'string') body.timestamp = values.timestamp;
    if (typeof values.offsets === 'string') body.offsets = parseOffsets(values.offsets);
    if (values.redeliver === true) body.redeliver = true;
    if (values['dry-run'] === true) body.dryRun = true;
    const result = await api.call<{ partitions?: Record<string, { from: string; to: string }> }>(
      'POST',
      `/v1/subscriptions/${encodeURIComponent(positionals[0]!)}/seek`,
      body,
    );
    out.data(result, () => JSON.stringify(result, null, 2));
  },
};

function stateChange(action: 'pause' | 'resume'): Command {
  return async (args, { api, out }) => {
    const { positionals } = parseCommand(args, {}, ['ID']);
    const sub = await api.call<Subscription>(
      'POST',
      `/v1/subscriptions/${encodeURIComponent(positionals[0]!)}/${action}`,
    );
    out.data(sub, () => `subscription ${sub.id} is ${sub.state}`);
  };
}

/** `0=120,1=88` → {"0": "120", "1": "88"} */
function parseOffsets(raw: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of raw.split(',')) {
    const m = /^(\d+)=(\d+)$/.exec(part.trim());
    if (!m) throw usage(`--offsets takes partition=offset pairs, e.g. 0=120,1=88; got "${part}"`);
    out[m[1]!] = m[2]!;
  }
  return out;
}
