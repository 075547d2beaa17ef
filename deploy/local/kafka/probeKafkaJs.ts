/**
 * Calls every KafkaJS API Fanout uses, and the other common ones, against the broker on
 * 127.0.0.1:9092 and prints one line per API: ok, or the error. Used to write the README's
 * compatibility note: `node deploy/local/kafka/probeKafkaJs.ts` with the broker version up.
 */
import { Kafka, logLevel } from 'kafkajs';

const kafka = new Kafka({
  clientId: 'probe',
  brokers: ['127.0.0.1:9092'],
  logLevel: logLevel.NOTHING,
});
const topic = `probe-${Date.now()}`;
const groupId = `probe-group-${Date.now()}`;
const admin = kafka.admin();
await admin.connect();
const results: [string, string][] = [];

async function probe(name: string, fn: () => Promise<unknown>): Promise<void> {
  try {
    await fn();
    results.push([name, 'ok']);
  } catch (err) {
    const e = err as Error & { type?: string };
    results.push([name, `FAILED ${e.type ?? e.name}: ${e.message}`]);
  }
}

await probe('admin.describeCluster', () => admin.describeCluster());
await probe('admin.createTopics', () =>
  admin.createTopics({ topics: [{ topic, numPartitions: 2 }], waitForLeaders: true }),
);
await probe('admin.listTopics', () => admin.listTopics());
await probe('admin.fetchTopicMetadata', () => admin.fetchTopicMetadata({ topics: [topic] }));
await probe('admin.createPartitions', () =>
  admin.createPartitions({ topicPartitions: [{ topic, count: 3 }] }),
);
await probe('admin.describeConfigs', () =>
  admin.describeConfigs({ resources: [{ type: 2, name: topic }], includeSynonyms: false }),
);
await probe('admin.alterConfigs', () =>
  admin.alterConfigs({
    validateOnly: false,
    resources: [
      { type: 2, name: topic, configEntries: [{ name: 'retention.ms', value: '3600000' }] },
    ],
  }),
);
const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
await probe('producer (idempotent, acks=all).send', async () => {
  await producer.connect();
  await producer.send({
    topic,
    acks: -1,
    messages: [
      { key: 'a', value: '1' },
      { key: 'b', value: '2' },
    ],
  });
  await producer.disconnect();
});
const tx = kafka.producer({
  transactionalId: `probe-tx-${Date.now()}`,
  idempotent: true,
  maxInFlightRequests: 1,
});
await probe('producer transaction (commit)', async () => {
  await tx.connect();
  const t = await tx.transaction();
  await t.send({ topic, messages: [{ value: 'tx' }] });
  await t.commit();
  await tx.disconnect();
});
await probe('admin.fetchTopicOffsets', () => admin.fetchTopicOffsets(topic));
await probe('admin.fetchTopicOffsetsByTimestamp', () =>
  admin.fetchTopicOffsetsByTimestamp(topic, Date.now() - 60_000),
);
await probe('admin.setOffsets (empty group)', () =>
  admin.setOffsets({ groupId, topic, partitions: [{ partition: 0, offset: '0' }] }),
);
await probe('consumer group join, eachBatch, commitOffsets', async () => {
  const consumer = kafka.consumer({ groupId, sessionTimeout: 10_000 });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  let seen = 0;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no message within 20 s')), 20_000);
    void consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        seen += batch.messages.length;
        const last = batch.messages.at(-1)!;
        await consumer.commitOffsets([
          { topic, partition: batch.partition, offset: String(Number(last.offset) + 1) },
        ]);
        if (seen >= 3) {
          clearTimeout(timer);
          resolve();
        }
      },
    });
  });
  await consumer.disconnect();
});
await probe('admin.fetchOffsets', () => admin.fetchOffsets({ groupId, topics: [topic] }));
await probe('admin.listGroups', () => admin.listGroups());
await probe('admin.describeGroups', () => admin.describeGroups([groupId]));
await probe('admin.resetOffsets', () => admin.resetOffsets({ groupId, topic, earliest: true }));
await probe('admin.deleteTopicRecords', () =>
  admin.deleteTopicRecords({ topic, partitions: [{ partition: 0, offset: '-1' }] }),
);
await probe('admin.deleteGroups', () => admin.deleteGroups([groupId]));
await probe('admin.describeAcls (no authorizer configured)', () =>
  admin.describeAcls({ resourceType: 2, resourcePatternType: 3, permissionType: 1, operation: 1 }),
);
await probe('admin.deleteTopics', () => admin.deleteTopics({ topics: [topic] }));
await admin.disconnect();

for (const [name, result] of results)
  console.log(
    `${result === 'ok' ? 'ok    ' : 'FAILED'} ${name}${result === 'ok' ? '' : ' — ' + result.slice(7)}`,
  );
