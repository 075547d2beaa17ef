import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decideRoute, type TopicFigures } from '../../../libs/routing/routingDecision.ts';

const T = { maxSubscriptions: 16, maxEventsPerSecond: 50 };
const fig = (f: Partial<TopicFigures>): TopicFigures => ({
  subscriptions: 2,
  eventsPerSecond: 1,
  pinned: null,
  current: 'read',
  ...f,
});

test('small and quiet goes to write fan-out; many subscriptions or a high rate to read', () => {
  const table: [Partial<TopicFigures>, 'read' | 'write', RegExp][] = [
    [{}, 'write', /2 subscriptions <= 16 and 1 events\/s <= 50/],
    [{ subscriptions: 16, eventsPerSecond: 50 }, 'write', /<= 16/],
    [{ subscriptions: 17 }, 'read', /17 subscriptions > 16/],
    [{ eventsPerSecond: 50.5 }, 'read', /50.5 events\/s > 50/],
    [{ subscriptions: 0, eventsPerSecond: 0 }, 'write', /0 subscriptions/],
  ];
  for (const [f, mode, reason] of table) {
    const d = decideRoute(fig(f), T);
    assert.equal(d.mode, mode, JSON.stringify(f));
    assert.match(d.reason, reason);
  }
});

test('an unmeasured rate keeps the current mode; a pin wins over the figures', () => {
  assert.equal(decideRoute(fig({ eventsPerSecond: null, current: 'write' }), T).mode, 'write');
  assert.equal(decideRoute(fig({ eventsPerSecond: null, current: 'read' }), T).mode, 'read');
  const pinned = decideRoute(fig({ subscriptions: 1000, pinned: 'write' }), T);
  assert.equal(pinned.mode, 'write');
  assert.match(pinned.reason, /pinned/);
});
