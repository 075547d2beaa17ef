import { randomBytes } from 'node:crypto';
import { ContenderProcess } from './contenderProcess.ts';
import type { Reader } from './contender.ts';

const groupName = (prefix: string): string => `bench-${prefix}-${randomBytes(4).toString('hex')}`;

/** Kafka's own ConsumerPerformance tool (Java client), from the fetched kafka-tools jar. */
export const consumerPerformance: Reader = {
  name: 'read ceiling: Kafka ConsumerPerformance',
  async read(topic, count, ctx) {
    const args = [
      'java',
      '-Xms256m',
      '-Xmx512m',
      '-cp',
      `'${ctx.kafkaLibs}/*'`,
      'org.apache.kafka.tools.ConsumerPerformance',
      '--bootstrap-server',
      ctx.brokers,
      '--topic',
      topic,
      '--messages',
      String(count),
      '--group',
      groupName('cperf'),
      '--timeout',
      '60000',
    ];
    // the JVM exits by itself, taking its /proc entry along: bash's `times` reports the CPU
    // its child used
    const java = new ContenderProcess('bash', ['-c', `${args.join(' ')}; times`]);
    await java.exit();
    // `times` prints the shell's user/system times, then its children's: 0m1.234s 0m0.056s
    const times = [...java.output.matchAll(/^(\d+)m([\d.]+)s (\d+)m([\d.]+)s$/gm)].at(-1);
    const cpu = times
      ? Number(times[1]) * 60 + Number(times[2]) + Number(times[3]) * 60 + Number(times[4])
      : NaN;
    // the last line: start, end, MB, MB/s, records, records/s, rebalance ms, fetch ms, fetch MB/s, fetch records/s
    const line = java.output
      .trim()
      .split('\n')
      .findLast((l) => /^\d{4}-\d\d-\d\d/.test(l));
    if (line === undefined)
      throw new Error(`ConsumerPerformance printed no figures:\n${java.tail()}`);
    const fields = line.split(',').map((f) => f.trim());
    return {
      eventsPerSecond: Number(fields[9]),
      cpuPer1000: { java: (cpu / count) * 1000 },
      note: 'rate over fetch time (group join excluded); CPU includes JVM start-up',
    };
  },
};

/** A bare KafkaJS eachBatch consumer that counts records: how fast Node can read the topic. */
export const rawKafkaJs: Reader = {
  name: 'read ceiling: KafkaJS eachBatch',
  async read(topic, count, ctx) {
    const child = new ContenderProcess(
      process.execPath,
      ['bench/contenders/rawEachBatchReader.ts', topic, groupName('raw'), String(count)],
      { FANOUT_KAFKA_BROKERS: ctx.brokers },
    );
    try {
      const first = await child.waitFor(/^first (\S+)$/m, 60_000);
      const done = await child.waitFor(/^done (\d+) (\S+) (\S+)$/m, 300_000);
      const records = Number(done[1]);
      const ms = Number(done[2]);
      return {
        eventsPerSecond: (records / ms) * 1000,
        cpuPer1000: { reader: ((Number(done[3]) - Number(first[1])) / records) * 1000 },
      };
    } finally {
      await child.stop();
    }
  },
};
