import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { ApiClient } from './apiClient.ts';
import { usage } from './cliError.ts';
import type { Output } from './output.ts';

export interface CommandContext {
  api: ApiClient;
  out: Output;
  /** Kafka bootstrap servers, for `tail`, which reads the log itself. */
  brokers: string[];
}

export type Command = (args: string[], ctx: CommandContext) => Promise<void>;

type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * Parses one command's own options strictly (an unknown option is a usage error) and its
 * positional arguments: all of `positionals`, then any of `optional`.
 */
export function parseCommand<O extends Options>(
  args: string[],
  options: O,
  positionals: string[],
  optional: string[] = [],
): { values: Record<string, string | boolean | undefined>; positionals: string[] } {
  let parsed;
  try {
    parsed = parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw usage((err as Error).message);
  }
  if (parsed.positionals.length < positionals.length) {
    throw usage(`missing ${positionals.slice(parsed.positionals.length).join(', ')}`);
  }
  const most = positionals.length + optional.length;
  if (parsed.positionals.length > most) {
    throw usage(`unexpected ${parsed.positionals.slice(most).join(' ')}`);
  }
  return {
    values: parsed.values as Record<string, string | boolean | undefined>,
    positionals: parsed.positionals,
  };
}

export function integerOption(raw: string | boolean | undefined, name: string): number | undefined {
  if (raw === undefined) return undefined;
  if (typeof raw !== 'string' || !/^\d+$/.test(raw))
    throw usage(`--${name} must be a whole number`);
  return Number(raw);
}
