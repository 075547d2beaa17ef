/**
 * Fan-out and isolation: one topic, N subscriptions on a fast local endpoint, measured twice in
 * one run — alone, and with one more subscription whose endpoint never answers (a stalled
 * subscriber). Prints delivered events/s across the healthy subscriptions and the ratio. The
 * two cases alternate over several rounds (alone first in odd rounds, second in even ones) so
 * the machine's drift falls on both; the ratio is the median of the rounds' ratios.
 * Local stack up (`npm run stack:up`), then:
 * `npm run bench:isolation -- [events] [subs,subs...] [partition,key,none] [rounds]`.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startApi } from '../services/api/startApi.ts';
import { BENCH_ENV } from './benchEnv.ts';
import { createRuntime } from '../services/runtime/createRuntime.ts';
import { call } from '../test/helpers/api.ts';
import { ServiceProcess } from '../test/helpers/serviceProcess.ts';
import { resetState, uniqueName } from '../test/helpers/testStack.ts';
import { waitFor } from '../test/helpers/waitFor.ts';

const total = Number(process.argv[2] ?? 5_000);
const fanouts = (process.argv[3] ?? '1,10').split(',').map(Number);
const orderings = (process.argv[4] ?? 'partition').split(',');
const rounds = Number(process.argv[5] ?? 3);
const partitions = 3;
const env = BENCH_ENV;

const rt = await createRuntime('bench', { ...process.env, ...env });
const api = await startApi(rt);
const base = `http://127.0.0.1:${api.port}`;

let delivered = 0;
let lastAt = 0;
const fast = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    delivered++;
    lastAt = Date.now();
    res.writeHead(200).end();
  });
});
// the stalled subscriber: reads the request and never answers
const stalled = createServer((req) => req.resume());
for (const s of [fast, stalled]) await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
const url = (s: typeof fast): string =>
  `http://127.0.0.1:${(s.address() as AddressInfo).port}/hook`;

async function run(subscriptions: number, ordering: string, withStalled: boolean): Promise<number> {
  await resetState(rt);
  const topic = uniqueName('iso');
  await call(base, 'POST', '/v1/topics', { name: topic, partitions });
  for (let i = 0; i < subscriptions; i++) {
    await call(base, 'POST', '/v1/subscriptions', { topic, endpoint: url(fast), ordering });
  }
  if (withStalled) {
    await call(base, 'POST', '/v1/subscriptions', {
      topic,
      endpoint: url(stalled),
      ordering,
      timeoutMs: 2000,
    });
  }
  const bridge = new ServiceProcess('bridge', env);
  await bridge.start('bridge started');
  try {
    // one warm-up event per subscription so every group has joined before the clock starts
    delivered = 0;
    await call(base, 'POST', `/v1/topics/${topic}/events`, { payload: { warm: true } });
    await waitFor(() => delivered >= subscriptions, 'warm-up delivered', 120_000);
    delivered = 0;
    const filler = 'x'.repeat(1000);
    const t0 = Date.now();
    for (let sent = 0; sent < total; sent += 500) {
      const events = Array.from({ length: 500 }, (_, i) => ({
        key: `k${(sent + i) % 1000}`,
        payload: { n: sent + i, filler },
      }));
      await call(base, 'POST', `/v1/topics/${topic}/events`, { events });
    }
    await waitFor(() => delivered >= total * subscriptions, 'all delivered', 600_000, 20);
    return Math.round(delivered / ((lastAt - t0) / 1000));
  } finally {
    await bridge.kill('SIGKILL');
  }
}

const median = (xs: number[]): number => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

const rows = [];
for (const ordering of orderings) {
  for (const n of fanouts) {
    const alone: number[] = [];
    const beside: number[] = [];
    for (let r = 0; r < rounds; r++) {
      if (r % 2 === 0) {
        alone.push(await run(n, ordering, false));
        beside.push(await run(n, ordering, true));
      } else {
        beside.push(await run(n, ordering, true));
        alone.push(await run(n, ordering, false));
      }
    }
    const row = {
      ordering,
      subscriptions: n,
      eventsPerSecond: median(alone),
      withStalledSubscription: median(beside),
      // each round's two cases ran back to back: their ratio is what drift spares most
      ratio: +median(beside.map((b, i) => b / alone[i]!)).toFixed(3),
      rounds: alone.map((a, i) => ({ alone: a, withStalled: beside[i]! })),
    };
    rows.push(row);
    const perRound = row.rounds.map((x) => (x.withStalled / x.alone).toFixed(2)).join(', ');
    console.log(
      `${ordering.padEnd(9)} ${String(n).padStart(3)} subscription(s): median ${row.eventsPerSecond} deliveries/s alone, ${row.withStalledSubscription} with one stalled subscription beside them (median ratio of the rounds ${row.ratio}: ${perRound})`,
    );
  }
}
await mkdir(new URL('./results/', import.meta.url), { recursive: true });
await writeFile(
  new URL(`./results/fanoutIsolation-${Date.now()}.json`, import.meta.url),
  JSON.stringify(
    { at: new Date().toISOString(), events: total, partitions, rounds, rows },
    null,
    2,
  ) + '\n',
);
fast.closeAllConnections();
stalled.closeAllConnections();
fast.close();
stalled.close();
await api.stop();
await rt.close();
