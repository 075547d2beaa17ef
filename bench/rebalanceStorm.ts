/**
 * Rebalance storm: a steady produce rate while a bridge is added or removed every 15 s (one to
 * three bridges), for three minutes by default. Prints lost events (must be 0), duplicates, and
 * per membership change the longest gap in deliveries that followed it (the stall a rebalance
 * costs). Local stack up (`npm run stack:up`), then:
 * `npm run bench:storm -- [seconds=180] [eventsPerSecond=100] [everySeconds=15]`.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { createRuntime } from '../services/runtime/createRuntime.ts';
import { call } from '../test/helpers/api.ts';
import { ServiceProcess } from '../test/helpers/serviceProcess.ts';
import { resetState, uniqueName } from '../test/helpers/testStack.ts';
import { waitFor } from '../test/helpers/waitFor.ts';
import { WebhookSink } from '../test/helpers/webhookSink.ts';
import { BENCH_ENV } from './benchEnv.ts';

const seconds = Number(process.argv[2] ?? 180);
const rate = Number(process.argv[3] ?? 100);
const every = Number(process.argv[4] ?? 15);
const env = {
  ...BENCH_ENV,
  FANOUT_ENDPOINT_ALLOWED_NETWORKS: '127.0.0.0/8,::1',
  FANOUT_KAFKA_SESSION_TIMEOUT_MS: '10000',
  FANOUT_COMMIT_INTERVAL_MS: '200',
};

const rt = await createRuntime('bench', { ...process.env, ...env });
await resetState(rt);
const sink = await new WebhookSink().start();
const api = new ServiceProcess('api', env);
await api.start('api listening');
const base = `http://127.0.0.1:${String(api.logged('api listening')!.port)}`;
const topic = uniqueName('storm');
await call(base, 'POST', '/v1/topics', { name: topic, partitions: 6 });
for (const ordering of ['partition', 'key']) {
  await call(base, 'POST', '/v1/subscriptions', {
    topic,
    endpoint: `${sink.url}/${ordering}`,
    ordering,
  });
}
const bridges: ServiceProcess[] = [new ServiceProcess('bridge', env)];
await bridges[0]!.start('bridge started');

const acked = new Set<string>();
const changes: { at: number; bridges: number; what: string }[] = [];
const startedAt = Date.now();
let producing = true;

const produce = async (): Promise<void> => {
  let n = 0;
  while (Date.now() - startedAt < seconds * 1000) {
    const tick = Date.now();
    const events = Array.from({ length: Math.max(1, Math.round(rate / 10)) }, () => ({
      key: `k${n % 500}`,
      payload: { n: n++ },
    }));
    const res = await call<{ events: { id: string }[] }>(
      base,
      'POST',
      `/v1/topics/${topic}/events`,
      { events },
    );
    if (res.status === 202) for (const e of res.body.events) acked.add(e.id);
    await sleep(Math.max(0, 100 - (Date.now() - tick)));
  }
  producing = false;
};

const storm = async (): Promise<void> => {
  let adding = true;
  while (producing) {
    await sleep(every * 1000);
    if (!producing) break;
    if (adding) {
      const b = new ServiceProcess('bridge', env);
      bridges.push(b);
      await b.start('bridge started');
      changes.push({ at: Date.now(), bridges: bridges.length, what: 'bridge added' });
    } else {
      // alternate a crash and a graceful stop
      const b = bridges.pop()!;
      const stops = changes.filter((c) => c.what.startsWith('bridge SIG')).length;
      const how = stops % 2 === 0 ? 'SIGKILL' : 'SIGTERM';
      await b.kill(how);
      changes.push({ at: Date.now(), bridges: bridges.length, what: `bridge ${how}` });
    }
    if (bridges.length >= 3) adding = false;
    if (bridges.length <= 1) adding = true;
  }
};

await Promise.all([produce(), storm()]);
const deliveredIds = (path: string): string[] =>
  sink
    .acknowledged()
    .filter((r) => r.path === path)
    .map((r) => String(r.headers['webhook-id']));
await waitFor(
  () =>
    ['/hook/partition', '/hook/key'].every((p) => {
      const got = new Set(deliveredIds(p));
      return [...acked].every((id) => got.has(id));
    }),
  'every acknowledged event delivered',
  300_000,
  500,
).catch(() => undefined);

const rows = ['/hook/partition', '/hook/key'].map((path) => {
  const ids = deliveredIds(path);
  const got = new Set(ids);
  const byPartition = new Map<string, number[]>();
  for (const r of sink.acknowledged().filter((x) => x.path === path)) {
    const p = String(r.headers['fanout-partition']);
    byPartition.set(p, [...(byPartition.get(p) ?? []), r.at]);
  }
  // the longest pause of any partition's deliveries within 30 s after each membership change
  // (a crashed member's partitions wait for its session to time out)
  const stalls = changes.map((c) => {
    let longest = 0;
    for (const times of byPartition.values()) {
      const window = times.filter((t) => t >= c.at - 1000 && t <= c.at + 30_000);
      for (let i = 1; i < window.length; i++) {
        longest = Math.max(longest, window[i]! - window[i - 1]!);
      }
    }
    return longest;
  });
  return {
    subscription: path.slice('/hook/'.length),
    acknowledged: acked.size,
    lost: [...acked].filter((id) => !got.has(id)).length,
    duplicates: ids.length - got.size,
    stallMsPerChange: stalls,
  };
});
const result = {
  seconds,
  rate,
  changes: changes.map((c) => ({ ...c, at: Math.round((c.at - startedAt) / 1000) })),
  rows,
};
console.log(JSON.stringify(result, null, 2));
await mkdir(new URL('./results/', import.meta.url), { recursive: true });
await writeFile(
  new URL(`./results/rebalanceStorm-${Date.now()}.json`, import.meta.url),
  JSON.stringify({ at: new Date().toISOString(), ...result }, null, 2) + '\n',
);
for (const b of bridges) await b.kill('SIGTERM');
await api.kill('SIGTERM');
await sink.stop();
await rt.close();
