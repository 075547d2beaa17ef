export interface BackoffPolicy {
  initialMs: number;
  maxMs: number;
  multiplier: number;
}

/**
 * Delay before retry number `attempt` (1 = the first retry): exponential, capped, with full
 * jitter so that many subscriptions failing together do not retry in lockstep.
 * `random` is injectable so the table of delays can be tested.
 */
export function backoffDelay(
  attempt: number,
  policy: BackoffPolicy,
  random: () => number = Math.random,
): number {
  return Math.floor(random() * backoffCeiling(attempt, policy));
}

/** The highest delay `backoffDelay` can return for an attempt: the table behind the jitter. */
export function backoffCeiling(attempt: number, policy: BackoffPolicy): number {
  return Math.min(
    policy.maxMs,
    policy.initialMs * Math.pow(policy.multiplier, Math.max(0, attempt - 1)),
  );
}
