import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { createKafka } from '../../../libs/kafka/createKafka.ts';
import { TopicAdmin } from '../../../libs/kafka/topicAdmin.ts';
import { createLogger } from '../../../libs/log/logger.ts';
import { uniqueName } from '../../helpers/testStack.ts';
import { TEST_ENV } from '../../helpers/testEnv.ts';

const kafka = createKafka(
  TEST_ENV.FANOUT_KAFKA_BROKERS!.split(','),
  'group-states-test',
  createLogger('error'),
);
const admin = new TopicAdmin(kafka);
after(() => admin.close());

test('the states of more groups than one request asks for: every group answered, a live one among them', async () => {
  const topic = uniqueName('group-states');
  await admin.createTopic(topic, 1);
  const live = uniqueName('group-states-live');
  const consumer = kafka.consumer({ groupId: live });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic] });
  await consumer.run({ eachMessage: async () => undefined });
  try {
    // never used: Kafka answers these as Dead with no member
    const unused = Array.from({ length: 249 }, () => uniqueName('group-states-unused'));
    const ids = [...unused.slice(0, 150), live, ...unused.slice(150)];
    let states = await admin.groupStates(ids);
    for (let i = 0; i < 50 && states.get(live)?.members !== 1; i++) {
      await new Promise((r) => setTimeout(r, 200));
      states = await admin.groupStates(ids);
    }
    assert.equal(states.size, 250, 'one answer per group');
    assert.deepEqual([...states.keys()].sort(), [...ids].sort());
    assert.deepEqual(states.get(live), { state: 'Stable', members: 1 });
    assert.ok(unused.every((id) => states.get(id)?.members === 0));
  } finally {
    await consumer.disconnect();
  }
});
