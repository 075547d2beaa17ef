import assert from 'node:assert/strict';
import { test } from 'node:test';
import { batchEvent } from '../../../libs/delivery/batchEvent.ts';
import type { FanoutEvent } from '../../../libs/events/fanoutEvent.ts';

function event(offset: number, body: Buffer, contentType = 'application/json'): FanoutEvent {
  return {
    id: `evt-${offset}`,
    topic: 'orders',
    partition: 2,
    offset: String(offset),
    key: offset % 2 === 0 ? 'k' : null,
    body,
    contentType,
    timestampMs: 1_700_000_000_000 + offset,
    headers: {},
  };
}

test('JSON payloads go into the batch byte for byte; anything else as base64', () => {
  const spaced = Buffer.from('{ "a" : [1, 2,\n 3], "s": "é \\" ]}" }');
  const text = Buffer.from('plain, not json');
  const broken = Buffer.from('{"a": ');
  const badUtf8 = Buffer.from([0x22, 0xff, 0xfe, 0x22]); // a JSON string of invalid UTF-8
  const events = [
    event(10, spaced),
    event(11, text, 'text/plain'),
    event(12, broken),
    event(13, badUtf8),
    event(14, Buffer.from('42')),
  ];
  const batch = batchEvent(events, (e) =>
    e.offset === '10' ? { seq: 7, prevEventId: 'evt-9' } : undefined,
  );
  assert.ok(batch.body.includes(spaced), 'the produced bytes, whitespace and all');
  const items = JSON.parse(batch.body.toString('utf8')) as Record<string, unknown>[];
  assert.equal(items.length, 5);
  assert.deepEqual(items[0], {
    id: 'evt-10',
    topic: 'orders',
    partition: 2,
    offset: '10',
    key: 'k',
    timestamp: new Date(1_700_000_000_010).toISOString(),
    seq: 7,
    prevId: 'evt-9',
    contentType: 'application/json',
    payload: { a: [1, 2, 3], s: 'é " ]}' },
  });
  assert.equal(items[1]!.bodyBase64, text.toString('base64'));
  assert.equal(items[2]!.bodyBase64, broken.toString('base64'));
  assert.equal(items[3]!.bodyBase64, badUtf8.toString('base64'));
  assert.equal(items[4]!.payload, 42);
  assert.equal(batch.offset, '10');
  assert.equal(batch.id, 'batch_2_10_14');
});
