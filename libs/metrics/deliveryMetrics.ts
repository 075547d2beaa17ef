import type { PolicyContext } from '../delivery/deliverWithPolicy.ts';
import type { FanoutMetrics } from './fanoutMetrics.ts';
import { outcomeClass } from './statusClass.ts';

export type SettledOutcome = 'delivered' | 'dead_lettered' | 'filtered' | 'duplicate';

/** What one subscription's deliveries did since the last period was taken. */
export interface DeliveryPeriod {
  periodMs: number;
  inFlight: number;
  started: number;
  answered: number;
  failed: number;
  /** Mean duration of the requests answered in the period, ms; null when none was. */
  meanResponseMs: number | null;
  /** Attempts that had to wait for the subscription's rate limit. */
  paced: number;
}

/**
 * The delivery metrics of one subscription, labels bound once: the worker calls these thin
 * hooks and never touches metric names or label values itself.
 */
export interface DeliveryMetrics {
  /** Spread into deliverWithPolicy's context: counts requests, their outcomes and durations. */
  policyHooks: Pick<PolicyContext, 'onAttemptStart' | 'onAttempt'>;
  settled(outcome: SettledOutcome, count?: number, producedAtMs?: number): void;
  deadLettered(): void;
  circuit(open: boolean): void;
  /** Wraps a wait for the rate limit, counting the attempts that had to wait. */
  pacing(wait: Promise<boolean>, startedAt: number): Promise<boolean>;
  /** The period since the last call, for the bridge's worker report. */
  takePeriod(): DeliveryPeriod;
}

export function deliveryMetrics(
  m: FanoutMetrics,
  subscription: string,
  topic: string,
): DeliveryMetrics {
  const labels = { subscription, topic };
  // the same figures kept locally per period, for the worker report (see libs/lag)
  let period = { since: Date.now(), started: 0, answered: 0, failed: 0, ms: 0, paced: 0 };
  let inFlight = 0;
  return {
    policyHooks: {
      onAttemptStart: () => {
        m.inFlight.inc(labels);
        inFlight++;
        period.started++;
      },
      onAttempt: (_event, result, attempt, ms) => {
        m.inFlight.dec(labels);
        inFlight--;
        period.answered++;
        period.ms += ms;
        if (!result.ok) period.failed++;
        const outcome = outcomeClass(result.status, result.ok ? undefined : result.error);
        m.deliveryAttempts.inc({ ...labels, outcome });
        m.endpointResponse.observe({ ...labels, outcome }, ms / 1000);
        if (attempt > 1) m.deliveryRetries.inc(labels);
      },
    },
    settled(outcome, count = 1, producedAtMs) {
      if (count <= 0) return;
      m.eventsSettled.inc({ ...labels, outcome }, count);
      if (outcome === 'delivered' && producedAtMs !== undefined) {
        m.deliveryLatency.observe(labels, Math.max(0, Date.now() - producedAtMs) / 1000);
      }
    },
    deadLettered() {
      m.deadLetters.inc(labels);
    },
    circuit(open) {
      m.circuitOpen.set(labels, open ? 1 : 0);
    },
    async pacing(wait, startedAt) {
      const ok = await wait;
      // a token taken at once costs well under a millisecond; anything longer was a wait
      if (Date.now() - startedAt > 1) period.paced++;
      return ok;
    },
    takePeriod() {
      const now = Date.now();
      const p = period;
      period = { since: now, started: 0, answered: 0, failed: 0, ms: 0, paced: 0 };
      return {
        periodMs: now - p.since,
        inFlight,
        started: p.started,
        answered: p.answered,
        failed: p.failed,
        meanResponseMs: p.answered > 0 ? p.ms / p.answered : null,
        paced: p.paced,
      };
    },
  };
}
