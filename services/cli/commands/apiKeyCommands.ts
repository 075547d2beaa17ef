import type { Command } from '../commandContext.ts';
import { parseCommand } from '../commandContext.ts';
import { usage } from '../cliError.ts';
import { table } from '../table.ts';

interface ApiKey {
  id: string;
  name: string;
  prefix: string;
  scopes: string[];
  createdAt: string;
  revokedAt: string | null;
  /** Only in the answer to create: the one time the token is shown. */
  key?: string;
}

export const apiKeyCommands: Record<string, Command> = {
  async list(args, { api, out }) {
    parseCommand(args, {}, []);
    const { apiKeys } = await api.call<{ apiKeys: ApiKey[] }>('GET', '/v1/api-keys');
    out.data(apiKeys, () =>
      table(
        ['ID', 'NAME', 'PREFIX', 'SCOPES', 'CREATED', 'REVOKED'],
        apiKeys.map((k) => [k.id, k.name, k.prefix, k.scopes.join(','), k.createdAt, k.revokedAt]),
      ),
    );
  },
  async create(args, { api, out }) {
    const { values, positionals } = parseCommand(args, { scope: { type: 'string', short: 's' } }, [
      'NAME',
    ]);
    if (typeof values.scope !== 'string') throw usage('--scope admin|produce|read is required');
    const key = await api.call<ApiKey>('POST', '/v1/api-keys', {
      name: positionals[0],
      scopes: values.scope.split(',').map((s) => s.trim()),
    });
    // the token goes to stdout alone on its last line, so `| tail -1` captures it
    out.data(
      key,
      () =>
        `created API key ${key.id} (${key.scopes.join(',')}); it is shown only now:\n${key.key}`,
    );
  },
  async revoke(args, { api, out }) {
    const { positionals } = parseCommand(args, {}, ['ID']);
    await api.call('DELETE', `/v1/api-keys/${encodeURIComponent(positionals[0]!)}`);
    out.data({ id: positionals[0], revoked: true }, () => `revoked API key ${positionals[0]}`);
  },
};
