#!/usr/bin/env node
// `fanout`: the command line of the Fanout API (run `fanout help`).
import { SETTINGS } from '../../libs/config/settings.ts';
import { apiClient } from './apiClient.ts';
import { CliError, EXIT, usage } from './cliError.ts';
import type { Command } from './commandContext.ts';
import { apiKeyCommands } from './commands/apiKeyCommands.ts';
import { deadLetterCommands } from './commands/deadLetterCommands.ts';
import { lagCommand } from './commands/lagCommand.ts';
import { produceCommand } from './commands/produceCommand.ts';
import { subscriptionCommands } from './commands/subscriptionCommands.ts';
import { tailCommand } from './commands/tailCommand.ts';
import { topicCommands } from './commands/topicCommands.ts';
import { output } from './output.ts';

const HELP = `usage: fanout [--api URL] [--json] COMMAND

  topics list                          topics and their partitions
  topics create NAME [--partitions N]  create a topic
  subs list [--topic T]                subscriptions
  subs create --topic T --endpoint URL [--from latest|earliest] [--ordering partition|key|none]
  subs pause ID | subs resume ID       stop or restart deliveries
  subs seek ID --to earliest|latest | --timestamp ISO | --offsets 0=12,1=40 [--redeliver] [--dry-run]
  dlq list SUBSCRIPTION [--limit N]    dead letters
  dlq replay SUBSCRIPTION [--ids 1,2]  replay dead letters (all without --ids)
  lag [SUBSCRIPTION] [--topic T]       offsets and lag per partition, age, evaluation and causes
  produce TOPIC [--key K] [PAYLOAD]    produce one JSON payload, or one per line of stdin
  tail TOPIC [--from latest|earliest] [--limit N]   print a topic's events from Kafka
  keys list | keys revoke ID           API keys (admin)
  keys create NAME --scope admin|produce|read[,...]   a new key, shown once

  --api URL   the Fanout API (default $FANOUT_API_URL or http://127.0.0.1:8080)
  API key     from $FANOUT_API_KEY (never a flag, so it stays out of shell history)
  --json      print the API's JSON, for scripts
  tail reads Kafka at $FANOUT_KAFKA_BROKERS (default 127.0.0.1:9092)

exit codes: 0 ok, 1 the API refused or failed, 2 bad command line, 3 API or Kafka unreachable`;

const GROUPS: Record<string, Record<string, Command> | Command> = {
  topics: topicCommands,
  subs: subscriptionCommands,
  dlq: deadLetterCommands,
  lag: lagCommand,
  produce: produceCommand,
  tail: tailCommand,
  keys: apiKeyCommands,
};

/** Runs one command line; resolves with the exit code. */
async function runCli(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  // global options may stand anywhere; everything else belongs to the command
  const rest: string[] = [];
  let apiUrl = env.FANOUT_API_URL ?? 'http://127.0.0.1:8080';
  let json = false;
  try {
    for (let i = 0; i < argv.length; i++) {
      const a = argv[i]!;
      if (a === '--json') json = true;
      else if (a === '--api') {
        const next = argv[++i];
        if (next === undefined) throw usage('--api needs a URL');
        apiUrl = next;
      } else if (a.startsWith('--api=')) apiUrl = a.slice('--api='.length);
      else rest.push(a);
    }
    if (rest.length === 0 || rest[0] === 'help' || rest[0] === '--help' || rest[0] === '-h') {
      // asked for: stdout and success; a bare `fanout` is a usage error
      (rest.length === 0 ? process.stderr : process.stdout).write(HELP + '\n');
      return rest.length === 0 ? EXIT.usage : EXIT.ok;
    }
    if (!/^https?:\/\//.test(apiUrl)) throw usage(`--api must be an http(s) URL, got "${apiUrl}"`);
    const group = GROUPS[rest[0]!];
    if (group === undefined) throw usage(`unknown command "${rest[0]}" (see fanout help)`);
    let command: Command;
    let args: string[];
    if (typeof group === 'function') {
      command = group;
      args = rest.slice(1);
    } else {
      const name = rest[1];
      const sub = name === undefined ? undefined : group[name];
      if (sub === undefined) {
        throw usage(`${rest[0]} takes ${Object.keys(group).join(', ')} (see fanout help)`);
      }
      command = sub;
      args = rest.slice(2);
    }
    let brokers: string[];
    try {
      brokers = SETTINGS.kafkaBrokers.parse(
        env.FANOUT_KAFKA_BROKERS ?? SETTINGS.kafkaBrokers.default,
      );
    } catch (err) {
      throw usage(`FANOUT_KAFKA_BROKERS ${(err as Error).message}`);
    }
    const api = apiClient(apiUrl, env.FANOUT_API_KEY?.trim() || undefined);
    await command(args, { api, out: output(json), brokers });
    return EXIT.ok;
  } catch (err) {
    if (err instanceof CliError) {
      process.stderr.write(`fanout: ${err.message}\n`);
      if (err.exitCode === EXIT.usage) process.stderr.write('run `fanout help` for usage\n');
      return err.exitCode;
    }
    process.stderr.write(`fanout: unexpected error: ${(err as Error).stack ?? String(err)}\n`);
    return EXIT.api;
  }
}

process.exitCode = await runCli(process.argv.slice(2));
