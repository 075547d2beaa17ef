import type { KafkaConfig, SASLOptions } from 'kafkajs';
import type { SaslMechanism } from '../config/settings.ts';
import { FanoutError } from '../errors/FanoutError.ts';

export interface KafkaSecuritySettings {
  kafkaSsl: boolean;
  kafkaSslCaFile: string | null;
  kafkaSaslMechanism: SaslMechanism | null;
  kafkaSaslUsername: string | null;
  kafkaSaslPassword: string | null;
}

/**
 * The TLS and SASL part of the Kafka client's options, from settings. TLS always verifies the
 * brokers' certificates; a CA file implies TLS. A half-configured SASL (a mechanism without
 * credentials, or credentials without a mechanism) is refused rather than guessed at.
 */
export function kafkaSecurityOptions(s: KafkaSecuritySettings): Pick<KafkaConfig, 'ssl' | 'sasl'> {
  const out: Pick<KafkaConfig, 'ssl' | 'sasl'> = {};
  if (s.kafkaSslCaFile !== null) {
    out.ssl = { ca: [s.kafkaSslCaFile], rejectUnauthorized: true };
  } else if (s.kafkaSsl) {
    out.ssl = { rejectUnauthorized: true };
  }
  const hasCredentials = s.kafkaSaslUsername !== null || s.kafkaSaslPassword !== null;
  if (s.kafkaSaslMechanism === null) {
    if (hasCredentials) {
      throw configError(
        'FANOUT_KAFKA_SASL_MECHANISM',
        'SASL credentials are set but FANOUT_KAFKA_SASL_MECHANISM is empty',
      );
    }
    return out;
  }
  if (s.kafkaSaslUsername === null || s.kafkaSaslPassword === null) {
    throw configError(
      s.kafkaSaslUsername === null ? 'FANOUT_KAFKA_SASL_USERNAME' : 'FANOUT_KAFKA_SASL_PASSWORD',
      `SASL ${s.kafkaSaslMechanism} needs FANOUT_KAFKA_SASL_USERNAME and FANOUT_KAFKA_SASL_PASSWORD`,
    );
  }
  out.sasl = {
    mechanism: s.kafkaSaslMechanism,
    username: s.kafkaSaslUsername,
    password: s.kafkaSaslPassword,
  } as SASLOptions;
  return out;
}

function configError(field: string, message: string): FanoutError {
  return new FanoutError('FANOUT_CONFIG_INVALID', message, { field });
}
