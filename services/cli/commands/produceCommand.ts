import { createInterface } from 'node:readline';
import type { Command } from '../commandContext.ts';
import { parseCommand } from '../commandContext.ts';
import { usage } from '../cliError.ts';

const BATCH = 500;

interface Produced {
  events: { id: string; partition: number; offset: string }[];
}

/**
 * `fanout produce TOPIC [--key K] [PAYLOAD]`: one JSON payload from the command line, or one
 * per line of standard input, sent through the produce API in batches.
 */
export const produceCommand: Command = async (args, { api, out }) => {
  const { values, positionals } = parseCommand(
    args,
    { key: { type: 'string', short: 'k' } },
    ['TOPIC'],
    ['PAYLOAD'],
  );
  const topic = positionals[0]!;
  const key = typeof values.key === 'string' ? values.key : undefined;
  const toEvent = (text: string, where: string): Record<string, unknown> => {
    let payload: unknown;
    try {
      payload = JSON.parse(text);
    } catch {
      throw usage(`${where} is not JSON: ${text.slice(0, 80)}`);
    }
    return key === undefined ? { payload } : { key, payload };
  };
  const produced: Produced['events'] = [];
  const send = async (events: Record<string, unknown>[]): Promise<void> => {
    if (events.length === 0) return;
    const res = await api.call<Produced>('POST', `/v1/topics/${encodeURIComponent(topic)}/events`, {
      events,
    });
    produced.push(...res.events);
    if (!out.json)
      for (const e of res.events)
        out.print(`${e.id}  partition ${e.partition}  offset ${e.offset}`);
  };
  if (positionals[1] !== undefined) {
    await send([toEvent(positionals[1], 'PAYLOAD')]);
  } else {
    let batch: Record<string, unknown>[] = [];
    let n = 0;
    for await (const line of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
      n++;
      if (line.trim() === '') continue;
      batch.push(toEvent(line, `line ${n}`));
      if (batch.length === BATCH) {
        await send(batch);
        batch = [];
      }
    }
    await send(batch);
  }
  if (out.json) out.data({ events: produced }, () => '');
};
