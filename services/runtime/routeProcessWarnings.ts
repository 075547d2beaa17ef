import type { Logger } from '../../libs/log/logger.ts';

/**
 * Sends Node's process warnings to the structured log instead of raw stderr. KafkaJS 2.2.4
 * schedules a timer with a negative delay on every connection (upstream issue #1751); Node 24
 * warns about it although the timer behaves as intended, so that one warning is dropped.
 */
export function routeProcessWarnings(log: Logger): void {
  process.removeAllListeners('warning');
  process.on('warning', (warning) => {
    if (warning.name === 'TimeoutNegativeWarning') return;
    log.warn('process warning', { name: warning.name, message: warning.message });
  });
}
