import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FanoutError } from '../../../libs/errors/FanoutError.ts';
import type { FanoutEvent } from '../../../libs/events/fanoutEvent.ts';
import { compileFilter, parseFilter } from '../../../libs/filter/eventFilter.ts';

function event(
  key: string | null,
  payload: unknown,
  headers: Record<string, string> = {},
): FanoutEvent {
  return {
    id: 'e',
    topic: 't',
    partition: 0,
    offset: '0',
    key,
    body: Buffer.from(typeof payload === 'string' ? payload : JSON.stringify(payload)),
    contentType: 'application/json',
    timestampMs: 0,
    headers,
  };
}

test('eq, prefix, in and exists on key, headers and top-level payload fields, combined with and/or', () => {
  const matches = compileFilter(
    parseFilter({
      and: [
        { field: 'payload.type', in: ['order.created', 'order.paid'] },
        {
          or: [
            { field: 'key', prefix: 'eu-' },
            { field: 'headers.region', eq: 'uk' },
          ],
        },
        { field: 'payload.test', exists: false },
      ],
    }),
  );
  assert.equal(matches(event('eu-1', { type: 'order.created' })), true);
  assert.equal(matches(event('us-1', { type: 'order.paid' }, { region: 'uk' })), true);
  assert.equal(matches(event('us-1', { type: 'order.paid' }, { region: 'us' })), false);
  assert.equal(matches(event('eu-1', { type: 'order.shipped' })), false);
  assert.equal(matches(event('eu-1', { type: 'order.created', test: true })), false);
  assert.equal(matches(event(null, { type: 'order.created' })), false, 'no key: prefix fails');
  assert.equal(matches(event('eu-1', 'not json')), false, 'payload fields of non-JSON are absent');
  assert.equal(compileFilter(null)(event(null, 'anything')), true);
  const numeric = compileFilter(parseFilter({ field: 'payload.amount', eq: 10 }));
  assert.equal(numeric(event(null, { amount: 10 })), true);
  assert.equal(numeric(event(null, { amount: '10' })), false, 'JSON values compare by type');
});

test('a bad filter is refused, naming the exact spot', () => {
  const cases: [unknown, string][] = [
    [{ field: 'payload.a', gt: 1 }, 'filter.gt'],
    [{ field: 'nope', eq: 1 }, 'filter.field'],
    [{ and: [] }, 'filter.and'],
    [
      {
        and: [
          { field: 'key', eq: 'a' },
          { field: 'key', in: 'a' },
        ],
      },
      'filter.and[1].in',
    ],
    [{ or: [{ field: 'key', exists: 'yes' }] }, 'filter.or[0].exists'],
    [{ field: 'key', eq: 'a', prefix: 'b' }, 'filter'],
    ['key=a', 'filter'],
  ];
  for (const [value, field] of cases) {
    assert.throws(
      () => parseFilter(value),
      (err: unknown) => err instanceof FanoutError && err.field === field,
      JSON.stringify(value),
    );
  }
});
