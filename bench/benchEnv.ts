/**
 * Settings every benchmark runs with: the local stack, but a database and a Redis db of their
 * own, quiet logs, and an API on a free port. FANOUT_BENCH_DATABASE_URL and
 * FANOUT_BENCH_REDIS_URL point a run elsewhere, so two runs on one machine stay apart.
 */
export const BENCH_ENV: NodeJS.ProcessEnv = {
  FANOUT_DATABASE_URL:
    process.env.FANOUT_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/fanout_bench',
  FANOUT_REDIS_URL: process.env.FANOUT_BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379/14',
  FANOUT_LOG_LEVEL: 'warn',
  FANOUT_API_PORT: '0',
  // the benchmarks' sinks listen on loopback, which the endpoint guard refuses by default
  FANOUT_ENDPOINT_ALLOWED_NETWORKS: '127.0.0.0/8,::1',
  // batches of 500 events of 1 KiB are larger than the default limit
  FANOUT_MAX_BODY_BYTES: String(8 * 1024 * 1024),
};
// one router group per benchmark database, as in the tests: two runs on one broker stay apart
BENCH_ENV.FANOUT_ROUTER_GROUP_ID = `fanout.router.${new URL(BENCH_ENV.FANOUT_DATABASE_URL!).pathname.slice(1)}`;
