import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const run = promisify(execFile);

/** Runs one of Kafka's own command-line tools from the fetched jars; resolves with its stdout. */
export async function kafkaTool(mainClass: string, args: string[]): Promise<string> {
  const { stdout } = await run(
    'bash',
    ['-c', 'source deploy/local/kafka/env.sh && kafka_java "$@"', 'kafka-tool', mainClass, ...args],
    { cwd: ROOT, maxBuffer: 16 * 1024 * 1024, timeout: 120_000 },
  );
  return stdout;
}

export interface GroupRow {
  topic: string;
  partition: number;
  currentOffset: string;
  logEndOffset: string;
  lag: string;
}

/** `kafka-consumer-groups --describe --group`, parsed by its header. */
export async function describeGroup(groupId: string): Promise<GroupRow[]> {
  const out = await kafkaTool('org.apache.kafka.tools.consumer.group.ConsumerGroupCommand', [
    '--bootstrap-server',
    process.env.FANOUT_KAFKA_BROKERS ?? '127.0.0.1:9092',
    '--describe',
    '--group',
    groupId,
  ]);
  const lines = out.split('\n').filter((l) => l.trim() !== '');
  const headerAt = lines.findIndex((l) => /^GROUP\s+TOPIC\s+PARTITION/.test(l));
  if (headerAt < 0) throw new Error(`no table in kafka-consumer-groups output:\n${out}`);
  const header = lines[headerAt]!.trim().split(/\s+/);
  const col = (row: string[], name: string): string => row[header.indexOf(name)]!;
  return lines.slice(headerAt + 1).map((line) => {
    const row = line.trim().split(/\s+/);
    return {
      topic: col(row, 'TOPIC'),
      partition: Number(col(row, 'PARTITION')),
      currentOffset: col(row, 'CURRENT-OFFSET'),
      logEndOffset: col(row, 'LOG-END-OFFSET'),
      lag: col(row, 'LAG'),
    };
  });
}
