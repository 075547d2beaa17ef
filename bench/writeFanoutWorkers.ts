/**
 * Write fan-out with K router processes (each runs a delivery worker) for each K given: the
 * same pre-filled delivery rows every case, one topic pinned to write fan-out, N subscriptions,
 * a local sink answering 200. Deliveries/s must not fall as workers are added.
 *
 * Setup, once: the subscriptions are made paused, one router dispatches the produced events
 * into rows (paused subscriptions get rows too) and stops. Each case then puts every row back
 * to pending (VACUUM after, so no case inherits another's dead tuples), empties the dedupe
 * marks, starts K routers, and resumes the subscriptions: the clock runs from the resume to the
 * last delivery counted at the sink (or the cap).
 *
 * Prints per case: deliveries/s; CPU seconds per 1,000 deliveries of each router and of the
 * database's PostgreSQL backends; the backends (connections, most active at once, most waiting
 * on a lock at once, sampled every 250 ms); and the lease statements of all workers (count, how
 * many were a run following one a worker held, how many leased nothing, rows per statement,
 * mean time), from each router's /metrics.
 * Local stack up, then:
 *   `node bench/writeFanoutWorkers.ts [workers,...] [subscriptions] [events]
 *      [--partitions P] [--ordering partition|key|none] [--cap-seconds S] [--sink-delay-ms D]`
 * Defaults: 1,2,4 workers, 16 subscriptions, 2,000 events (32,000 rows), 3 partitions,
 * partition ordering (the default), 300 s cap, a sink that answers at once. With an instant
 * sink the case measures CPU per delivery: on a small machine one router, PostgreSQL and the
 * sink already use every core. `--sink-delay-ms` makes the endpoint slow, as real ones are, so
 * the case measures how many requests the workers keep in flight.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { startApi } from '../services/api/startApi.ts';
import { createRuntime } from '../services/runtime/createRuntime.ts';
import { pinAndWait } from '../test/helpers/routing.ts';
import { resetState, uniqueName } from '../test/helpers/testStack.ts';
import { sleep, waitFor } from '../test/helpers/waitFor.ts';
import { BENCH_ENV } from './benchEnv.ts';
import { BenchService } from './routing/benchService.ts';
import { createSubscriptions, inParallel, postWithRetry } from './routing/createSubscriptions.ts';
import { dropKafkaState } from './routing/dropKafkaState.ts';
import { leaseFigures, readLeaseCounters, type LeaseFigures } from './routing/leaseFigures.ts';
import { cpuSeconds, DatabaseCpu } from './routing/processCpu.ts';

const args = parseArgs({
  allowPositionals: true,
  options: {
    partitions: { type: 'string', default: '3' },
    ordering: { type: 'string', default: 'partition' },
    'cap-seconds': { type: 'string', default: '300' },
    'sink-delay-ms': { type: 'string', default: '0' },
  },
});
const [workersArg, subsArg, eventsArg] = args.positionals;
const workerCounts = (workersArg ?? '1,2,4').split(',').map(Number);
const subscriptions = Number(subsArg ?? 16);
const events = Number(eventsArg ?? 2000);
const partitions = Number(args.values.partitions);
const ordering = args.values.ordering;
const capSeconds = Number(args.values['cap-seconds']);
const sinkDelayMs = Number(args.values['sink-delay-ms']);
const env: NodeJS.ProcessEnv = {
  ...process.env,
  ...BENCH_ENV,
  FANOUT_ROUTER_AUTO: 'false',
  FANOUT_ROUTER_DECIDE_INTERVAL_MS: '500',
  // delivered rows stay for the next case
  FANOUT_DELIVERED_RETENTION_MS: String(24 * 3600 * 1000),
};
// each router serves /metrics on a port of its own
const HEALTH_PORT_BASE = 19_400 + Math.floor(Math.random() * 500);

const rt = await createRuntime('bench', env);
const api = await startApi(rt);
const base = `http://127.0.0.1:${api.port}`;
const dbCpu = new DatabaseCpu(rt.pool);

let delivered = 0;
const sink = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    const answer = (): void => {
      delivered++;
      res.writeHead(200).end();
    };
    if (sinkDelayMs > 0) setTimeout(answer, sinkDelayMs);
    else answer();
  });
});
await new Promise<void>((r) => sink.listen(0, '127.0.0.1', r));
const sinkUrl = `http://127.0.0.1:${(sink.address() as AddressInfo).port}/hook`;

async function setPaused(ids: string[], paused: boolean): Promise<void> {
  await inParallel(ids.length, 16, (i) =>
    postWithRetry(base, `/v1/subscriptions/${ids[i]}/${paused ? 'pause' : 'resume'}`, {}),
  );
}

async function rowCount(where = 'true'): Promise<number> {
  const res = await rt.pool.query<{ n: string }>(
    `SELECT count(*) AS n FROM deliveries WHERE ${where}`,
  );
  return Number(res.rows[0]!.n);
}

// setup: topic, paused subscriptions, rows made by one router
await resetState(rt);
const topic = uniqueName('workers');
await postWithRetry(base, '/v1/topics', { name: topic, partitions });
const ids = await createSubscriptions(base, topic, sinkUrl, subscriptions, 16, { ordering });
await setPaused(ids, true);
{
  const router = new BenchService('router', env);
  await router.start('router started');
  try {
    await pinAndWait(base, topic, 'write', 300_000);
    const filler = 'x'.repeat(512);
    for (let sent = 0; sent < events; sent += 500) {
      const batch = Array.from({ length: Math.min(500, events - sent) }, (_, i) => ({
        key: `k${(sent + i) % 97}`,
        payload: { n: sent + i, filler },
      }));
      await postWithRetry(base, `/v1/topics/${topic}/events`, { events: batch });
    }
    await waitFor(
      async () => (await rowCount()) >= events * subscriptions,
      'every row dispatched',
      600_000,
      500,
    );
  } finally {
    await router.stop();
  }
}
const total = await rowCount();
console.log(
  `${subscriptions} subscriptions (${ordering} ordering) x ${events} events on ${partitions} partitions = ${total} rows`,
);

interface Case {
  workers: number;
  deliveries: number;
  seconds: number;
  cpu: number[];
  db: number;
  backends: number;
  peakActive: number;
  peakLockWaits: number;
  /** What the lock waits seen were on: wait event and statement, with how many samples. */
  lockWaits: Map<string, number>;
  lease: LeaseFigures;
  capped: boolean;
}

