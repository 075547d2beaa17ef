import { Kafka, logLevel, type KafkaConfig, type LogEntry } from 'kafkajs';
import type { Logger } from '../log/logger.ts';
import { patchRequestQueue } from './requestQueuePatch.ts';

const LEVEL_NAMES: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

/**
 * The one place that constructs the Kafka client. KafkaJS is unmaintained upstream; everything
 * else talks to the small interfaces in this folder so the client can be swapped later.
 * `security`: TLS and SASL options, from kafkaSecurityOptions.
 */
export function createKafka(
  brokers: string[],
  clientId: string,
  log: Logger,
  security: Pick<KafkaConfig, 'ssl' | 'sasl'> = {},
): Kafka {
  if (!patchRequestQueue()) {
    log.warn('KafkaJS is not the release its request-queue fix was written for; left as it is', {
      component: 'kafkajs',
    });
  }
  return new Kafka({
    clientId,
    brokers,
    ...security,
    connectionTimeout: 3000,
    requestTimeout: 30000,
    retry: { initialRetryTime: 200, retries: 8, maxRetryTime: 5000 },
    logLevel: logLevel.WARN,
    logCreator: () => (entry: LogEntry) => {
      const { message, ...rest } = entry.log;
      // Our producer bounds its retries on purpose so a produce request can fail with a
      // retriable 503 instead of hanging; KafkaJS warns about that on every connect.
      if (message.startsWith('Limiting retries for the idempotent producer')) return;
      log[LEVEL_NAMES[entry.level] ?? 'info'](message, { component: 'kafkajs', ...rest });
    },
  });
}
