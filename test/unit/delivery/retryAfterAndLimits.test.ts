import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseRetryAfter } from '../../../libs/delivery/retryAfter.ts';
import { DEFAULT_RETRY_POLICY, mayRetry } from '../../../libs/delivery/retryPolicy.ts';

test('Retry-After is read as seconds or as an HTTP date, capped at an hour', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');
  assert.equal(parseRetryAfter('3', now), 3000);
  assert.equal(parseRetryAfter(' 0 ', now), 0);
  assert.equal(parseRetryAfter('Thu, 01 Jan 2026 00:00:30 GMT', now), 30_000);
  assert.equal(parseRetryAfter('Wed, 31 Dec 2025 23:00:00 GMT', now), 0, 'a past date: retry now');
  assert.equal(parseRetryAfter('999999', now), 3_600_000);
  assert.equal(parseRetryAfter('soon', now), undefined);
  assert.equal(parseRetryAfter(null, now), undefined);
});

test('no attempt starts past maxAttempts or maxAge, and none is refused before', () => {
  const p = { ...DEFAULT_RETRY_POLICY, maxAttempts: 3, maxAgeMs: 10_000 };
  assert.equal(mayRetry(p, 2, 0, 9_999), true);
  assert.equal(mayRetry(p, 3, 0, 1), false, 'three attempts made: done');
  assert.equal(mayRetry(p, 1, 0, 10_000), false, 'too old');
  assert.equal(mayRetry({ ...p, maxAttempts: null }, 500, 0, 9_000), true);
  assert.equal(mayRetry({ ...p, maxAgeMs: null }, 2, 0, 1e12), true);
});
