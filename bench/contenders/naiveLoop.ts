/**
 * The loop a team writes by hand: KafkaJS `eachMessage`, one `fetch` per message, and a commit
 * per message once the endpoint answered 2xx (retrying forever otherwise).
 *   node bench/contenders/naiveLoop.ts <topic> <group> <url>
 */
import { Kafka, logLevel } from 'kafkajs';

const [topic, groupId, url] = process.argv.slice(2) as [string, string, string];
const brokers = (process.env.FANOUT_KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');

const kafka = new Kafka({ clientId: 'bench-naive', brokers, logLevel: logLevel.ERROR });
const consumer = kafka.consumer({ groupId });
await consumer.connect();
await consumer.subscribe({ topics: [topic], fromBeginning: true });
await consumer.run({
  autoCommit: false,
  eachMessage: async ({ partition, message }) => {
    for (;;) {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: message.value,
      });
      await res.arrayBuffer();
      if (res.ok) break;
    }
    await consumer.commitOffsets([
      { topic: topic, partition, offset: String(BigInt(message.offset) + 1n) },
    ]);
  },
});
console.log('naive loop running');
process.once('SIGTERM', () => void consumer.disconnect().then(() => process.exit(0)));
