import type { BackoffPolicy } from './backoff.ts';

/** How one subscription retries: backoff, limits, and the per-request timeout. */
export interface RetryPolicy extends BackoffPolicy {
  /** Attempts in all, the first included; null for no limit. */
  maxAttempts: number | null;
  /** Time from the first attempt after which no new attempt starts; null for no limit. */
  maxAgeMs: number | null;
  timeoutMs: number;
}

// Sized so that an endpoint down for about an hour loses nothing to the dead-letter topic:
// the delays' ceilings (0.5 s doubling to 5 min) add up to about 3 hours over 20 attempts.
export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  initialMs: 500,
  maxMs: 300_000,
  multiplier: 2,
  maxAttempts: 20,
  maxAgeMs: 24 * 3600 * 1000,
  timeoutMs: 10_000,
};

/** Whether another attempt may start, given what was tried so far. */
export function mayRetry(
  policy: RetryPolicy,
  attemptsMade: number,
  firstAttemptAt: number,
  now: number,
): boolean {
  if (policy.maxAttempts !== null && attemptsMade >= policy.maxAttempts) return false;
  if (policy.maxAgeMs !== null && now - firstAttemptAt >= policy.maxAgeMs) return false;
  return true;
}