async function runCase(workers: number): Promise<Case> {
  await rt.pool.query(
    `UPDATE deliveries SET status = 'pending', attempts = 0, first_attempt_at = NULL,
       next_attempt = now(), lease_owner = NULL, lease_token = NULL, lease_expires = NULL,
       last_status = NULL, last_error = NULL, delivered_at = NULL, updated_at = now()`,
  );
  await rt.pool.query('VACUUM ANALYZE deliveries');
  await rt.pool.query('VACUUM ANALYZE events');
  await rt.redis.flushdb();
  const routers = Array.from(
    { length: workers },
    (_, i) =>
      new BenchService('router', { ...env, FANOUT_HEALTH_PORT: String(HEALTH_PORT_BASE + i) }),
  );
  try {
    await Promise.all(routers.map((r) => r.start('router started')));
    // the dispatchers' group settles before the clock starts
    await sleep(3000);
    const ports = routers.map((_, i) => HEALTH_PORT_BASE + i);
    const lease0 = await readLeaseCounters(ports);
    const cpu0 = await Promise.all(routers.map((r) => cpuSeconds(r.pid)));
    await dbCpu.start();
    delivered = 0;
    const t0 = Date.now();
    await setPaused(ids, false);
    let peakActive = 0;
    let peakLockWaits = 0;
    const lockWaits = new Map<string, number>();
    let backends = 0;
    const deadline = t0 + capSeconds * 1000;
    while (delivered < total && Date.now() < deadline) {
      const res = await rt.pool.query<{ state: string; wait: string | null; query: string }>(
        `SELECT state, wait_event_type || ':' || wait_event AS wait, left(query, 90) AS query
         FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`,
      );
      const waiting = res.rows.filter((r) => r.wait?.startsWith('Lock:'));
      backends = Math.max(backends, res.rows.length);
      peakActive = Math.max(peakActive, res.rows.filter((r) => r.state === 'active').length);
      peakLockWaits = Math.max(peakLockWaits, waiting.length);
      for (const r of waiting) {
        const what = `${r.wait} ${r.query.replace(/\s+/g, ' ')}`;
        lockWaits.set(what, (lockWaits.get(what) ?? 0) + 1);
      }
      await sleep(250);
    }
    const seconds = (Date.now() - t0) / 1000;
    const cpu1 = await Promise.all(routers.map((r) => cpuSeconds(r.pid)));
    const db = await dbCpu.since();
    const lease = leaseFigures(lease0, await readLeaseCounters(ports));
    await setPaused(ids, true);
    return {
      workers,
      deliveries: Math.min(delivered, total),
      seconds,
      cpu: cpu1.map((c, i) => c - cpu0[i]!),
      db,
      backends,
      peakActive,
      peakLockWaits,
      lockWaits,
      lease,
      capped: delivered < total,
    };
  } finally {
    await Promise.all(routers.map((r) => r.stop()));
  }
}

console.log(
  'workers  deliveries  wall_s  deliv/s  router_cpu_s/1k (each)  db_cpu_s/1k  pg_backends  peak_active  peak_lock_waits  leases  following  empty  rows/lease  lease_ms',
);
for (const k of workerCounts) {
  const c = await runCase(k);
  const per1k = (s: number): string => ((s * 1000) / Math.max(1, c.deliveries)).toFixed(3);
  console.log(
    [
      String(c.workers).padStart(7),
      String(c.deliveries).padStart(11),
      c.seconds.toFixed(1).padStart(7),
      (c.deliveries / c.seconds).toFixed(0).padStart(8),
      c.cpu.map(per1k).join(' ').padStart(24),
      per1k(c.db).padStart(12),
      String(c.backends).padStart(12),
      String(c.peakActive).padStart(12),
      String(c.peakLockWaits).padStart(16),
      String(c.lease.statements).padStart(7),
      String(c.lease.following).padStart(10),
      String(c.lease.empty).padStart(6),
      c.lease.rowsPerStatement.toFixed(1).padStart(11),
      c.lease.meanMs.toFixed(1).padStart(9),
      c.capped ? `  capped at ${capSeconds} s` : '',
    ].join(' '),
  );
  for (const [what, n] of [...c.lockWaits].sort((a, b) => b[1] - a[1]).slice(0, 3)) {
    console.log(`  lock wait seen in ${n} samples: ${what}`);
  }
  const check = await rowCount(`status <> 'delivered'`);
  if (!c.capped && check > 0) console.log(`  note: ${check} rows not delivered at the end`);
}

sink.closeAllConnections();
sink.close();
await api.stop();
await resetState(rt);
await dropKafkaState(rt.kafka, [topic], ids);
await rt.close();
