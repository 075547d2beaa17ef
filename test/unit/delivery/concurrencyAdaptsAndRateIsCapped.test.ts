import assert from 'node:assert/strict';
import { test } from 'node:test';
import { capacitySignal, InFlightLimit } from '../../../libs/delivery/inFlightLimit.ts';
import { RateLimiter } from '../../../libs/delivery/rateLimiter.ts';

test('the in-flight cap halves on overload (once per episode) and climbs back one step per round of successes', () => {
  let now = 0;
  const limit = new InFlightLimit(16, () => now);
  assert.equal(limit.current, 16);
  limit.feedback('overload');
  limit.feedback('overload'); // the same episode: requests already in flight report it too
  assert.equal(limit.current, 8);
  now += 1500;
  limit.feedback('overload');
  assert.equal(limit.current, 4);
  for (let i = 0; i < 10; i++) {
    now += 1500;
    limit.feedback('overload');
  }
  assert.equal(limit.current, 1, 'never below one');
  let acquired = 0;
  while (limit.tryAcquire()) acquired++;
  assert.equal(acquired, 1);
  limit.release();
  // additive increase: about +1 per `current` successes
  for (let i = 0; i < 1 + 2 + 3; i++) limit.feedback('ok');
  assert.equal(limit.current, 3);
  for (let i = 0; i < 1000; i++) limit.feedback('ok');
  assert.equal(limit.current, 16, 'never above the configured maximum');
  limit.feedback('neutral');
  assert.equal(limit.current, 16, 'a 4xx says nothing about load');
});

test('timeouts, refused connections, 5xx and 429 are overload; other 4xx are neutral', () => {
  assert.equal(capacitySignal({ ok: true, status: 204 }), 'ok');
  assert.equal(capacitySignal({ ok: false, status: null, error: 'timeout' }), 'overload');
  assert.equal(capacitySignal({ ok: false, status: 503, error: 'HTTP 503' }), 'overload');
  assert.equal(capacitySignal({ ok: false, status: 429, error: 'HTTP 429' }), 'overload');
  assert.equal(capacitySignal({ ok: false, status: 404, error: 'HTTP 404' }), 'neutral');
});

test('the rate cap allows one second of burst, then one token per 1/rate seconds', () => {
  let now = 0;
  const rate = new RateLimiter(10, () => now);
  for (let i = 0; i < 10; i++) assert.equal(rate.tryTake(), 0, `burst ${i}`);
  const wait = rate.tryTake();
  assert.ok(wait > 0 && wait <= 100, `next token in ${wait} ms`);
  now += 100;
  assert.equal(rate.tryTake(), 0);
  assert.ok(rate.tryTake() > 0);
  // over a long run: exactly rate × seconds (+ the burst)
  let taken = 0;
  for (let ms = 0; ms < 10_000; ms += 10) {
    now += 10;
    while (rate.tryTake() === 0) taken++;
  }
  assert.ok(taken >= 99 && taken <= 101, `${taken} in 10 s at 10/s`);
});
