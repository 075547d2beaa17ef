import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createKafka } from '../../../libs/kafka/createKafka.ts';
import { TopicAdmin } from '../../../libs/kafka/topicAdmin.ts';
import { createLogger } from '../../../libs/log/logger.ts';
import { uniqueName } from '../../helpers/testStack.ts';
import { TEST_ENV } from '../../helpers/testEnv.ts';

const kafka = createKafka(
  TEST_ENV.FANOUT_KAFKA_BROKERS!.split(','),
  'many-bounds-test',
  createLogger('error'),
);
const admin = new TopicAdmin(kafka);
const producer = kafka.producer();
const topics = [uniqueName('bounds-a'), uniqueName('bounds-b'), uniqueName('bounds-c')];

before(async () => {
  await producer.connect();
  for (const [i, topic] of topics.entries()) {
    await admin.createTopic(topic, i + 1);
    // i + 2 records on each partition of the i-th topic
    for (let p = 0; p <= i; p++) {
      await producer.send({
        topic,
        messages: Array.from({ length: i + 2 }, (_, n) => ({ partition: p, value: String(n) })),
      });
    }
  }
});
after(async () => {
  await producer.disconnect();
  await admin.close();
});

test('offsets at times, for many topics at once, are what each topic answers alone; a time after every record gives the end', async () => {
  const timed = [uniqueName('times-a'), uniqueName('times-b')];
  const base = Date.now() - 600_000;
  for (const [i, topic] of timed.entries()) {
    await admin.createTopic(topic, i + 1);
    // on every partition, records a minute apart from `base`
    for (let p = 0; p <= i; p++) {
      await producer.send({
        topic,
        messages: Array.from({ length: 4 }, (_, n) => ({
          partition: p,
          value: String(n),
          timestamp: String(base + n * 60_000),
        })),
      });
    }
  }
  const times = [base - 1, base + 90_000, base + 180_000, Date.now() + 60_000];
  const many = await admin.offsetsAtMany([...timed, uniqueName('times-never-made')], times);
  assert.deepEqual([...many.keys()].sort(), [...timed].sort());
  for (const [i, topic] of timed.entries()) {
    const every = (offset: string): Record<string, string> =>
      Object.fromEntries(Array.from({ length: i + 1 }, (_, p) => [String(p), offset]));
    assert.deepEqual(
      [...many.get(topic)!],
      [
        [times[0], every('0')],
        [times[1], every('2')],
        [times[2], every('3')],
        [times[3], every('4')],
      ],
    );
    for (const t of times)
      assert.deepEqual(many.get(topic)!.get(t), await admin.offsetsAt(topic, t));
  }
});

test('the bounds of many topics at once are each topic’s own; unknown and deleted topics are left out, the others still answered', async () => {
  const missing = uniqueName('bounds-never-made');
  const many = await admin.offsetBoundsOfMany([...topics, missing]);
  assert.deepEqual([...many.keys()].sort(), [...topics].sort());
  for (const [i, topic] of topics.entries()) {
    assert.deepEqual(many.get(topic), await admin.offsetBounds(topic));
    assert.deepEqual(
      many.get(topic)!.high,
      Object.fromEntries(Array.from({ length: i + 1 }, (_, p) => [String(p), String(i + 2)])),
    );
  }

  // once a topic it has seen is deleted, KafkaJS's metadata requests fail: the rest answer
  const kafkaAdmin = kafka.admin();
  await kafkaAdmin.connect();
  await kafkaAdmin.deleteTopics({ topics: [topics[0]!] });
  await kafkaAdmin.disconnect();
  await producer.send({ topic: topics[2]!, messages: [{ partition: 0, value: 'one more' }] });
  for (let round = 0; round < 2; round++) {
    const after = await admin.offsetBoundsOfMany(topics);
    assert.equal(after.has(topics[0]!), false, `round ${round}: the deleted topic is left out`);
    assert.deepEqual(after.get(topics[1]!)!.high, { '0': '3', '1': '3' });
    assert.deepEqual(after.get(topics[2]!)!.high, { '0': '5', '1': '4', '2': '4' });
  }
});

test('one topic’s offsets, asked by its name: its own; a topic Kafka does not have fails as unavailable, and the next ask still answers', async () => {
  const mine = { '0': '3', '1': '3' };
  assert.deepEqual((await admin.offsetBounds(topics[1]!)).high, mine);
  await assert.rejects(
    admin.offsetBounds(uniqueName('bounds-never-made')),
    (err: unknown) => (err as { code?: unknown }).code === 'FANOUT_KAFKA_UNAVAILABLE',
  );
  assert.deepEqual((await admin.offsetBounds(topics[1]!)).high, mine);
  // a time after every record: each partition's end
  assert.deepEqual(await admin.offsetsAt(topics[1]!, Date.now() + 60_000), mine);
});
