import type { PolicyContext } from '../delivery/deliverWithPolicy.ts';
import type { FanoutMetrics } from './fanoutMetrics.ts';
import { outcomeClass } from './statusClass.ts';

export type SettledOutcome = 'delivered' | 'dead_lettered' | 'filtered' | 'duplicate';

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
}

export function deliveryMetrics(
  m: FanoutMetrics,
  subscription: string,
  topic: string,
): DeliveryMetrics {
  const labels = { subscription, topic };
  return {
    policyHooks: {
      onAttemptStart: () => m.inFlight.inc(labels),
      onAttempt: (_event, result, attempt, ms) => {
        m.inFlight.dec(labels);
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
  };
}
