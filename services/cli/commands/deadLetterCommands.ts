import type { Command } from '../commandContext.ts';
import { integerOption, parseCommand } from '../commandContext.ts';
import { usage } from '../cliError.ts';
import { table } from '../table.ts';

interface DeadLetter {
  id: string;
  eventId: string;
  attempts: number;
  lastStatus: number | null;
  lastError: string;
  createdAt: string;
}

export const deadLetterCommands: Record<string, Command> = {
  async list(args, { api, out }) {
    const { values, positionals } = parseCommand(
      args,
      { limit: { type: 'string' }, status: { type: 'string' } },
      ['SUBSCRIPTION'],
    );
    const limit = integerOption(values.limit, 'limit') ?? 50;
    const status =
      typeof values.status === 'string' ? `&status=${encodeURIComponent(values.status)}` : '';
    const page = await api.call<{ total: number; items: DeadLetter[] }>(
      'GET',
      `/v1/subscriptions/${encodeURIComponent(positionals[0]!)}/dead-letters?limit=${limit}${status}`,
    );
    out.data(page, () =>
      [
        table(
          ['ID', 'EVENT', 'ATTEMPTS', 'LAST-STATUS', 'LAST-ERROR', 'AT'],
          page.items.map((d) => [
            d.id,
            d.eventId,
            d.attempts,
            d.lastStatus,
            d.lastError,
            d.createdAt,
          ]),
        ),
        `${page.total} dead letter(s)`,
      ].join('\n'),
    );
  },
  async replay(args, { api, out }) {
    const { values, positionals } = parseCommand(args, { ids: { type: 'string' } }, [
      'SUBSCRIPTION',
    ]);
    let body: Record<string, unknown> = {};
    if (typeof values.ids === 'string') {
      const ids = values.ids.split(',').map((s) => s.trim());
      if (ids.some((id) => !/^\d+$/.test(id)))
        throw usage('--ids takes dead-letter ids, e.g. 12,13');
      body = { ids };
    }
    const result = await api.call<{ requested: number }>(
      'POST',
      `/v1/subscriptions/${encodeURIComponent(positionals[0]!)}/dead-letters/replay`,
      body,
    );
    out.data(result, () => `${result.requested} dead letter(s) queued for replay`);
  },
};
