import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import type pg from 'pg';
import {
  loadSequenceStart,
  loadSequenceStarts,
  saveSequencePoint,
  saveSequencePoints,
} from '../../../libs/sequence/sequencePointStore.ts';
import { dropHandMadeRows, openDeliveryDatabase } from '../../helpers/handMadeDeliveries.ts';
import { uniqueName } from '../../helpers/testStack.ts';

const PREFIX = 'seqpoints';
let pool: pg.Pool;
let topic: string;

before(async () => {
  pool = await openDeliveryDatabase();
  await dropHandMadeRows(pool, PREFIX);
  topic = uniqueName(PREFIX);
  await pool.query(`INSERT INTO topics (name, partitions) VALUES ($1, 2)`, [topic]);
});

after(async () => {
  await dropHandMadeRows(pool, PREFIX);
  await pool.end();
});

async function newSubscription(): Promise<string> {
  const id = randomUUID();
  await pool.query(
    `INSERT INTO subscriptions (id, topic, endpoint, start_from)
     VALUES ($1, $2, 'http://127.0.0.1:9/hook', 'latest')`,
    [id, topic],
  );
  return id;
}

test('the starts of many subscriptions in one statement are what each would load on its own: an exact point, a later point (new run), none', async () => {
  const [exact, later, none] = [
    await newSubscription(),
    await newSubscription(),
    await newSubscription(),
  ];
  await saveSequencePoint(pool, exact, 0, { nextOffset: '10', nextSeq: 7, prevEventId: 'e9' });
  await saveSequencePoint(pool, exact, 0, { nextOffset: '20', nextSeq: 12, prevEventId: 'e19' });
  await saveSequencePoint(pool, later, 0, { nextOffset: '50', nextSeq: 30, prevEventId: 'e49' });
  // another partition's point is not this partition's
  await saveSequencePoint(pool, none, 1, { nextOffset: '10', nextSeq: 99, prevEventId: 'x' });
  const asked = [
    { subscriptionId: exact, firstOffset: '10' },
    { subscriptionId: later, firstOffset: '40' },
    { subscriptionId: none, firstOffset: '10' },
  ];
  const many = await loadSequenceStarts(pool, 0, asked);
  for (const a of asked) {
    assert.deepEqual(
      many.get(a.subscriptionId),
      await loadSequenceStart(pool, a.subscriptionId, 0, a.firstOffset),
    );
  }
  assert.deepEqual(many.get(exact), { nextOffset: '10', nextSeq: 7, prevEventId: 'e9' });
  assert.deepEqual(many.get(later), { nextOffset: '40', nextSeq: 30, prevEventId: null });
  assert.deepEqual(many.get(none), { nextOffset: '10', nextSeq: 1, prevEventId: null });
});

test('saving points for many subscriptions keeps the 8 highest of each, never deleting one above the point saved', async () => {
  const [a, b] = [await newSubscription(), await newSubscription()];
  // b has a point above the ones saved next (a seek moved its group back, say)
  await saveSequencePoint(pool, b, 0, { nextOffset: '1000', nextSeq: 500, prevEventId: 'z' });
  for (let i = 1; i <= 12; i++) {
    await saveSequencePoints(pool, 0, [
      {
        subscriptionId: a,
        point: { nextOffset: String(i * 10), nextSeq: i, prevEventId: `a${i}` },
      },
      {
        subscriptionId: b,
        point: { nextOffset: String(i * 10), nextSeq: i, prevEventId: `b${i}` },
      },
    ]);
  }
  const offsetsOf = async (id: string) =>
    (
      await pool.query<{ o: string }>(
        `SELECT next_offset::text AS o FROM sequence_points
         WHERE subscription_id = $1 AND partition = 0 ORDER BY next_offset`,
        [id],
      )
    ).rows.map((r) => r.o);
  assert.deepEqual(await offsetsOf(a), ['50', '60', '70', '80', '90', '100', '110', '120']);
  assert.deepEqual(await offsetsOf(b), ['60', '70', '80', '90', '100', '110', '120', '1000']);
  // saving a point again replaces it
  await saveSequencePoints(pool, 0, [
    { subscriptionId: a, point: { nextOffset: '120', nextSeq: 77, prevEventId: 'again' } },
  ]);
  assert.deepEqual(await loadSequenceStart(pool, a, 0, '120'), {
    nextOffset: '120',
    nextSeq: 77,
    prevEventId: 'again',
  });
});
