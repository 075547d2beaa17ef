import type pg from 'pg';
import type { Alert } from '../alerts/alertSender.ts';
import type { Config } from '../config/loadConfig.ts';
import type { Logger } from '../log/logger.ts';
import { setCircuitState } from '../registry/subscriptionStore.ts';
import type { Subscription } from '../registry/types.ts';
import { CircuitBreaker } from './circuitBreaker.ts';

export interface SubscriptionCircuitDeps {
  alert: (alert: Alert) => void;
  pool: pg.Pool;
  config: Pick<
    Config,
    | 'circuitFailureThreshold'
    | 'circuitErrorPercent'
    | 'circuitErrorWindowMs'
    | 'circuitMinAttempts'
    | 'circuitProbeMaxMs'
  >;
  log: Logger;
  /** Told when the circuit opens (true) or closes (false), e.g. to set a gauge. */
  onChange?: (open: boolean) => void;
}

/**
 * The circuit of one subscription with the settings, alerts and recorded state a bridge worker
 * gives its own: opening raises an alert and records 'failing', closing records 'active'. Used
 * by the delivery-row workers, so a subscription in write fan-out trips and probes as it would
 * in read fan-out.
 */
export function createSubscriptionCircuit(
  sub: Subscription,
  deps: SubscriptionCircuitDeps,
): CircuitBreaker {
  const { config, log } = deps;
  return new CircuitBreaker({
    failureThreshold: config.circuitFailureThreshold,
    errorRatio: config.circuitErrorPercent / 100,
    errorWindowMs: config.circuitErrorWindowMs,
    minAttempts: config.circuitMinAttempts,
    probeInitialMs: 1000,
    probeMaxMs: config.circuitProbeMaxMs,
    startOpen: sub.state === 'failing',
    onOpen: (failures, reason) => {
      deps.onChange?.(true);
      deps.alert({
        type: 'circuit_opened',
        subscriptionId: sub.id,
        topic: sub.topic,
        detail: { failures, reason, endpoint: sub.endpoint },
      });
      setCircuitState(deps.pool, sub.id, true).catch((err: unknown) =>
        log.warn('circuit state not recorded', { subscriptionId: sub.id, err }),
      );
    },
    onClose: () => {
      deps.onChange?.(false);
      deps.alert({ type: 'circuit_closed', subscriptionId: sub.id, topic: sub.topic, detail: {} });
      setCircuitState(deps.pool, sub.id, false).catch((err: unknown) =>
        log.warn('circuit state not recorded', { subscriptionId: sub.id, err }),
      );
    },
  });
}
