/**
 * Soak: a steady produce rate for a long while with one stalled endpoint among healthy ones.
 * Samples every 10 s the resident memory and open file descriptors of the api and the bridge,
 * and the healthy subscriptions' lag, then prints start / end / max of each: all should stay
 * flat. Local stack up (`npm run stack:up`), then:
 * `npm run bench:soak -- [seconds=600] [eventsPerSecond=100] [healthySubscriptions=3]`.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { createRuntime } from '../services/runtime/createRuntime.ts';
import { groupIdOf } from '../libs/registry/types.ts';
import { call } from '../test/helpers/api.ts';
import { ServiceProcess } from '../test/helpers/serviceProcess.ts';
import { resetState, uniqueName } from '../test/helpers/testStack.ts';
import { BENCH_ENV } from './benchEnv.ts';

const seconds = Number(process.argv[2] ?? 600);
const rate = Number(process.argv[3] ?? 100);
const healthy = Number(process.argv[4] ?? 3);
const SAMPLE_MS = 10_000;
const env = { ...BENCH_ENV, FANOUT_ENDPOINT_ALLOWED_NETWORKS: '127.0.0.0/8,::1' };

function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Math.round(Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024);
}
const openFds = (pid: number): number => readdirSync(`/proc/${pid}/fd`).length;

const rt = await createRuntime('bench', { ...process.env, ...env });
await resetState(rt);
const fast = createServer((req, res) => {
  req.resume();
  req.on('end', () => res.writeHead(200).end());
});
// reads each request and never answers: the bridge times it out and retries, forever
const stalled = createServer((req) => req.resume());
for (const s of [fast, stalled]) await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
const url = (s: typeof fast): string =>
  `http://127.0.0.1:${(s.address() as AddressInfo).port}/hook`;

const api = new ServiceProcess('api', env);
const bridge = new ServiceProcess('bridge', env);
await api.start('api listening');
const base = `http://127.0.0.1:${String(api.logged('api listening')!.port)}`;
const topic = uniqueName('soak');
await call(base, 'POST', '/v1/topics', { name: topic, partitions: 3 });
const healthyIds: string[] = [];
for (let i = 0; i < healthy; i++) {
  const res = await call(base, 'POST', '/v1/subscriptions', { topic, endpoint: url(fast) });
  healthyIds.push(String(res.body.id));
}
await call(base, 'POST', '/v1/subscriptions', {
  topic,
  endpoint: url(stalled),
  timeoutMs: 2000,
  retry: { maxAttempts: null, maxAgeMs: 86_400_000 },
});
await bridge.start('bridge started');

async function healthyLag(): Promise<number> {
  const { high } = await rt.admin.offsetBounds(topic);
  let lag = 0;
  for (const id of healthyIds) {
    const committed = await rt.admin.committedOffsets(groupIdOf(id), topic);
    for (const [p, end] of Object.entries(high)) {
      lag += Number(end) - Number(committed[p] ?? 0);
    }
  }
  return lag;
}

interface Sample {
  at: number;
  apiRssMiB: number;
  bridgeRssMiB: number;
  apiFds: number;
  bridgeFds: number;
  healthyLag: number;
}
const samples: Sample[] = [];
const take = async (): Promise<void> => {
  const sample = {
    at: Math.round((Date.now() - startedAt) / 1000),
    apiRssMiB: rssMiB(api.pid!),
    bridgeRssMiB: rssMiB(bridge.pid!),
    apiFds: openFds(api.pid!),
    bridgeFds: openFds(bridge.pid!),
    healthyLag: await healthyLag(),
  };
  samples.push(sample);
  console.log(JSON.stringify(sample));
};

const startedAt = Date.now();
const filler = 'x'.repeat(1000);
let produced = 0;
let nextSample = startedAt;
// 10 requests a second, each with a tenth of the rate
while (Date.now() - startedAt < seconds * 1000) {
  const tick = Date.now();
  const events = Array.from({ length: Math.max(1, Math.round(rate / 10)) }, (_, i) => ({
    key: `k${(produced + i) % 1000}`,
    payload: { n: produced + i, filler },
  }));
  const res = await call(base, 'POST', `/v1/topics/${topic}/events`, { events });
  if (res.status === 202) produced += events.length;
  if (tick >= nextSample) {
    await take();
    nextSample += SAMPLE_MS;
  }
  await sleep(Math.max(0, 100 - (Date.now() - tick)));
}
await take();

const summary = Object.fromEntries(
  (['apiRssMiB', 'bridgeRssMiB', 'apiFds', 'bridgeFds', 'healthyLag'] as const).map((k) => [
    k,
    {
      start: samples[1]?.[k] ?? samples[0]![k],
      end: samples.at(-1)![k],
      max: Math.max(...samples.map((s) => s[k])),
    },
  ]),
);
console.log(
  `\nsoak: ${seconds} s at ${rate} events/s, ${healthy} healthy subscriptions + 1 stalled; produced ${produced}`,
);
console.table(summary);
await mkdir(new URL('./results/', import.meta.url), { recursive: true });
await writeFile(
  new URL(`./results/soak-${Date.now()}.json`, import.meta.url),
  JSON.stringify(
    { at: new Date().toISOString(), seconds, rate, healthy, produced, summary, samples },
    null,
    2,
  ) + '\n',
);
await bridge.kill('SIGTERM');
await api.kill('SIGTERM');
fast.closeAllConnections();
stalled.closeAllConnections();
fast.close();
stalled.close();
await rt.close();
