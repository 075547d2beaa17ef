import type { SubscriptionLag } from '../../../libs/lag/lagMonitor.ts';
import type { Command } from '../commandContext.ts';
import { parseCommand } from '../commandContext.ts';
import { table } from '../table.ts';

/**
 * `fanout lag [SUBSCRIPTION] [--topic T]`: Kafka's `kafka-consumer-groups --describe` table,
 * plus the age of the oldest undelivered event, our evaluation and why it lags.
 */
export const lagCommand: Command = async (args, { api, out }) => {
  const { values, positionals } = parseCommand(
    args,
    { topic: { type: 'string', short: 't' } },
    [],
    ['SUBSCRIPTION'],
  );
  let subs: SubscriptionLag[];
  if (positionals[0] !== undefined) {
    subs = [
      await api.call<SubscriptionLag>(
        'GET',
        `/v1/subscriptions/${encodeURIComponent(positionals[0])}/status`,
      ),
    ];
  } else {
    subs = (await api.call<{ subscriptions: SubscriptionLag[] }>('GET', '/v1/lag')).subscriptions;
    if (typeof values.topic === 'string') subs = subs.filter((s) => s.topic === values.topic);
  }
  out.data(positionals[0] !== undefined ? subs[0] : subs, () => {
    const rows = subs.flatMap((s) =>
      s.partitions.map((p) => [
        s.consumerGroup,
        s.topic,
        p.partition,
        p.committedOffset,
        p.logEndOffset,
        p.lagMessages,
        `${p.lagSecondsAtLeast ? '≥' : ''}${age(p.lagSeconds)}`,
        p.status,
      ]),
    );
    const summary = subs.map((s) => {
      const why = s.causes.map((c) => c.detail).join('; ');
      const drain = s.drainSeconds === null ? 'not draining' : `drains in ${age(s.drainSeconds)}`;
      return `${s.subscriptionId}  ${s.status.toUpperCase()}  ${s.lagMessages} behind, oldest ${age(s.lagSeconds)}, ${drain}${s.mode === 'write' ? ' (write fan-out rows)' : ''}${why ? ` — ${why}` : ''}`;
    });
    return [
      table(
        [
          'GROUP',
          'TOPIC',
          'PARTITION',
          'CURRENT-OFFSET',
          'LOG-END-OFFSET',
          'LAG',
          'LAG-AGE',
          'EVALUATION',
        ],
        rows,
      ),
      '',
      ...summary,
    ].join('\n');
  });
};

function age(seconds: number): string {
  if (seconds < 1) return `${Math.round(seconds * 1000)}ms`;
  if (seconds < 120) return `${seconds.toFixed(1)}s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)}m`;
  return `${(seconds / 3600).toFixed(1)}h`;
}
