import assert from 'node:assert/strict';
import { test } from 'node:test';
import { eventIdFromCoordinates, isUuid, newEventId } from '../../../libs/events/eventId.ts';
import { toFanoutEvent } from '../../../libs/events/fanoutEvent.ts';

test('new ids are UUIDv7 and sort in creation order, also within one millisecond', () => {
  const ids = Array.from({ length: 5000 }, () => newEventId(1_700_000_000_000));
  for (const id of ids) {
    assert.ok(isUuid(id), id);
    assert.equal(id[14], '7', 'version 7');
    assert.match(id[19]!, /[89ab]/, 'RFC variant');
  }
  assert.deepEqual([...ids].sort(), ids);
  assert.equal(new Set(ids).size, ids.length);
  assert.ok(newEventId(1_700_000_000_001) > ids[ids.length - 1]!);
});

test('ids of records without our header depend only on topic, partition, offset and timestamp', () => {
  const a = eventIdFromCoordinates('orders', 2, '41', 1_700_000_000_000);
  assert.equal(a, eventIdFromCoordinates('orders', 2, '41', 1_700_000_000_000));
  assert.notEqual(a, eventIdFromCoordinates('orders', 2, '42', 1_700_000_000_000));
  assert.notEqual(a, eventIdFromCoordinates('orders', 1, '41', 1_700_000_000_000));
  assert.notEqual(a, eventIdFromCoordinates('order', 2, '41', 1_700_000_000_000));
  assert.ok(isUuid(a));
  assert.ok(
    eventIdFromCoordinates('orders', 0, '0', 1_700_000_000_000) <
      eventIdFromCoordinates('orders', 0, '1', 1_700_000_001_000),
    'later records get later ids',
  );
});

test('a record keeps the id, content type and bytes it was produced with', () => {
  const body = Buffer.from('{"a": 1}');
  const withHeader = toFanoutEvent('t', 0, {
    key: Buffer.from('k'),
    value: body,
    offset: '5',
    timestamp: '1700000000000',
    headers: {
      'fanout-event-id': Buffer.from('0190aaaa-0000-7000-8000-000000000000'),
      'content-type': 'application/cloudevents+json',
    },
  });
  assert.equal(withHeader.id, '0190aaaa-0000-7000-8000-000000000000');
  assert.equal(withHeader.contentType, 'application/cloudevents+json');
  assert.equal(withHeader.body, body);
  assert.equal(withHeader.key, 'k');
  const plain = toFanoutEvent('t', 0, {
    key: null,
    value: null,
    offset: '5',
    timestamp: '1700000000000',
  });
  assert.equal(plain.id, eventIdFromCoordinates('t', 0, '5', 1_700_000_000_000));
  assert.equal(plain.contentType, 'application/json');
  assert.equal(plain.body.length, 0);
  assert.equal(plain.key, null);
});
