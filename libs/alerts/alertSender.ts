import type { Logger } from '../log/logger.ts';

export interface Alert {
  type:
    | 'circuit_opened'
    | 'circuit_closed'
    | 'subscription_disabled'
    | 'event_held'
    | 'events_dead_lettered';
  subscriptionId: string;
  topic: string;
  detail: Record<string, unknown>;
}

/**
 * Raises an operator alert: always a structured log line, and a JSON POST to the platform's
 * alert webhook when one is configured. Sending never throws and never waits on the caller's path.
 */
export function createAlertSender(url: string | null, log: Logger): (alert: Alert) => void {
  return (alert) => {
    const level = alert.type === 'circuit_closed' ? 'info' : 'error';
    log[level]('alert', {
      alert: alert.type,
      subscriptionId: alert.subscriptionId,
      topic: alert.topic,
      ...alert.detail,
    });
    if (url === null) return;
    void fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...alert, at: new Date().toISOString() }),
      signal: AbortSignal.timeout(5000),
    }).catch((err: unknown) => log.warn('alert webhook not reached', { err }));
  };
}
