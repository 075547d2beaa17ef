import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { after, before, test } from 'node:test';
import type { Consumer, Producer } from 'kafkajs';
import { createKafka } from '../../../libs/kafka/createKafka.ts';
import { TopicAdmin } from '../../../libs/kafka/topicAdmin.ts';
import { createLogger } from '../../../libs/log/logger.ts';
import { uniqueName } from '../../helpers/testStack.ts';
import { TEST_ENV } from '../../helpers/testEnv.ts';
import { sleep, waitFor } from '../../helpers/waitFor.ts';

const require = createRequire(import.meta.url);
const RequestQueue = require('kafkajs/src/network/requestQueue/index.js') as {
  prototype: { checkPendingRequests(): void };
};

const kafka = createKafka(
  TEST_ENV.FANOUT_KAFKA_BROKERS!.split(','),
  'idle-connections-test',
  createLogger('error'),
);
const admin = new TopicAdmin(kafka);
let producer: Producer;
let consumer: Consumer;
let topic: string;

before(async () => {
  topic = uniqueName('idle-connections');
  await admin.createTopic(topic, 3);
  producer = kafka.producer();
  await producer.connect();
});
after(async () => {
  await consumer?.disconnect();
  await producer.disconnect();
  await admin.close();
});

test('an idle consumer checks its request queues only when answers come, and still reads', async () => {
  const seen: string[] = [];
  consumer = kafka.consumer({ groupId: uniqueName('idle-connections'), maxWaitTimeInMs: 500 });
  let joined = false;
  consumer.on(consumer.events.GROUP_JOIN, () => (joined = true));
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      seen.push(String(message.value));
    },
  });
  await waitFor(() => joined, 'the consumer in its group');
  // its first fetches answered: from here it only long-polls an empty topic and heartbeats
  await sleep(1500);

  const original = RequestQueue.prototype.checkPendingRequests;
  let checks = 0;
  RequestQueue.prototype.checkPendingRequests = function (this: unknown) {
    checks++;
    original.call(this);
  };
  try {
    await sleep(2000);
  } finally {
    RequestQueue.prototype.checkPendingRequests = original;
  }
  // one check per answer: two fetches a second and a heartbeat now and then. KafkaJS 2.2.4 as
  // shipped re-arms a check every millisecond on each open connection: thousands here.
  assert.ok(checks < 40, `${checks} queue checks in 2 s of idling`);

  await producer.send({ topic, messages: [{ value: 'after the quiet' }] });
  await waitFor(() => seen.length === 1, 'the event produced after the quiet read', 10_000);
  assert.deepEqual(seen, ['after the quiet']);
});
