/**
 * Read ceiling in Node: a bare KafkaJS `eachBatch` consumer that only counts, no HTTP.
 *   node bench/contenders/rawEachBatchReader.ts <topic> <group> <count>
 * Prints `first <cpuSeconds>` when the group is joined (as Kafka's ConsumerPerformance, the clock
 * starts before the first fetch) and `done <records> <ms> <cpuSeconds>` when `count` records
 * are in, then waits to be stopped.
 */
import { Kafka, logLevel } from 'kafkajs';

const [topic, groupId, countArg] = process.argv.slice(2) as [string, string, string];
const count = Number(countArg);
const brokers = (process.env.FANOUT_KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const cpu = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

const kafka = new Kafka({ clientId: 'bench-raw-reader', brokers, logLevel: logLevel.ERROR });
const consumer = kafka.consumer({ groupId });
let seen = 0;
let firstAt = 0;
consumer.on(consumer.events.GROUP_JOIN, () => {
  firstAt = performance.now();
  console.log(`first ${cpu()}`);
});
await consumer.connect();
await consumer.subscribe({ topics: [topic], fromBeginning: true });
await consumer.run({
  autoCommit: false,
  eachBatch: async ({ batch }) => {
    const before = seen;
    seen += batch.messages.length;
    if (before < count && seen >= count) {
      console.log(`done ${seen} ${performance.now() - firstAt} ${cpu()}`);
    }
  },
});
process.once('SIGTERM', () => void consumer.disconnect().then(() => process.exit(0)));
