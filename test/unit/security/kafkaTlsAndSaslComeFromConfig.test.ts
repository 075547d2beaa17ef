import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadConfig } from '../../../libs/config/loadConfig.ts';
import { createKafka } from '../../../libs/kafka/createKafka.ts';
import { kafkaSecurityOptions } from '../../../libs/kafka/kafkaSecurity.ts';
import { createLogger } from '../../../libs/log/logger.ts';

const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';

function optionsFor(env: Record<string, string>) {
  return kafkaSecurityOptions(loadConfig(env));
}

test('by default the Kafka client uses neither TLS nor SASL', () => {
  assert.deepEqual(optionsFor({}), {});
});

test('TLS: on with verification, and with a CA file the brokers are verified against it', () => {
  assert.deepEqual(optionsFor({ FANOUT_KAFKA_SSL: 'true' }), { ssl: { rejectUnauthorized: true } });
  const dir = mkdtempSync(join(tmpdir(), 'fanout-kafka-ca-'));
  try {
    writeFileSync(join(dir, 'ca.pem'), PEM);
    assert.deepEqual(optionsFor({ FANOUT_KAFKA_SSL_CA_FILE: join(dir, 'ca.pem') }), {
      ssl: { ca: [PEM], rejectUnauthorized: true },
    });
    assert.throws(
      () => loadConfig({ FANOUT_KAFKA_SSL_CA_FILE: join(dir, 'none.pem') }),
      /FANOUT_KAFKA_SSL_CA_FILE cannot read/,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('SASL: each mechanism maps to the client with its credentials', () => {
  for (const mechanism of ['plain', 'scram-sha-256', 'scram-sha-512', 'SCRAM-SHA-512']) {
    const out = optionsFor({
      FANOUT_KAFKA_SSL: 'true',
      FANOUT_KAFKA_SASL_MECHANISM: mechanism,
      FANOUT_KAFKA_SASL_USERNAME: 'fanout',
      FANOUT_KAFKA_SASL_PASSWORD: 'p4ss-word',
    });
    assert.deepEqual(out, {
      ssl: { rejectUnauthorized: true },
      sasl: { mechanism: mechanism.toLowerCase(), username: 'fanout', password: 'p4ss-word' },
    });
    // the client accepts the options as they are (it connects only when used)
    createKafka(['127.0.0.1:9093'], 'test', createLogger('error'), out);
  }
});

test('half a SASL configuration is refused naming the missing variable, never echoing the password', () => {
  assert.throws(
    () => optionsFor({ FANOUT_KAFKA_SASL_MECHANISM: 'plain', FANOUT_KAFKA_SASL_USERNAME: 'u' }),
    (err: Error & { field?: string }) => err.field === 'FANOUT_KAFKA_SASL_PASSWORD',
  );
  assert.throws(
    () =>
      optionsFor({
        FANOUT_KAFKA_SASL_MECHANISM: 'plain',
        FANOUT_KAFKA_SASL_PASSWORD: 'hunter2-secret',
      }),
    (err: Error & { field?: string }) =>
      err.field === 'FANOUT_KAFKA_SASL_USERNAME' && !err.message.includes('hunter2-secret'),
  );
  assert.throws(
    () =>
      optionsFor({ FANOUT_KAFKA_SASL_USERNAME: 'u', FANOUT_KAFKA_SASL_PASSWORD: 'hunter2-secret' }),
    (err: Error & { field?: string }) => err.field === 'FANOUT_KAFKA_SASL_MECHANISM',
  );
  assert.throws(
    () => loadConfig({ FANOUT_KAFKA_SASL_MECHANISM: 'gssapi' }),
    /FANOUT_KAFKA_SASL_MECHANISM must be one of plain, scram-sha-256, scram-sha-512/,
  );
  // a bootstrap key too short is refused without showing it
  assert.throws(
    () => loadConfig({ FANOUT_BOOTSTRAP_API_KEY: 'short-secret-value' }),
    (err: Error) =>
      /FANOUT_BOOTSTRAP_API_KEY/.test(err.message) && !err.message.includes('short-secret-value'),
  );
});
