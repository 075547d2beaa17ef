import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Consumer } from 'kafkajs';
import { FanoutError } from '../../../libs/errors/FanoutError.ts';
import { createKafka } from '../../../libs/kafka/createKafka.ts';
import { TopicAdmin } from '../../../libs/kafka/topicAdmin.ts';
import { createLogger } from '../../../libs/log/logger.ts';
import { uniqueName } from '../../helpers/testStack.ts';
import { TEST_ENV } from '../../helpers/testEnv.ts';
import { waitFor } from '../../helpers/waitFor.ts';

const kafka = createKafka(
  TEST_ENV.FANOUT_KAFKA_BROKERS!.split(','),
  'group-offsets-test',
  createLogger('error'),
);
const admin = new TopicAdmin(kafka);
const producer = kafka.producer();
let topic: string;
let member: Consumer | undefined;

before(async () => {
  topic = uniqueName('group-offsets');
  await admin.createTopic(topic, 3);
  await producer.connect();
  for (const partition of [0, 1, 2]) {
    await producer.send({
      topic,
      messages: Array.from({ length: 5 }, (_, i) => ({ partition, value: `p${partition}-${i}` })),
    });
  }
});
after(async () => {
  await member?.disconnect();
  await producer.disconnect();
  await admin.close();
});

test('offsets set for a group with no members are the ones a member of it then reads from', async () => {
  const groupId = uniqueName('group-offsets-fresh');
  await admin.setGroupOffsets(groupId, topic, { '0': '1', '1': '4', '2': '5' });
  assert.deepEqual(await admin.committedOffsets(groupId, topic), { '0': '1', '1': '4', '2': '5' });

  // moved again while still empty: the newer offsets win, backwards too
  await admin.setGroupOffsets(groupId, topic, { '0': '3', '1': '2', '2': '5' });
  assert.deepEqual(await admin.committedOffsets(groupId, topic), { '0': '3', '1': '2', '2': '5' });

  const seen: string[] = [];
  member = kafka.consumer({ groupId, maxWaitTimeInMs: 100 });
  await member.connect();
  await member.subscribe({ topic });
  await member.run({
    eachMessage: async ({ message }) => {
      seen.push(String(message.value));
    },
  });
  await waitFor(() => seen.length === 5, 'the five events after the set offsets');
  assert.deepEqual(seen.sort(), ['p0-3', 'p0-4', 'p1-2', 'p1-3', 'p1-4']);

  // with a live member the group's own commits would win: refused, with a code that says so
  await assert.rejects(
    admin.setGroupOffsets(groupId, topic, { '0': '0' }),
    (err: unknown) => err instanceof FanoutError && err.code === 'FANOUT_SUBSCRIPTION_BUSY',
  );
});

test('committed offsets read from the coordinator: partitions never committed and unknown groups are left out, with or without the partitions given', async () => {
  const groupId = uniqueName('group-offsets-read');
  assert.deepEqual(await admin.committedOffsets(groupId, topic), {});
  await admin.setGroupOffsets(groupId, topic, { '0': '2', '2': '4' });
  assert.deepEqual(await admin.committedOffsets(groupId, topic), { '0': '2', '2': '4' });
  assert.deepEqual(await admin.committedOffsets(groupId, topic, [0, 1, 2]), { '0': '2', '2': '4' });
  assert.deepEqual(await admin.committedOffsets(groupId, topic, [2]), { '2': '4' });
});
