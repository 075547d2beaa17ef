import { validationError } from '../../../libs/errors/FanoutError.ts';
import type { RetryPolicy } from '../../../libs/delivery/retryPolicy.ts';
import { optionalInteger, rejectUnknownFields, requireObject, type JsonObject } from './fields.ts';

const DAY_MS = 24 * 3600 * 1000;

/**
 * Reads `retry: {initialDelayMs, maxDelayMs, multiplier, maxAttempts, maxAgeMs}` and
 * `timeoutMs` over a base policy (the defaults on create, the current policy on PATCH).
 * `maxAttempts` or `maxAgeMs` set to null lifts that limit; at least one limit must remain.
 */
export function parseRetryPolicy(body: JsonObject, base: RetryPolicy): RetryPolicy {
  const policy: RetryPolicy = { ...base };
  const timeoutMs = optionalInteger(body, 'timeoutMs', 'timeoutMs', 100, 300_000);
  if (timeoutMs !== undefined) policy.timeoutMs = timeoutMs;
  if (body.retry === undefined) return policy;
  const retry = requireObject(body.retry, 'retry');
  rejectUnknownFields(
    retry,
    ['initialDelayMs', 'maxDelayMs', 'multiplier', 'maxAttempts', 'maxAgeMs'],
    'retry.',
  );
  policy.initialMs =
    optionalInteger(retry, 'initialDelayMs', 'retry.initialDelayMs', 1, 3_600_000) ??
    policy.initialMs;
  policy.maxMs =
    optionalInteger(retry, 'maxDelayMs', 'retry.maxDelayMs', 1, DAY_MS) ?? policy.maxMs;
  if (retry.multiplier !== undefined) {
    const m = retry.multiplier;
    if (typeof m !== 'number' || !Number.isFinite(m) || m < 1 || m > 10) {
      throw validationError('retry.multiplier', 'retry.multiplier must be a number from 1 to 10');
    }
    policy.multiplier = m;
  }
  if (retry.maxAttempts === null) policy.maxAttempts = null;
  else {
    policy.maxAttempts =
      optionalInteger(retry, 'maxAttempts', 'retry.maxAttempts', 1, 1000) ?? policy.maxAttempts;
  }
  if (retry.maxAgeMs === null) policy.maxAgeMs = null;
  else {
    policy.maxAgeMs =
      optionalInteger(retry, 'maxAgeMs', 'retry.maxAgeMs', 1000, 30 * DAY_MS) ?? policy.maxAgeMs;
  }
  if (policy.initialMs > policy.maxMs) {
    throw validationError(
      'retry.initialDelayMs',
      'retry.initialDelayMs must not exceed retry.maxDelayMs',
    );
  }
  if (policy.maxAttempts === null && policy.maxAgeMs === null) {
    throw validationError(
      'retry.maxAttempts',
      'set retry.maxAttempts or retry.maxAgeMs: an event must not retry forever',
    );
  }
  return policy;
}

export function retryView(p: RetryPolicy): Record<string, unknown> {
  return {
    initialDelayMs: p.initialMs,
    maxDelayMs: p.maxMs,
    multiplier: p.multiplier,
    maxAttempts: p.maxAttempts,
    maxAgeMs: p.maxAgeMs,
  };
}
