import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadConfig } from '../../../libs/config/loadConfig.ts';
import { FanoutError } from '../../../libs/errors/FanoutError.ts';

test('defaults work on the local stack', () => {
  const config = loadConfig({});
  assert.equal(config.apiPort, 8080);
  assert.equal(config.apiHost, '127.0.0.1');
  assert.deepEqual(config.kafkaBrokers, ['127.0.0.1:9092']);
  assert.equal(config.databaseUrl, 'postgres://postgres@127.0.0.1:5432/fanout');
});

test('every bad value is reported at once, each naming its variable', () => {
  assert.throws(
    () =>
      loadConfig({
        FANOUT_API_PORT: 'eighty',
        FANOUT_KAFKA_BROKERS: 'localhost',
        FANOUT_REDIS_URL: 'http://x',
        FANOUT_LOG_LEVEL: 'loud',
      }),
    (err: unknown) => {
      assert.ok(err instanceof FanoutError);
      assert.equal(err.code, 'FANOUT_CONFIG_INVALID');
      assert.equal(err.field, 'FANOUT_API_PORT');
      for (const name of [
        'FANOUT_API_PORT',
        'FANOUT_KAFKA_BROKERS',
        'FANOUT_REDIS_URL',
        'FANOUT_LOG_LEVEL',
      ]) {
        assert.match(err.message, new RegExp(name));
      }
      return true;
    },
  );
});

test('bounds are enforced', () => {
  assert.throws(() => loadConfig({ FANOUT_API_PORT: '70000' }), /FANOUT_API_PORT must be between/);
  assert.throws(
    () => loadConfig({ FANOUT_KAFKA_SESSION_TIMEOUT_MS: '1000' }),
    /FANOUT_KAFKA_SESSION_TIMEOUT_MS must be between 6000/,
  );
  assert.equal(loadConfig({ FANOUT_KAFKA_BROKERS: 'a:1, b:2' }).kafkaBrokers.length, 2);
});
