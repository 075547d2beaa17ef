/**
 * Cost of lag sampling: N subscriptions over topics of 3 partitions, each with a backlog, and
 * the lag monitor's sample (Kafka log ends, committed offsets, group states, PostgreSQL
 * backlogs, produce-time bisection) timed over several rounds. Prints ms per sample and per
 * subscription. Local stack up (`npm run stack:up`), then:
 * `npm run bench:lag -- [subscriptions,subscriptions...] [subscriptions per topic] [rounds]`.
 */
import { performance } from 'node:perf_hooks';
import { LagMonitor } from '../libs/lag/lagMonitor.ts';
import { startApi } from '../services/api/startApi.ts';
import { createRuntime } from '../services/runtime/createRuntime.ts';
import { call } from '../test/helpers/api.ts';
import { resetState, uniqueName } from '../test/helpers/testStack.ts';
import { BENCH_ENV } from './benchEnv.ts';

const counts = (process.argv[2] ?? '10,50').split(',').map(Number);
const perTopic = Number(process.argv[3] ?? 5);
const rounds = Number(process.argv[4] ?? 10);

// the api's own monitor is slowed right down so it does not share the broker with the timed one
const rt = await createRuntime('bench', {
  ...process.env,
  ...BENCH_ENV,
  FANOUT_LAG_INTERVAL_MS: '600000',
});
await resetState(rt);
const api = await startApi(rt);
const base = `http://127.0.0.1:${api.port}`;

let made = 0;
console.log('subscriptions  topics  first sample ms  sample ms (median)  per subscription ms');
for (const n of counts) {
  while (made < n) {
    const topic = uniqueName('bench-lag');
    await call(base, 'POST', '/v1/topics', { name: topic, partitions: 3 });
    for (let i = 0; i < perTopic && made < n; i++, made++) {
      // a busy broker may refuse a dead-letter topic now and then: try again
      for (let attempt = 1; ; attempt++) {
        const res = await call(base, 'POST', '/v1/subscriptions', {
          topic,
          endpoint: 'http://127.0.0.1:9/never',
        });
        if (res.status === 201) break;
        if (attempt === 3) throw new Error(JSON.stringify(res.body));
      }
    }
    // a backlog for every subscription of the topic (no bridge runs)
    const events = Array.from({ length: 30 }, (_, i) => ({ payload: { i } }));
    await call(base, 'POST', `/v1/topics/${topic}/events`, { events });
  }
  const monitor = new LagMonitor({
    admin: rt.admin,
    pool: rt.pool,
    metrics: rt.metrics,
    log: rt.log,
    intervalMs: 600_000,
    windowMs: 60_000,
  });
  let t = performance.now();
  await monitor.refresh();
  const first = performance.now() - t;
  const times: number[] = [];
  for (let r = 0; r < rounds; r++) {
    t = performance.now();
    await monitor.refresh();
    times.push(performance.now() - t);
  }
  if (monitor.all().length !== n) throw new Error(`sampled ${monitor.all().length} of ${n}`);
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)]!;
  console.log(
    [
      String(n).padStart(13),
      String(Math.ceil(n / perTopic)).padStart(6),
      first.toFixed(0).padStart(16),
      median.toFixed(0).padStart(19),
      (median / n).toFixed(2).padStart(20),
    ].join('  '),
  );
  await monitor.stop();
}
await api.stop();
await rt.close();
