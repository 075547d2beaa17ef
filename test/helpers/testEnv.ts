/**
 * Settings for tests: the real local services, but a database and a Redis db of their own so
 * a test run never touches data of `npm start`, and short timings so failures show quickly.
 */
export const TEST_ENV: NodeJS.ProcessEnv = {
  ...process.env,
  FANOUT_DATABASE_URL:
    process.env.FANOUT_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/fanout_test',
  FANOUT_REDIS_URL: process.env.FANOUT_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/15',
  FANOUT_KAFKA_BROKERS: process.env.FANOUT_KAFKA_BROKERS ?? '127.0.0.1:9092',
  FANOUT_API_PORT: '0',
  FANOUT_REGISTRY_REFRESH_MS: '500',
  FANOUT_COMMIT_INTERVAL_MS: '100',
  FANOUT_LAG_INTERVAL_MS: '1000',
  FANOUT_LAG_WINDOW_MS: '4000',
  FANOUT_KAFKA_SESSION_TIMEOUT_MS: '8000',
  // Tests of retries fail an endpoint on purpose; the circuit, which would slow them to its
  // probe pace, has its own test with its own threshold.
  FANOUT_CIRCUIT_FAILURE_THRESHOLD: '100000',
  FANOUT_CIRCUIT_ERROR_PERCENT: '0',
  // the tests' webhook sinks listen on loopback, which the endpoint guard refuses by default
  FANOUT_ENDPOINT_ALLOWED_NETWORKS: '127.0.0.0/8,::1',
  FANOUT_LOG_LEVEL: process.env.FANOUT_TEST_LOG_LEVEL ?? 'error',
};
// one router group per test database: runs on one broker with databases of their own must not
// share routers (each would route the other's topics into its own database)
TEST_ENV.FANOUT_ROUTER_GROUP_ID = `fanout.router.${new URL(TEST_ENV.FANOUT_DATABASE_URL!).pathname.slice(1)}`;

/** A quick retry policy for subscriptions made in tests (the defaults wait minutes). */
export const FAST_RETRY = {
  retry: { initialDelayMs: 50, maxDelayMs: 400, maxAttempts: 1000 },
  timeoutMs: 2000,
};
