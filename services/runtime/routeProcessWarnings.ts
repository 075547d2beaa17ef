import type { Logger } from '../../libs/log/logger.ts';

/**
 * Sends Node's process warnings to the structured log instead of raw stderr. (KafkaJS 2.2.4's
 * negative timer delays, which Node 24 warned of on every connection, are gone with its
 * request-queue fix in libs/kafka/requestQueuePatch.ts: a warning now is worth reading.)
 */
export function routeProcessWarnings(log: Logger): void {
  process.removeAllListeners('warning');
  process.on('warning', (warning) => {
    log.warn('process warning', { name: warning.name, message: warning.message });
  });
}
