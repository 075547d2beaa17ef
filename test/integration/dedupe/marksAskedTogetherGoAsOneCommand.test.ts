import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { Redis } from 'ioredis';
import { DeliveredMarks } from '../../../libs/dedupe/deliveredMarks.ts';
import { createRedis, redisReady } from '../../../libs/redis/createRedis.ts';
import { createLogger } from '../../../libs/log/logger.ts';
import { PrivateRedis } from '../../helpers/privateRedis.ts';
import { freePort } from '../../helpers/freePort.ts';

const log = createLogger('error');
// a Redis of the test's own, so its command counts are this test's alone
const server = new PrivateRedis(await freePort());
await server.start();
const redis = createRedis(server.url, log);
assert.ok(await redisReady(redis));
after(async () => {
  redis.disconnect();
  await server.stop();
});

async function calls(command: string): Promise<number> {
  const stats = await redis.info('commandstats');
  return Number(stats.match(new RegExp(`cmdstat_${command}:calls=(\\d+)`))?.[1] ?? 0);
}

test('marks asked for in one turn of the event loop, of any subscription, reach Redis as one command, with their TTL, and are found', async () => {
  const marks = new DeliveredMarks(redis, 120, log);
  const sub = 'sub-1';
  const ids = Array.from({ length: 250 }, (_, i) => `evt-${i}`);
  await Promise.all(ids.map((id) => marks.mark(sub, id)));
  assert.equal(await calls('eval'), 1);
  // two subscriptions at once: one command too, each mark under its own subscription
  await Promise.all([marks.mark('sub-2', 'x'), marks.mark('sub-3', 'y')]);
  assert.equal(await calls('eval'), 2);
  assert.deepEqual([...(await marks.delivered('sub-2', ['x', 'y']))], ['x']);
  assert.deepEqual([...(await marks.delivered('sub-3', ['x', 'y']))], ['y']);
  const found = await marks.delivered(sub, [...ids, 'evt-never']);
  assert.equal(found.size, 250);
  assert.ok(!found.has('evt-never'));
  const ttl = await redis.ttl(`fanout:delivered:${sub}:evt-7`);
  assert.ok(ttl > 100 && ttl <= 120, `ttl ${ttl}`);
  // with a gathering window, marks a few event-loop turns apart share a command too
  const gathering = new DeliveredMarks(redis, 120, log, undefined, 50);
  const first = gathering.mark(sub, 'evt-a');
  await new Promise((resolve) => setImmediate(resolve));
  await Promise.all([first, gathering.mark(sub, 'evt-b')]);
  assert.equal(await calls('eval'), 3);
  // a mark asked for later goes in a command of its own
  await marks.mark(sub, 'evt-late');
  assert.ok((await marks.delivered(sub, ['evt-late'])).has('evt-late'));
});

test('a large gathering goes as several commands of at most 500 keys, every mark written', async () => {
  const marks = new DeliveredMarks(redis, 120, log);
  const before = await calls('eval');
  const ids = Array.from({ length: 1_200 }, (_, i) => `bulk-${i}`);
  await Promise.all(ids.map((id, i) => marks.mark(`sub-bulk-${i % 7}`, id)));
  assert.equal((await calls('eval')) - before, 3);
  for (let s = 0; s < 7; s++) {
    const mine = ids.filter((_, i) => i % 7 === s);
    assert.equal((await marks.delivered(`sub-bulk-${s}`, mine)).size, mine.length);
  }
});

test("with Redis down, marks are reported unmarked (with each subscription's count) and never throw", async () => {
  // a port nobody listens on: the client fails its commands fast
  const down = new Redis('redis://127.0.0.1:1/0', {
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
    lazyConnect: true,
  });
  down.on('error', () => undefined);
  const fallbacks: [string, string, number][] = [];
  const marks = new DeliveredMarks(down, 60, log, (kind, sub, n) => fallbacks.push([kind, sub, n]));
  await Promise.all([
    ...['a', 'b', 'c'].map((id) => marks.mark('sub-down', id)),
    marks.mark('sub-other', 'd'),
  ]);
  assert.deepEqual(fallbacks, [
    ['unmarked', 'sub-down', 3],
    ['unmarked', 'sub-other', 1],
  ]);
  down.disconnect();
});

test('an event whose mark is still gathering or on its way counts as delivered, then Redis has it', async () => {
  const sub = 'sub-writing';
  // a long gathering window, so the mark is surely not in Redis yet when asked about
  const marks = new DeliveredMarks(redis, 120, log, undefined, 300);
  const marking = marks.mark(sub, 'copy');
  assert.equal(await redis.exists(`fanout:delivered:${sub}:copy`), 0, 'not written yet');
  assert.deepEqual([...(await marks.delivered(sub, ['copy', 'other']))], ['copy']);
  await marking;
  assert.equal(await redis.exists(`fanout:delivered:${sub}:copy`), 1);
  // written, it is found in Redis (and another instance, with nothing in memory, finds it too)
  assert.deepEqual([...(await marks.delivered(sub, ['copy', 'other']))], ['copy']);
  const elsewhere = new DeliveredMarks(redis, 120, log);
  assert.deepEqual([...(await elsewhere.delivered(sub, ['copy', 'other']))], ['copy']);
});
